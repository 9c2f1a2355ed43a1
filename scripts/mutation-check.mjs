#!/usr/bin/env node
// A small mutation check for the rules about money and about ending sessions: for each mutant
// below, break that one rule in the source (patched in place, always restored), run only the test
// files that must notice, and report whether they did (killed) or not (survived).
//
//   npm run test:mutation                 every mutant
//   npm run test:mutation -- --list       the mutants, without running anything
//   npm run test:mutation -- --only a,b   some of them (ids as listed)
//   npm run test:mutation -- --no-baseline   skip the first, unmutated run of the test files
//
// Exits non-zero when a mutant survives, when its snippet is no longer in its file (the code
// moved or changed: update that mutant), or when the unmutated tests already fail.
// Refuses to start when a file it would patch has uncommitted changes, so a restore can never
// lose work. One PostgreSQL (embedded, in a temp dir) serves every run, unless TEST_DATABASE_URL
// names a server.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Each mutant: the file, an exact snippet that must occur in it once, what replaces it, the test
 * files that must kill it (optionally only the tests whose names match `grep`), and what it breaks.
 */
export const MUTANTS = [
  // Payments: money is granted once, in the right currency, to a callback we can trust.
  {
    id: 'paid-only-once',
    file: 'src/payments/settle.ts',
    original: "if (p.status === 'paid') {",
    replacement: 'if (false) {',
    tests: ['test/payments/callbacks.test.ts'],
    grep: 'eight times',
    description: 'a repeated success after "paid" grants another access code',
  },
  {
    id: 'currency-mismatch-ignored',
    file: 'src/payments/settle.ts',
    original: 'const wrongCurrency = v.currency !== undefined && v.currency !== p.currency;',
    replacement: 'const wrongCurrency = false;',
    tests: ['test/payments/callbacks.test.ts'],
    grep: 'another currency',
    description: 'a success with the right amount in another currency grants access',
  },
  {
    id: 'callback-token-missing-allowed',
    file: 'src/payments/callbacks.ts',
    original: "if (!provider.signedCallbacks && !byToken && !tokenless) return reject('callback URL token missing');",
    replacement: '',
    tests: ['test/payments/callbacks.test.ts'],
    grep: 'no URL token',
    description: "an unsigned provider's callback without the payment's URL token is acted on",
  },
  {
    id: 'sandbox-auto-beside-live',
    file: 'src/payments/registry.ts',
    original: "return mode === 'on' || (mode === 'auto' && live.length === 0);",
    replacement: "return mode !== 'off';",
    tests: ['test/payments/registry.test.ts'],
    description: 'PAYMENTS_SANDBOX=auto runs the sandbox although live credentials are configured',
  },
  {
    id: 'sandbox-on-with-live-starts',
    file: 'src/app/payments.ts',
    original: "if (config.paymentsSandbox === 'on' && live.length > 0) {",
    replacement: 'if (false) {',
    tests: ['test/payments/registry.test.ts'],
    description: 'PAYMENTS_SANDBOX=on with live credentials starts instead of refusing',
  },
  {
    id: 'sandbox-fakes-beside-live',
    file: 'src/app/payments.ts',
    original: 'combine(live, wantSandbox ? sandboxProviders(selfUrl) : [])',
    replacement: 'combine(live, sandboxProviders(selfUrl))',
    tests: ['test/payments/registry.test.ts'],
    description: 'the sandbox fakes are offered beside live providers',
  },
  {
    id: 'sandbox-fake-shadows-live',
    file: 'src/payments/registry.ts',
    original: 'fakes.filter((f) => !ids.has(f.id))',
    replacement: 'fakes',
    tests: ['test/payments/registry.test.ts'],
    description: "a provider's sandbox fake replaces its live adapter",
  },
  {
    id: 'daraja-password-formula',
    file: 'src/payments/providers/daraja.ts',
    original: 'Buffer.from(shortcode + passkey + timestamp)',
    replacement: 'Buffer.from(passkey + shortcode + timestamp)',
    tests: ['test/payments/daraja.test.ts'],
    description: 'the STK Password is not base64(BusinessShortCode + Passkey + Timestamp)',
  },
  {
    id: 'daraja-timestamp-utc',
    file: 'src/payments/providers/daraja.ts',
    original: 'new Date(at.getTime() + 3 * 3600_000)',
    replacement: 'new Date(at.getTime())',
    tests: ['test/payments/daraja.test.ts'],
    description: "the STK Timestamp is UTC instead of Kenya's time",
  },
  // Enforcement: what a CoA says, and how Disconnects are retried.
  {
    id: 'coa-timeout-from-now',
    file: 'src/enforce/coa-control.ts',
    original: '(limits.expiresAt.getTime() - session.startedAt.getTime()) / 1000',
    replacement: '(limits.expiresAt.getTime() - Date.now()) / 1000',
    tests: ['test/enforce/deliver.test.ts'],
    description: "the CoA's Session-Timeout counts from now, not from the session's start",
  },
  {
    id: 'coa-timeout-uncapped',
    file: 'src/enforce/coa-control.ts',
    original: 'Math.min(Math.max(uptimeAtExpiry, 1), MAX_SESSION_TIMEOUT)',
    replacement: 'Math.max(uptimeAtExpiry, 1)',
    tests: ['test/enforce/deliver.test.ts'],
    grep: 'Session-Timeout',
    description: "the CoA's Session-Timeout goes past RouterOS's 21,474,720 s",
  },
  {
    id: 'coa-timeout-ceil',
    file: 'src/enforce/coa-control.ts',
    original: 'Math.floor((limits.expiresAt.getTime()',
    replacement: 'Math.ceil((limits.expiresAt.getTime()',
    tests: ['test/enforce/deliver.test.ts'],
    grep: 'Session-Timeout',
    description: "the CoA's Session-Timeout is rounded up (the router cuts late)",
  },
  {
    id: 'accept-timeout-uncapped',
    file: 'src/aaa/reply.ts',
    original: 'Math.min(Math.max(grant.secondsLeft, 1), MAX_SESSION_TIMEOUT)',
    replacement: 'Math.max(grant.secondsLeft, 1)',
    tests: ['test/aaa/reply.test.ts'],
    description: "the Access-Accept's Session-Timeout goes past 21,474,720 s",
  },
  {
    id: 'change-package-from-now',
    file: 'src/entitlements/change.ts',
    original: 'new Date(ent.startsAt.getTime() + pkg.minutes * 60_000)',
    replacement: 'new Date(Date.now() + pkg.minutes * 60_000)',
    tests: ['test/enforce/deliver.test.ts'],
    grep: 'change-package',
    description: "session change-package counts the new package's time from now, not from the code's start",
  },
  {
    id: 'disconnect-gives-up-late',
    file: 'src/enforce/deliver.ts',
    original: 'if (action.attempts >= policy.maxAttempts)',
    replacement: 'if (action.attempts > policy.maxAttempts)',
    tests: ['test/enforce/deliver.test.ts'],
    grep: 'retr',
    description: 'a Disconnect is attempted once more than allowed before giving up',
  },
  {
    id: 'disconnect-max-attempts',
    file: 'src/enforce/deliver.ts',
    original: 'maxAttempts: 20,',
    replacement: 'maxAttempts: 30,',
    tests: ['test/enforce/deliver.test.ts'],
    grep: 'retr',
    description: 'the enforcer gives up after another number of attempts than 20',
  },
  {
    id: 'disconnect-backoff-linear',
    file: 'src/enforce/deliver.ts',
    original: 'policy.baseDelaySeconds * 2 ** Math.max(attempts - 1, 0)',
    replacement: 'policy.baseDelaySeconds * Math.max(attempts, 1)',
    tests: ['test/enforce/deliver.test.ts'],
    grep: 'retr',
    description: 'the wait between Disconnect attempts grows linearly, not by doubling',
  },
  {
    id: 'disconnect-backoff-uncapped',
    file: 'src/enforce/deliver.ts',
    original: 'return Math.min(policy.baseDelaySeconds * 2 ** Math.max(attempts - 1, 0), policy.maxDelaySeconds);',
    replacement: 'return policy.baseDelaySeconds * 2 ** Math.max(attempts - 1, 0);',
    tests: ['test/enforce/deliver.test.ts'],
    grep: 'retr',
    description: 'the wait between Disconnect attempts grows past 10 minutes',
  },
  {
    id: 'retransmit-wait-constant',
    file: 'src/radius/dynamic-client.ts',
    original: 'wait *= 2;',
    replacement: 'wait *= 1;',
    tests: ['test/enforce/deliver.test.ts'],
    grep: 'retransmissions',
    description: 'the wait for a reply does not double after each retransmission',
  },
  // RADIUS: duplicate detection must not answer a new request with an old reply.
  {
    id: 'duplicate-key-without-authenticator',
    file: 'src/radius/duplicate-cache.ts',
    original: "return `${address}|${port}|${code}|${identifier}|${authenticator.toString('latin1')}`;",
    replacement: 'return `${address}|${port}|${code}|${identifier}`;',
    tests: ['test/radius/server.test.ts'],
    grep: 'reuses an Identifier',
    description: 'a new request reusing an Identifier within 10 s gets the earlier reply',
  },
];

