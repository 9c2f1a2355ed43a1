// prisma/functions/*.sql are the database functions' current source; the migrations carry copies.
// These fail when the migrated database defines a function otherwise than its file (run
// npm run db:migration -- <name> to write the migration that brings them level), when a function of
// NetFlow's has no file, and when a JSON record shape is declared differently in TypeScript and SQL.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNTING_RECORD_KEYS } from '../../src/aaa/accounting.js';
import { CODE_LOGIN_KEYS, MAC_LOGIN_KEYS } from '../../src/aaa/authorize.js';
import { functionDifferences, functionsWithoutFile, readFunctionFiles, type FunctionFile } from '../../src/db/functions.js';
import { createTestDatabaseUrl } from '../support/db.js';

describe('database functions', () => {
  let client: pg.Client;
  let files: FunctionFile[];
  beforeAll(async () => {
    client = new pg.Client({ connectionString: await createTestDatabaseUrl() });
    await client.connect();
    files = await readFunctionFiles();
  });
  afterAll(() => client.end());

  it('are defined by the migrations exactly as their files define them (pg_get_functiondef)', async () => {
    const differences = await functionDifferences(client, files);
    expect(differences.map((d) => `${d.file}: ${d.name}${d.current === null ? ' (not in the migrations)' : ''}`)).toEqual([]);
  });

  it('each have a file', async () => {
    expect(await functionsWithoutFile(client, files)).toEqual([]);
    expect(files.flatMap((f) => f.names)).toEqual(
      expect.arrayContaining(['netflow_record_accounting', 'netflow_decide_logins', 'netflow_authorize_requests', 'netflow_code_state']),
    );
  });

  it('would be noticed when a file changes', async () => {
    const edited = files.map((f) =>
      f.file !== 'code_state.sql' ? f : { ...f, sql: f.sql.replace("'revoked' THEN 'revoked'", "'revoked' THEN 'revoked!'") },
    );
    expect((await functionDifferences(client, edited)).map((d) => d.name)).toEqual(['netflow_code_state']);
    // … and nothing was left changed.
    expect(await functionDifferences(client, files)).toEqual([]);
  });
});

/** The column lists of `json_to_recordset(<parameter>) AS x(...)` in a function file. */
function recordsetColumns(sql: string, parameter: string): string[][] {
  const re = new RegExp(`json_to_recordset\\(${parameter}\\)\\s+AS\\s+\\w+\\(([^)]*)\\)`, 'g');
  return [...sql.matchAll(re)].map((m) => m[1].split(',').map((c) => c.trim().split(/\s+/)[0]));
}

describe('JSON records between TypeScript and SQL', () => {
  const cases = [
    { file: 'accounting.sql', parameter: 'p_batch', keys: ACCOUNTING_RECORD_KEYS },
    { file: 'logins.sql', parameter: 'p_logins', keys: CODE_LOGIN_KEYS },
    { file: 'logins.sql', parameter: 'p_macs', keys: MAC_LOGIN_KEYS },
  ];
  for (const c of cases) {
    it(`${c.file} reads ${c.parameter} with the keys TypeScript declares`, async () => {
      const sql = (await readFunctionFiles()).find((f) => f.file === c.file)!.sql;
      const lists = recordsetColumns(sql, c.parameter);
      expect(lists.length).toBeGreaterThan(0);
      // The full declaration, in the same order; other reads of the document take some of its keys.
      const full = lists.reduce((a, b) => (b.length > a.length ? b : a));
      expect(full).toEqual([...c.keys]);
      for (const list of lists) expect(c.keys).toEqual(expect.arrayContaining(list));
    });
  }

  it("the MAC login hands netflow_decide_logins a code login with the code login's keys", async () => {
    const sql = (await readFunctionFiles()).find((f) => f.file === 'logins.sql')!.sql;
    const built = /json_build_object\(([^)]*)\)/.exec(sql)![1];
    const keys = [...built.matchAll(/'(\w+)',/g)].map((m) => m[1]);
    expect(keys.length).toBeGreaterThan(3);
    expect(CODE_LOGIN_KEYS).toEqual(expect.arrayContaining(keys));
  });
});
