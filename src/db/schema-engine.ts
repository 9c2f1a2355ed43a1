// Prisma's schema engine as WebAssembly: applies and diffs migrations without the native
// binary the Prisma CLI would download (see README, "Database and migrations").
import { readFile, readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import * as wasmBindings from '@prisma/schema-engine-wasm/schema_engine_bg';
import type { MigrationList, SchemaEngine } from '@prisma/schema-engine-wasm';

const require = createRequire(import.meta.url);
const NO_FILTERS = { externalTables: [] as string[], externalEnums: [] as string[] };

let wasmReady: Promise<void> | undefined;

function loadWasm(): Promise<void> {
  wasmReady ??= (async () => {
    const wasmPath = path.join(path.dirname(require.resolve('@prisma/schema-engine-wasm')), 'schema_engine_bg.wasm');
    const { instance } = await WebAssembly.instantiate(await readFile(wasmPath), {
      './schema_engine_bg.js': wasmBindings as unknown as WebAssembly.ModuleImports,
    });
    const exports = instance.exports as WebAssembly.Exports & { __wbindgen_start(): void };
    (wasmBindings as unknown as { __wbg_set_wasm(e: WebAssembly.Exports): void }).__wbg_set_wasm(exports);
    exports.__wbindgen_start();
  })();
  return wasmReady;
}

export interface EngineHandle {
  engine: SchemaEngine;
  schemaPath: string;
  schemaText: string;
  /** Frees the engine and closes its database connections. */
  close(): Promise<void>;
}

export async function openSchemaEngine(connectionString: string, schemaPath: string): Promise<EngineHandle> {
  await loadWasm();
  const schemaText = await readFile(schemaPath, 'utf8');
  const { SchemaEngine } = wasmBindings as unknown as { SchemaEngine: typeof import('@prisma/schema-engine-wasm').SchemaEngine };
  // Our own pool, so the engine's connections can be closed when we are done with it.
  const pool = new pg.Pool({ connectionString, max: 2 });
  const adapter = bindMigrationAwareSqlAdapterFactory(wholeScriptFactory(new PrismaPg(pool)));
  const engine = await SchemaEngine.new({ datamodels: [[schemaPath, schemaText]] } as never, () => {}, adapter);
  return {
    engine,
    schemaPath,
    schemaText,
    async close() {
      engine.free();
      await pool.end();
    },
  };
}

type PgAdapter = Awaited<ReturnType<PrismaPg['connect']>> & { client: pg.Pool | pg.PoolClient };

/**
 * @prisma/adapter-pg 7.10 runs a migration script by splitting it on every ';', which breaks
 * function bodies ($$ … $$) and comments. PostgreSQL's simple query protocol runs a whole
 * multi-statement script itself (in one implicit transaction), as Prisma's native engine does.
 */
function wholeScriptFactory(factory: PrismaPg): PrismaPg {
  const wrap = (adapter: PgAdapter) => {
    adapter.executeScript = async (script: string) => {
      await adapter.client.query(script);
    };
    return adapter;
  };
  return Object.assign(Object.create(factory) as PrismaPg, {
    connect: async () => wrap((await factory.connect()) as PgAdapter),
    connectToShadowDb: async () => wrap((await factory.connectToShadowDb()) as PgAdapter),
  });
}

/** Reads prisma/migrations the way `prisma migrate deploy` does. */
export async function readMigrations(migrationsDir: string): Promise<MigrationList> {
  const entries = await readdir(migrationsDir, { withFileTypes: true }).catch(() => []);
  const dirs = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const migrationDirectories = await Promise.all(
    dirs.map(async (name) => ({
      path: name,
      migrationFile: {
        path: 'migration.sql',
        content: { tag: 'ok' as const, value: await readFile(path.join(migrationsDir, name, 'migration.sql'), 'utf8') },
      },
    })),
  );
  const lockPath = path.join(migrationsDir, 'migration_lock.toml');
  const lockContent = await readFile(lockPath, 'utf8').catch(() => null);
  return {
    baseDir: migrationsDir,
    lockfile: { path: 'migration_lock.toml', content: lockContent },
    shadowDbInitScript: '',
    migrationDirectories,
  } as MigrationList;
}

export async function applyMigrations(handle: EngineHandle, migrationsDir: string): Promise<string[]> {
  const migrationsList = await readMigrations(migrationsDir);
  const result = await handle.engine.applyMigrations({ migrationsList, filters: NO_FILTERS } as never);
  return (result as { appliedMigrationNames: string[] }).appliedMigrationNames;
}

/** SQL that takes a database at schema `fromText` (or an empty one) to the engine's schema. */
export async function diffSchemas(handle: EngineHandle, fromText: string | null): Promise<string> {
  const to = [{ path: handle.schemaPath, content: handle.schemaText }];
  const result = await handle.engine.diff({
    from: fromText === null ? { tag: 'empty' } : { tag: 'schemaDatamodel', files: [{ path: handle.schemaPath, content: fromText }] },
    to: { tag: 'schemaDatamodel', files: to },
    script: true,
    exitCode: null,
    filters: NO_FILTERS,
  } as never);
  return (result as { stdout?: string | null }).stdout ?? '';
}