const PER_RUN_TIMEOUT_MS = 180_000;

function parseArgs(argv) {
  const args = { list: false, only: null, baseline: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--list') args.list = true;
    else if (a === '--no-baseline') args.baseline = false;
    else if (a === '--only') args.only = (argv[++i] ?? '').split(',').filter(Boolean);
    else if (a.startsWith('--only=')) args.only = a.slice(7).split(',').filter(Boolean);
    else throw new Error(`unknown argument ${a} (use --list, --only id,id, --no-baseline)`);
  }
  return args;
}

const stripAnsi = (s) => s.replace(/\u001b\[[0-9;]*m/g, '');
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

/** Runs vitest on the files; resolves with its exit status, output and duration. */
function runVitest(files, grep, env) {
  const args = [path.join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--bail=1', ...(grep ? ['-t', grep] : []), ...files];
  return new Promise((resolve) => {
    const started = Date.now();
    // Its own process group, so that a timeout or Ctrl-C ends vitest's workers too.
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, ...env, FORCE_COLOR: '0', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child);
    }, PER_RUN_TIMEOUT_MS);
    current = child;
    child.on('close', (code) => {
      clearTimeout(timer);
      current = null;
      // Interrupted: the signal handler restores, cleans up and exits; nothing to report.
      if (interrupted) return;
      resolve({ code: code ?? 1, timedOut, output: stripAnsi(output), ms: Date.now() - started });
    });
  });
}

