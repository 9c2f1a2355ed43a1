// Runs the real `netflow serve` (bin/netflow.js) as a child process on loopback, for the
// end-to-end tests that drive it with independent peers.
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';

/**
 * Stops a child process: SIGTERM, and SIGKILL if it has not exited within graceMs (a peer stuck in
 * a retry loop must not hang the test's cleanup until the hook times out).
 */
export async function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise<void>((r) => s.close(r));
  return port;
}

export async function freeTcpPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

export interface ServeProcess {
  authPort: number;
  acctPort: number;
  httpPort: number;
  child: ChildProcess;
  logs(): string;
  stop(): Promise<void>;
}

/** `databaseUrl` null: no DATABASE_URL, so serve runs the embedded PostgreSQL under DATA_DIR. */
export async function spawnNetflow(
  databaseUrl: string | null,
  extraEnv: Record<string, string> = {},
  nodeArgs: string[] = [],
): Promise<ServeProcess> {
  const [authPort, acctPort, httpPort] = [await freeUdpPort(), await freeUdpPort(), await freeTcpPort()];
  const { DATABASE_URL: _inherited, ...inherited } = process.env;
  const child = spawn(process.execPath, [...nodeArgs, 'bin/netflow.js', 'serve'], {
    env: {
      ...inherited,
      ...(databaseUrl === null ? {} : { DATABASE_URL: databaseUrl }),
      RADIUS_BIND: '127.0.0.1',
      HTTP_BIND: '127.0.0.1',
      RADIUS_AUTH_PORT: String(authPort),
      RADIUS_ACCT_PORT: String(acctPort),
      PORT: String(httpPort),
      LOG_LEVEL: 'info',
      RADSEC: 'off', // a developer's ./data/radsec must not turn it on; the RadSec e2e test does
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`netflow serve did not start:\n${output}`)), 60_000);
    const check = () => {
      if (output.includes('"netflow started"')) {
        clearTimeout(timer);
        child.stderr!.off('data', check); // the log keeps growing; stop scanning it
        resolve();
      }
    };
    child.stderr!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`netflow serve exited with ${code}:\n${output}`));
    });
  });
  return {
    authPort,
    acctPort,
    httpPort,
    child,
    logs: () => output,
    stop: () => stopChild(child),
  };
}
