// Runs the CLI in-process against a test database and captures what it prints.
import { main } from '../../src/cli/main.js';
import { openDatabase, type Database } from '../../src/db/database.js';
import { createTestDatabaseUrl } from '../support/db.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export type RunCli = (...argv: string[]) => Promise<CliResult>;

export function cliFor(env: NodeJS.ProcessEnv): RunCli {
  return async (...argv) => {
    let stdout = '';
    let stderr = '';
    const code = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), env });
    return { code, stdout, stderr };
  };
}

/** A fresh database, a CLI pointed at it, and a handle to look at the rows it writes. */
export async function cliWithDatabase(): Promise<{ cli: RunCli; db: Database; url: string }> {
  const url = await createTestDatabaseUrl();
  const db = await openDatabase({ databaseUrl: url, dataDir: 'unused' });
  return { cli: cliFor({ DATABASE_URL: url }), db, url };
}

/** Asserts the usage/input error shape: exit 2, one line on stderr, nothing on stdout. */
export function expectOneLineError(r: CliResult, code = 2): string {
  if (r.code !== code || r.stdout !== '' || r.stderr.split('\n').length !== 2 || !r.stderr.startsWith('netflow: ')) {
    throw new Error(`expected exit ${code} with one stderr line, got ${JSON.stringify(r)}`);
  }
  return r.stderr.trimEnd();
}
