// The sealed-secret box: AES-256-GCM round trip, the row binding (AAD), tampering, the key file
// made 0600 on first use and reused, a configured key, and rotation with the previous key.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSecretBox, parseKey, SecretKeyError, secretBoxFromKeys } from '../../src/routers/secret-box.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('secret box', () => {
  const key = randomBytes(32);

  it('seals so that only the same key and context open it; a changed byte is refused', () => {
    const box = secretBoxFromKeys(key);
    const sealed = box.seal('s3cret-password', 'router-api-password:1');
    expect(sealed).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain('s3cret');
    expect(box.seal('s3cret-password', 'router-api-password:1')).not.toBe(sealed); // a fresh IV each time
    expect(box.open(sealed, box.keyId, 'router-api-password:1')).toBe('s3cret-password');
    expect(() => box.open(sealed, box.keyId, 'router-api-password:2')).toThrow(SecretKeyError);
    const parts = sealed.split('.');
    const body = Buffer.from(parts[3], 'base64url');
    body[0] ^= 1;
    parts[3] = body.toString('base64url');
    expect(() => box.open(parts.join('.'), box.keyId, 'router-api-password:1')).toThrow(/does not open/);
    expect(() => secretBoxFromKeys(randomBytes(32)).open(sealed, box.keyId, 'router-api-password:1')).toThrow(
      /NETFLOW_SECRET_KEY_PREVIOUS/,
    );
  });

  it('creates the key file 0600 under DATA_DIR on first use and reads the same key after', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'netflow-key-'));
    dirs.push(dir);
    const first = await loadSecretBox({}, path.join(dir, 'data'));
    const file = path.join(dir, 'data', 'netflow-secret.key');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await readFile(file, 'utf8')).trim()).toMatch(/^[0-9a-f]{64}$/);
    const second = await loadSecretBox({}, path.join(dir, 'data'));
    expect(second.keyId).toBe(first.keyId);
    expect(second.open(first.seal('x', 'c'), first.keyId, 'c')).toBe('x');
  });

  it('takes NETFLOW_SECRET_KEY (hex or base64) and refuses a key of the wrong size', async () => {
    const hex = await loadSecretBox({ NETFLOW_SECRET_KEY: key.toString('hex') }, '/nonexistent');
    const b64 = await loadSecretBox({ NETFLOW_SECRET_KEY: key.toString('base64') }, '/nonexistent');
    expect(hex.keyId).toBe(b64.keyId);
    expect(() => parseKey('abcd', 'NETFLOW_SECRET_KEY')).toThrow('NETFLOW_SECRET_KEY must be 32 bytes as 64 hex digits or base64');
  });

  it('rotation: values sealed under the previous key still open; new ones use the new key', async () => {
    const old = secretBoxFromKeys(key);
    const sealed = old.seal('pw', 'ctx');
    const next = await loadSecretBox(
      { NETFLOW_SECRET_KEY: randomBytes(32).toString('hex'), NETFLOW_SECRET_KEY_PREVIOUS: key.toString('hex') },
      '/nonexistent',
    );
    expect(next.keyId).not.toBe(old.keyId);
    expect(next.open(sealed, old.keyId, 'ctx')).toBe('pw');
    expect(() => old.open(next.seal('pw', 'ctx'), next.keyId, 'ctx')).toThrow(SecretKeyError);
  });
});
