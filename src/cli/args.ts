// A small strict option parser. node:util parseArgs would do, but its messages are long and
// multi-line; an operator should get one line saying exactly which flag is wrong.

/** Bad command-line usage: printed as one line, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Flag name (without --) → whether it takes a value. */
export type OptionSpec = Readonly<Record<string, 'string' | 'boolean'>>;

export class Options {
  constructor(
    private readonly values: ReadonlyMap<string, string | true>,
    private readonly command: string,
    private readonly positionals: readonly string[] = [],
  ) {}

  /** The n-th bare argument (e.g. the ID in `session end ID`). */
  positional(n: number, name: string): string {
    const v = this.positionals[n];
    if (v === undefined) throw new UsageError(`${name} is required (see: netflow ${this.command} --help)`);
    return v;
  }

  /** The n-th bare argument when given (e.g. the optional NAME of `router status`). */
  optionalPositional(n: number): string | undefined {
    return this.positionals[n];
  }

  has(flag: string): boolean {
    return this.values.has(flag);
  }

  string(flag: string): string | undefined {
    const v = this.values.get(flag);
    return typeof v === 'string' ? v : undefined;
  }

  required(flag: string): string {
    const v = this.string(flag);
    if (v === undefined) throw new UsageError(`--${flag} is required (see: netflow ${this.command} --help)`);
    return v;
  }

  /**
   * A whole number as typed ("12", not "1e1" or "0x0c"); anything else becomes NaN, which the
   * admin operation then refuses with its own message about the allowed range.
   */
  integer(flag: string): number | undefined {
    const v = this.string(flag);
    if (v === undefined) return undefined;
    return /^[+-]?\d{1,15}$/.test(v.trim()) ? Number(v) : NaN;
  }

  requiredInteger(flag: string): number {
    this.required(flag);
    return this.integer(flag)!;
  }
}

/** Parses `--flag value`, `--flag=value` and boolean `--flag`; refuses anything else. */
export function parseOptions(tokens: readonly string[], spec: OptionSpec, command: string, maxPositionals = 0): Options {
  const values = new Map<string, string | true>();
  const positionals: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token === '-h') {
      values.set('help', true);
      continue;
    }
    if (!token.startsWith('--') && !token.startsWith('-') && positionals.length < maxPositionals) {
      positionals.push(token);
      continue;
    }
    if (!token.startsWith('--') || token === '--') throw new UsageError(`unexpected argument "${token}" for "netflow ${command}"`);
    const eq = token.indexOf('=');
    const flag = eq === -1 ? token.slice(2) : token.slice(2, eq);
    const kind = spec[flag];
    if (kind === undefined) throw new UsageError(`unknown option --${flag} for "netflow ${command}" (see: netflow ${command} --help)`);
    if (values.has(flag)) throw new UsageError(`--${flag} is given twice`);
    if (kind === 'boolean') {
      if (eq !== -1) throw new UsageError(`--${flag} takes no value`);
      values.set(flag, true);
      continue;
    }
    // "--name --ip 1.2.3.4" is a forgotten value, not a name; "--secret=-x" is still possible.
    const value = eq === -1 ? tokens[++i] : token.slice(eq + 1);
    if (value === undefined || (eq === -1 && value.startsWith('--'))) throw new UsageError(`--${flag} needs a value`);
    values.set(flag, value);
  }
  return new Options(values, command, positionals);
}

/** Input field name (camelCase, from an admin operation) → the flag an operator typed. */
export function flagFor(field: string): string {
  return '--' + field.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
}
