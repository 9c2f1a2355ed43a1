// The container files, read (no Docker engine in CI): what the image must leave out, that it runs
// as a non-root user with a health check, and that compose says how test money is turned off.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (file: string) => readFileSync(new URL(`../${file}`, import.meta.url), 'utf8');

describe('Docker files', () => {
  it('.dockerignore keeps dependencies, builds, local data with its password file, benchmarks and git out', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', 'data', '.bench', '.git', 'src/db/generated']));
  });

  it('the image builds dist/, runs as a non-root user and checks /healthz', () => {
    const lines = read('Dockerfile').split('\n');
    const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
    expect(at(/^RUN npm run build/)).toBeGreaterThan(at(/^COPY \. \./));
    expect(lines[at(/^USER /)]).toMatch(/^USER (node|\d+)$/);
    expect(at(/^USER /)).toBeLessThan(at(/^CMD /));
    expect(lines.slice(at(/^HEALTHCHECK /)).join('\n')).toContain('/healthz');
  });

  it('compose sets PAYMENTS_SANDBOX and says how to turn test money off', () => {
    const compose = read('docker-compose.yml');
    expect(compose).toMatch(/^\s+PAYMENTS_SANDBOX: \$\{PAYMENTS_SANDBOX:-auto\}$/m);
    expect(compose).toContain('PAYMENTS_SANDBOX=off');
  });
});
