// The database functions' one current source: prisma/functions/*.sql, each a set of
// CREATE OR REPLACE FUNCTION statements with their comments. Migrations carry copies: a new one
// (npm run db:migration) includes every file whose functions differ from what the existing
// migrations define, and test/db/functions.test.ts fails when they differ. "Differ" is decided by
// PostgreSQL itself: a file is applied inside a transaction that is rolled back, and
// pg_get_functiondef of each of its functions is compared before and after.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';

export const FUNCTIONS_DIR = fileURLToPath(new URL('../../prisma/functions/', import.meta.url));

export interface FunctionFile {
  /** File name, e.g. logins.sql. */
  file: string;
  sql: string;
  /** The functions it defines, in order. */
  names: string[];
}

const DEFINITION = /^CREATE OR REPLACE FUNCTION\s+(\w+)\s*\(/gim;

/** The function files in name order (the order a migration applies them in). */
export async function readFunctionFiles(dir = FUNCTIONS_DIR): Promise<FunctionFile[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  return Promise.all(
    files.map(async (file) => {
      const sql = await readFile(path.join(dir, file), 'utf8');
      return { file, sql, names: [...sql.matchAll(DEFINITION)].map((m) => m[1]) };
    }),
  );
}

/** Each named function's definitions (every overload) in the current schema, as PostgreSQL prints them. */
async function definitions(client: pg.ClientBase, names: string[]): Promise<Map<string, string>> {
  const { rows } = await client.query<{ name: string; def: string }>(
    `SELECT p.proname AS name, string_agg(pg_get_functiondef(p.oid), E'\\n' ORDER BY p.oid::regprocedure::text) AS def
       FROM pg_proc p WHERE p.pronamespace = current_schema()::regnamespace AND p.proname = ANY ($1)
      GROUP BY p.proname`,
    [names],
  );
  return new Map(rows.map((r) => [r.name, r.def]));
}

export interface FunctionDifference {
  file: string;
  name: string;
  /** As the database defines it now (null: not defined), and as the file would. */
  current: string | null;
  wanted: string;
}

/**
 * The functions whose definition in the database (migrated) differs from their file's. Nothing is
 * changed: each file is applied in a transaction that is rolled back. The client must not be in a
 * transaction.
 */
export async function functionDifferences(client: pg.ClientBase, files: FunctionFile[]): Promise<FunctionDifference[]> {
  const out: FunctionDifference[] = [];
  for (const f of files) {
    const before = await definitions(client, f.names);
    await client.query('BEGIN');
    try {
      await client.query(f.sql);
      const after = await definitions(client, f.names);
      for (const name of f.names) {
        const wanted = after.get(name)!;
        const current = before.get(name) ?? null;
        if (current !== wanted) out.push({ file: f.file, name, current, wanted });
      }
    } finally {
      await client.query('ROLLBACK');
    }
  }
  return out;
}

/** Functions of NetFlow's (netflow_*) in the database that no file defines. */
export async function functionsWithoutFile(client: pg.ClientBase, files: FunctionFile[]): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT DISTINCT p.proname AS name FROM pg_proc p
      WHERE p.pronamespace = current_schema()::regnamespace AND p.proname LIKE 'netflow\\_%' AND NOT (p.proname = ANY ($1))
      ORDER BY 1`,
    [files.flatMap((f) => f.names)],
  );
  return rows.map((r) => r.name);
}
