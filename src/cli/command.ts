// The shape of one `netflow` subcommand: its flags, and the database step it returns once they
// check out. Kept apart from the command table (commands.ts) so that groups of commands in files of
// their own (radsec-commands.ts) can use it without importing the table that lists them.
import type { Config } from '../config/config.js';
import type { PrismaClient } from '../db/generated/client.js';
import type { SecretBox } from '../routers/secret-box.js';
import type { OptionSpec, Options } from './args.js';

export interface Output {
  /** What --json prints. */
  data: unknown;
  /** What people see on stdout. */
  text: string;
  /** A line for stderr that would spoil piping stdout (e.g. next to a list of codes). */
  note?: string;
}

/** The database half of a command, returned once its flags have been checked. */
export type Step = (prisma: PrismaClient) => Promise<Output>;

export interface Command {
  name: string;
  usage: string;
  summary: string;
  options: OptionSpec;
  /** Bare arguments the command takes (e.g. 1 for `session end ID`). */
  positionals?: number;
  /** Input fields given as bare arguments → their name in the usage, for error messages (id → ID). */
  positionalFields?: Readonly<Record<string, string>>;
  /**
   * Reads and checks the flags, then returns the step that needs the database. Checking first
   * means a typo is reported at once, without waiting for (or starting) PostgreSQL.
   */
  prepare(opts: Options, defaults: CommandDefaults): Step;
}

/** Settings from the environment that commands fall back on. */
export interface CommandDefaults {
  /** COA_PORT: where routers added without --coa-port listen for Disconnect/CoA. */
  coaPort: number;
  /** RADSEC_DIR (default DATA_DIR/radsec): NetFlow's RadSec CA and the routers' certificates. */
  radsecDir: string;
  /** The whole configuration (PUBLIC_URL, RADIUS ports, provider credentials), for `router script`. */
  config: Config;
  /** Seals and opens router API passwords (NETFLOW_SECRET_KEY or the key file under DATA_DIR). */
  secretBox: () => Promise<SecretBox>;
}
