// nas-sim's RadSec flags (--radsec --cert --key --ca …): the router logs in over RADIUS/TLS
// (tools/nas-sim/radsec-client.ts) instead of UDP, with the files `netflow router radsec NAME` wrote.
import { readFileSync } from 'node:fs';
import { RadsecPeer } from './radsec-client.js';

export const RADSEC_USAGE = `
RadSec (RADIUS over TLS, RFC 6614: /radius add protocol=radsec)
  --radsec               send auth and accounting over one TLS connection (--secret then optional:
                         it is only the CoA listener's)
  --cert FILE            the router's certificate (netflow router radsec NAME wrote it)
  --key FILE             its key (PEM, encrypted or not) ...
  --key-passphrase P     ... and the passphrase netflow printed
  --ca FILE              NetFlow's CA certificate (netflow-ca.crt)
  --radsec-port N        default 2083
  --server-name NAME     the name checked in NetFlow's certificate (default --server)
`;

export const radsecFlags = {
  radsec: { type: 'boolean', default: false },
  cert: { type: 'string' },
  key: { type: 'string' },
  'key-passphrase': { type: 'string' },
  ca: { type: 'string' },
  'radsec-port': { type: 'string' },
  'server-name': { type: 'string' },
} as const;

interface RadsecValues {
  server: string;
  cert?: string;
  key?: string;
  'key-passphrase'?: string;
  ca?: string;
  'radsec-port'?: string;
  'server-name'?: string;
  timeout?: string;
  tries?: string;
  'no-message-authenticator'?: boolean;
}

function read(file: string | undefined, flag: string, fail: (m: string) => never): string {
  if (!file) return fail(`--radsec needs --${flag} FILE`);
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    return fail(`--${flag} ${file}: ${(err as Error).message}`);
  }
}

/** The RadSec client for these flags; it connects at once so a bad certificate shows at start. */
export async function radsecTransport(v: RadsecValues, fail: (m: string) => never, say: (line: string) => void): Promise<RadsecPeer> {
  const port = Number(v['radsec-port'] ?? 2083);
  if (!Number.isInteger(port) || port < 1 || port > 65535) fail('--radsec-port must be a whole number from 1 to 65535');
  const peer = new RadsecPeer({
    host: v.server,
    port,
    cert: read(v.cert, 'cert', fail),
    key: read(v.key, 'key', fail),
    passphrase: v['key-passphrase'],
    ca: read(v.ca, 'ca', fail),
    serverName: v['server-name'],
    timeoutMs: v.timeout === undefined ? undefined : Number(v.timeout),
    tries: v.tries === undefined ? undefined : Number(v.tries),
    requireReplyMessageAuthenticator: !v['no-message-authenticator'],
    onConnection: (event, detail) => say(`RadSec connection ${event}${detail ? `: ${detail}` : ''}`),
  });
  try {
    await peer.connect();
  } catch (err) {
    fail(`RadSec connection to ${v.server}:${port} failed: ${(err as Error).message}`);
  }
  return peer;
}
