// Secrets NetFlow must be able to read back (a router's API password) are sealed with AES-256-GCM
// before they reach the database. The key comes from NETFLOW_SECRET_KEY, else from a key file
// created (mode 0600) under DATA_DIR on first use. Each sealed value names its key by an id (a hash
// of the key, never the key), so NETFLOW_SECRET_KEY_PREVIOUS can keep old rows readable while
// `netflow router api` re-seals them under a new key.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile } from 'node:fs/promises';
import path from 'node:path';

const VERSION = 'v1';
const KEY_FILE = 'netflow-secret.key';

export class SecretKeyError extends Error {
  override name = 'SecretKeyError';
}

export interface SecretBox {
  /** The id of the key new values are sealed with. */
  keyId: string;
  /** `v1.<iv>.<tag>.<ciphertext>` (base64url); `context` is bound in (AAD): a value moved to another row does not open. */
  seal(plaintext: string, context: string): string;
  open(sealed: string, keyId: string, context: string): string;
}

const keyIdOf = (key: Buffer) => createHash('sha256').update('netflow-key-id').update(key).digest('hex').slice(0, 16);

/** 32 bytes as 64 hex digits or base64; anything else is refused with what to do. */
export function parseKey(raw: string, name: string): Buffer {
  const text = raw.trim();
  const key = /^[0-9a-f]{64}$/i.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length !== 32) throw new SecretKeyError(`${name} must be 32 bytes as 64 hex digits or base64 (make one: openssl rand -hex 32)`);
  return key;
}

export function secretBoxFromKeys(current: Buffer, previous: Buffer[] = []): SecretBox {
  const keys = new Map<string, Buffer>([current, ...previous].map((k) => [keyIdOf(k), k]));
  const keyId = keyIdOf(current);
  return {
    keyId,
    seal(plaintext, context) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', current, iv);
      cipher.setAAD(Buffer.from(context));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [VERSION, iv, cipher.getAuthTag(), body].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
    },
    open(sealed, id, context) {
      const key = keys.get(id);
      if (!key)
        throw new SecretKeyError(
          `sealed with key ${id}, which this NetFlow does not have (several instances: give them all the same NETFLOW_SECRET_KEY; after a rotation: the old key in NETFLOW_SECRET_KEY_PREVIOUS)`,
        );
      const [version, iv, tag, body] = sealed.split('.');
      if (version !== VERSION || !iv || !tag || body === undefined) throw new SecretKeyError('not a sealed value this NetFlow can read');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      try {
        return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        throw new SecretKeyError('a sealed value does not open with its key (tampered with, or the key file was replaced)');
      }
    },
  };
}

/** Reads the key file, creating it (0600, exclusive) when there is none; two processes racing read the winner's. */
async function keyFromFile(dataDir: string): Promise<Buffer> {
  const file = path.join(dataDir, KEY_FILE);
  try {
    return parseKey(await readFile(file, 'utf8'), file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(dataDir, { recursive: true });
  try {
    const handle = await open(file, 'wx', 0o600);
    try {
      await handle.writeFile(`${randomBytes(32).toString('hex')}\n`);
    } finally {
      await handle.close();
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return parseKey(await readFile(file, 'utf8'), file);
}

/** The box from the configuration: NETFLOW_SECRET_KEY (+ _PREVIOUS), else the key file under DATA_DIR. */
export async function loadSecretBox(env: NodeJS.ProcessEnv, dataDir: string): Promise<SecretBox> {
  const current = env.NETFLOW_SECRET_KEY ? parseKey(env.NETFLOW_SECRET_KEY, 'NETFLOW_SECRET_KEY') : await keyFromFile(dataDir);
  const previous = (env.NETFLOW_SECRET_KEY_PREVIOUS ?? '')
    .split(',')
    .filter((k) => k.trim())
    .map((k) => parseKey(k, 'NETFLOW_SECRET_KEY_PREVIOUS'));
  return secretBoxFromKeys(current, previous);
}

/** loadSecretBox on first call, then the same box (a failure is retried on the next call). */
export function lazySecretBox(env: NodeJS.ProcessEnv, dataDir: string): () => Promise<SecretBox> {
  let box: Promise<SecretBox> | null = null;
  return () => {
    box ??= loadSecretBox(env, dataDir).catch((err: unknown) => {
      box = null;
      throw err;
    });
    return box;
  };
}