/** The first failed test's name, from vitest's default reporter output. */
function firstFailure(output) {
  const line = output.split('\n').find((l) => /^\s*(FAIL|×)\s/.test(l));
  return line ? line.trim().replace(/^(FAIL|×)\s+/, '') : null;
}

/** What is running or patched right now, for the signal handlers. */
let current = null;
let restore = null;
let database = null;
let interrupted = false;

function killGroup(child) {
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const ids = new Set(MUTANTS.map((m) => m.id));
  if (ids.size !== MUTANTS.length) throw new Error('two mutants share an id');
  const unknown = (args.only ?? []).filter((id) => !ids.has(id));
  if (unknown.length) throw new Error(`no mutant ${unknown.join(', ')} (see --list)`);
  const chosen = args.only ? MUTANTS.filter((m) => args.only.includes(m.id)) : MUTANTS;

  if (args.list) {
    for (const m of chosen)
      console.log(
        `${m.id.padEnd(38)} ${m.file}\n${''.padEnd(38)} ${m.description}\n${''.padEnd(38)} killed by ${m.tests.join(' ')}${m.grep ? ` -t "${m.grep}"` : ''}`,
      );
    return 0;
  }

  // Never patch over uncommitted work: the restore writes back what was read, nothing else.
  const files = [...new Set(chosen.map((m) => m.file))];
  const dirty = execFileSync('git', ['status', '--porcelain', '--', ...files], { cwd: ROOT, encoding: 'utf8' }).trim();
  if (dirty) {
    console.error(`mutation check: these files have uncommitted changes; commit or stash them first:\n${dirty}`);
    return 2;
  }

  // Each snippet must be there exactly once; otherwise that mutant needs updating.
  const missing = [];
  const runnable = [];
  for (const m of chosen) {
    const text = await readFile(path.join(ROOT, m.file), 'utf8');
    const count = text.split(m.original).length - 1;
    if (count === 1) runnable.push(m);
    else missing.push({ m, why: count === 0 ? 'snippet not found' : `snippet found ${count} times` });
  }

  // One server and one migrated template for every run: vitest's global setup (test/support/
  // global-setup.ts) takes the template as is, instead of starting and migrating its own each time.
  const env = {};
  if (runnable.length > 0) {
    const { tsImport } = await import('tsx/esm/api');
    if (!process.env.TEST_DATABASE_URL) {
      const { startEmbeddedPostgres } = await tsImport('../src/db/embedded-postgres.ts', import.meta.url);
      const dataDir = await mkdtemp(path.join(tmpdir(), 'netflow-mutation-'));
      database = { embedded: null, dataDir };
      database.embedded = await startEmbeddedPostgres(dataDir, () => {});
      process.env.TEST_DATABASE_URL = database.embedded.url;
    }
    const globalSetup = await tsImport('../test/support/global-setup.ts', import.meta.url);
    await globalSetup.setup({ provide: (key, value) => key === 'templateDatabaseUrl' && (env.TEST_TEMPLATE_DATABASE_URL = value) });
    if (!env.TEST_TEMPLATE_DATABASE_URL) throw new Error('test/support/global-setup.ts provided no templateDatabaseUrl');
  }

  const results = [];
  const started = Date.now();
  try {
    if (args.baseline && runnable.length > 0) {
      // The very tests the mutants run must pass unmutated (else they would "kill" anything):
      // whole files where some mutant runs the whole file, the named tests of the others.
      const whole = [...new Set(runnable.filter((m) => !m.grep).flatMap((m) => m.tests))];
      const named = runnable.filter((m) => m.grep && m.tests.some((t) => !whole.includes(t)));
      const runs = [];
      if (whole.length) runs.push([whole, null]);
      if (named.length)
        runs.push([
          [...new Set(named.flatMap((m) => m.tests))].filter((t) => !whole.includes(t)),
          [...new Set(named.map((m) => m.grep))].join('|'),
        ]);
      for (const [testFiles, grep] of runs) {
        const base = await runVitest(testFiles, grep, env);
        console.log(
          `baseline (no mutant): ${base.code === 0 ? 'green' : 'FAILING'} in ${seconds(base.ms)} — ${testFiles.join(' ')}${grep ? ` -t "${grep}"` : ''}`,
        );
        if (base.code !== 0) {
          console.error(base.output.split('\n').slice(-60).join('\n'));
          console.error('mutation check: the tests fail without any mutant; fix them first (a failing test would "kill" every mutant)');
          return 1;
        }
      }
    }
    for (const m of runnable) {
      const file = path.join(ROOT, m.file);
      const original = await readFile(file, 'utf8');
      restore = () => writeFile(file, original);
      let run;
      try {
        await writeFile(
          file,
          original.replace(m.original, () => m.replacement),
        );
        run = await runVitest(m.tests, m.grep, env);
      } finally {
        await restore();
        restore = null;
      }
      const killed = run.code !== 0;
      const by = killed ? (run.timedOut ? 'timed out' : (firstFailure(run.output) ?? `exit ${run.code}`)) : null;
      results.push({ m, status: killed ? 'killed' : 'SURVIVED', ms: run.ms, by });
      console.log(
        `${killed ? 'killed  ' : 'SURVIVED'} ${m.id.padEnd(38)} ${seconds(run.ms).padStart(7)}  ${killed ? `by ${by}` : `— ${m.description}; ${m.tests.join(' ')} did not notice`}`,
      );
    }
  } finally {
    await stopDatabase();
  }

  for (const { m, why } of missing) {
    console.log(
      `STALE    ${m.id.padEnd(38)} ${why} in ${m.file}: update this mutant in scripts/mutation-check.mjs (the code it breaks moved or changed)`,
    );
  }
  const survived = results.filter((r) => r.status === 'SURVIVED');
  const killed = results.length - survived.length;
  console.log(
    `\n${killed} killed, ${survived.length} survived, ${missing.length} stale, of ${chosen.length} mutants in ${seconds(Date.now() - started)}`,
  );
  return survived.length > 0 || missing.length > 0 ? 1 : 0;
}

async function stopDatabase() {
  const db = database;
  database = null;
  if (!db) return;
  await db.embedded?.stop().catch(() => {});
  await rm(db.dataDir, { recursive: true, force: true });
}

// Ctrl-C or a kill mid-run: put the source back (first), then stop what we started.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, async () => {
    interrupted = true;
    if (current) killGroup(current);
    if (restore) await restore();
    await stopDatabase();
    process.exit(130);
  });
}

main().then(
  (code) => process.exit(code),
  async (err) => {
    if (restore) await restore();
    await stopDatabase();
    console.error(`mutation check: ${err.message}`);
    process.exit(2);
  },
);
