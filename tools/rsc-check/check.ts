// A RouterOS script syntax checker for the scripts NetFlow generates. There is no RouterOS here, so
// this checks what can be checked from the scripting manual (https://help.mikrotik.com/docs/display/ROS/Scripting,
// and for line joining and escapes https://wiki.mikrotik.com/index.php?title=Manual:Scripting):
//   - physical → logical lines: a backslash at the end of a line joins it to the next; it cannot end
//     a comment; anywhere else outside a string it is illegal. Inside a string a continued line must
//     not start with whitespace (whether RouterOS keeps it is not documented; `\_` is a space);
//   - pasting: no ? outside strings (not even in comments: the terminal opens its help) and no tabs
//     (the terminal completes words);
//   - string literals: only the documented escapes (\" \\ \n \r \t \$ \? \_ \a \b \f \v \XX with
//     upper-case hex); an unescaped `?` (the terminal's help key) is refused; an unescaped `$` reads a variable;
//   - brackets: [command], {block}, (expression) balanced and properly nested;
//   - every command is a known menu path and verb with known argument names (commands.ts);
//     `[find …]` inside a command runs in that command's menu; find filters name known properties;
//     `find where …` and `( … )` are expressions: operands joined by operators;
//   - variables: every `$name` read is defined (:local, :foreach) in an enclosing scope, and a
//     :local defined at the top level is never read on a later logical line (pasted into a terminal
//     each line is a script of its own, so the variable is gone by then).
// It does not run anything: values (addresses, ports) are checked by the generator's own tests.
import { MENUS, type MenuSpec, SCRIPT_COMMANDS } from './commands.js';

export interface RscProblem {
  line: number;
  message: string;
}

export interface RscCommand {
  /** Physical line the command starts on (1-based) and its logical line (0-based). */
  line: number;
  logicalLine: number;
  /** "radius add", ":foreach", "file add"… */
  name: string;
  /** Named arguments as written: the decoded string for a string literal, else the raw text. */
  args: Map<string, string>;
  /** Inside a block ({…}) or a [command]. */
  nested: boolean;
}

export interface RscReport {
  problems: RscProblem[];
  commands: RscCommand[];
  /** Logical lines with at least one command. */
  logicalLines: number;
}

type TokenKind = 'word' | 'string' | '[' | ']' | '{' | '}' | '(' | ')' | ';' | 'eol';

interface Token {
  kind: TokenKind;
  text: string;
  /** Decoded value of a string literal. */
  value?: string;
  /** Variables a string literal reads through an unescaped `$`. */
  reads?: string[];
  line: number;
  logical: number;
  /** No whitespace between this token and the previous one (`name=` + `"value"`). */
  glued: boolean;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  n: '\n',
  r: '\r',
  t: '\t',
  $: '$',
  '?': '?',
  _: ' ',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
};

/** Splits the script into tokens; a newline outside brackets and blocks ends a logical line. */
function tokenize(source: string, problems: RscProblem[]): Token[] {
  const tokens: Token[] = [];
  const depth: string[] = [];
  let line = 1;
  let logical = 0;
  let i = 0;
  let glued = false;
  const problem = (message: string) => problems.push({ line, message });
  const push = (kind: TokenKind, text: string, extra: Partial<Token> = {}) => {
    tokens.push({ kind, text, line, logical, glued, ...extra });
    glued = true;
  };
  while (i < source.length) {
    const c = source[i];
    if (c === '\r') {
      i++;
      continue;
    }
    if (c === '\n') {
      line++;
      i++;
      glued = false;
      if (depth.length > 0) {
        if (depth.at(-1) === '{') push(';', '\n');
        else problem(`a line ends inside "${depth.at(-1)}" without a continuing backslash`);
        glued = false;
        continue;
      }
      if (tokens.length > 0 && tokens.at(-1)!.kind !== 'eol') {
        push('eol', '\n');
        logical++;
      }
      glued = false;
      continue;
    }
    if (c === ' ' || c === '\t') {
      if (c === '\t') problem('a tab (pasted into the terminal, a tab completes the word instead)');
      i++;
      glued = false;
      continue;
    }
    if (c === '\\') {
      if (source[i + 1] === '\n' || (source[i + 1] === '\r' && source[i + 2] === '\n')) {
        i += source[i + 1] === '\n' ? 2 : 3;
        line++;
        glued = false;
        continue;
      }
      problem('a backslash outside a string is only allowed at the end of a line');
      i++;
      continue;
    }
    if (c === '#' && !glued) {
      const end = source.indexOf('\n', i);
      const text = source.slice(i, end === -1 ? undefined : end).replace(/\r$/, '');
      if (text.endsWith('\\')) problem('a comment cannot be continued with a backslash');
      if (text.includes('?')) problem('a ? in a comment (pasted into the terminal, ? opens its help)');
      if (depth.length > 0 && depth.at(-1) !== '{') problem(`a comment inside "${depth.at(-1)}"`);
      i += text.length;
      continue;
    }
    if (c === '"') {
      const start = line;
      let value = '';
      const reads: string[] = [];
      i++;
      let closed = false;
      while (i < source.length) {
        const s = source[i];
        if (s === '"') {
          closed = true;
          i++;
          break;
        }
        if (s === '\n') {
          problem('a string runs past the end of its line (continue it with a backslash)');
          break;
        }
        if (s === '\\') {
          const n = source[i + 1];
          if (n === '\n' || (n === '\r' && source[i + 2] === '\n')) {
            i += n === '\n' ? 2 : 3;
            line++;
            if (source[i] === ' ' || source[i] === '\t') problem('a continued string line starts with whitespace (write \\_ for a space)');
            continue;
          }
          const hex = source.slice(i + 1, i + 3);
          if (/^[0-9A-F]{2}$/.test(hex)) {
            value += String.fromCharCode(parseInt(hex, 16));
            i += 3;
            continue;
          }
          if (n !== undefined && n in SIMPLE_ESCAPES) {
            value += SIMPLE_ESCAPES[n];
            i += 2;
            continue;
          }
          problem(`unknown escape \\${n ?? ''} in a string`);
          i += 2;
          continue;
        }
        if (s === '?') problem('an unescaped ? in a string (the terminal shows help instead): write \\?');
        if (s === '$') {
          const m = /^\$([A-Za-z][\w-]*)/.exec(source.slice(i));
          if (m) reads.push(m[1]);
          else problem('an unescaped $ in a string that names no variable: write \\$');
        }
        value += s;
        i++;
      }
      if (!closed) problem('a string is not closed');
      tokens.push({ kind: 'string', text: '"…"', value, reads, line: start, logical, glued });
      glued = true;
      continue;
    }
    if (c === '[' || c === '{' || c === '(') {
      depth.push(c);
      push(c, c);
      glued = true;
      i++;
      continue;
    }
    if (c === ']' || c === '}' || c === ')') {
      const open = { ']': '[', '}': '{', ')': '(' }[c];
      if (depth.at(-1) !== open) problem(`"${c}" does not close "${depth.at(-1) ?? 'anything'}"`);
      else depth.pop();
      push(c, c);
      i++;
      continue;
    }
    if (c === ';') {
      push(';', ';');
      glued = false;
      i++;
      continue;
    }
    let j = i;
    while (j < source.length && !/[\s"[\]{}();\\]/.test(source[j])) j++;
    if (source.slice(i, j).includes('?')) problem('a ? outside a string (the terminal shows help instead)');
    push('word', source.slice(i, j));
    i = j;
  }
  if (depth.length > 0) problem(`"${depth.join('')}" is not closed at the end of the script`);
  return tokens;
}

interface Scope {
  vars: Map<string, number>;
  parent: Scope | null;
  /** The top-level scope (:local there lives for one logical line). */
  top: boolean;
}

class Parser {
  private pos = 0;
  readonly commands: RscCommand[] = [];

  constructor(
    private readonly tokens: Token[],
    private readonly problems: RscProblem[],
  ) {}

  private peek(offset = 0): Token | undefined {
    return this.tokens[this.pos + offset];
  }

  private next(): Token | undefined {
    return this.tokens[this.pos++];
  }

  private problem(t: Token | undefined, message: string): void {
    this.problems.push({ line: t?.line ?? this.tokens.at(-1)?.line ?? 0, message });
  }

  private atEnd(closers: TokenKind[]): boolean {
    const t = this.peek();
    return t === undefined || t.kind === ';' || t.kind === 'eol' || closers.includes(t.kind);
  }

  /** The whole script: statements separated by ; and logical lines. */
  script(): void {
    const top: Scope = { vars: new Map(), parent: null, top: true };
    while (this.peek()) {
      const t = this.peek()!;
      if (t.kind === ';' || t.kind === 'eol') {
        this.pos++;
        continue;
      }
      this.statement(top, [], false, []);
      if (!this.atEnd([])) this.problem(this.peek(), `unexpected "${this.peek()!.text}" after a command`);
      while (this.peek() && !this.atEnd([])) this.pos++;
    }
  }

  private block(parent: Scope): void {
    const scope: Scope = { vars: new Map(), parent, top: false };
    while (this.peek() && this.peek()!.kind !== '}') {
      const t = this.peek()!;
      if (t.kind === ';' || t.kind === 'eol') {
        this.pos++;
        continue;
      }
      this.statement(scope, [], true, ['}']);
      if (!this.atEnd(['}'])) {
        this.problem(this.peek(), `unexpected "${this.peek()!.text}" in a block`);
        while (this.peek() && !this.atEnd(['}'])) this.pos++;
      }
    }
    if (this.next()?.kind !== '}') this.problem(this.peek(), 'a block is not closed');
  }

  private read(name: string, t: Token, scope: Scope): void {
    for (let s: Scope | null = scope; s; s = s.parent) {
      const at = s.vars.get(name);
      if (at === undefined) continue;
      if (s.top && at !== t.logical)
        this.problem(t, `$${name} is a top-level :local from an earlier line: pasted, it no longer exists here`);
      return;
    }
    this.problem(t, `$${name} is read but never defined`);
  }

  /** One command: /menu… verb args, a bare verb in the enclosing menu, or a :command. */
  private statement(scope: Scope, menu: string[], nested: boolean, closers: TokenKind[]): void {
    const first = this.next()!;
    // A bare {…} block: its :local variables live until its closing brace, even across lines.
    if (first.kind === '{') return this.block(scope);
    if (first.kind !== 'word') {
      this.problem(first, `a command must start with a word, not "${first.text}"`);
      return;
    }
    if (first.text.startsWith(':')) return this.scriptCommand(first, scope, nested, closers);
    let path = menu;
    let verbToken: Token | undefined = first;
    if (first.text.startsWith('/')) {
      path = first.text.split('/').filter(Boolean);
      verbToken = undefined;
      while (this.peek()?.kind === 'word' && !this.peek()!.text.includes('=')) {
        const w = this.next()!;
        const longer = [...path, w.text].join(' ');
        const isMenu = Object.keys(MENUS).some((m) => m === longer || m.startsWith(`${longer} `));
        if (MENUS[path.join(' ')]?.verbs.includes(w.text as never) || !isMenu) {
          verbToken = w;
          break;
        }
        path = [...path, w.text];
      }
    }
    const menuName = path.join(' ');
    const spec = MENUS[menuName];
    if (!spec) {
      this.problem(first, `unknown menu /${menuName}`);
      return this.skip(closers);
    }
    if (!verbToken || !spec.verbs.includes(verbToken.text as never)) {
      this.problem(verbToken ?? first, `/${menuName} has no command "${verbToken?.text ?? ''}"`);
      return this.skip(closers);
    }
    const verb = verbToken.text;
    const command: RscCommand = { line: first.line, logicalLine: first.logical, name: `${menuName} ${verb}`, args: new Map(), nested };
    this.commands.push(command);
    if (verb === 'find') return this.findArgs(spec, path, scope, closers, command);
    if (verb === 'get') {
      this.value(scope, path, closers, 'an item');
      const prop = this.next();
      if (prop?.kind !== 'word' || !spec.properties.includes(prop.text)) {
        this.problem(prop ?? first, `/${menuName} get: unknown property "${prop?.text ?? ''}"`);
      }
      return;
    }
    // remove / set / monitor take an item first (set on a single-item menu does not).
    if (verb === 'remove' || verb === 'monitor' || (verb === 'set' && !spec.single)) {
      if (this.atEnd(closers)) this.problem(first, `/${menuName} ${verb} needs an item`);
      else if (!this.peek()!.text.includes('=')) this.value(scope, path, closers, 'an item');
    }
    if (verb === 'remove' && !this.atEnd(closers)) this.problem(this.peek(), `/${menuName} remove takes only an item`);
    while (!this.atEnd(closers)) {
      const arg = this.next()!;
      const eq = arg.kind === 'word' ? arg.text.indexOf('=') : -1;
      if (eq <= 0) {
        this.problem(arg, `/${menuName} ${verb}: expected name=value, got "${arg.text}"`);
        continue;
      }
      const name = arg.text.slice(0, eq);
      const allowed = verb === 'add' ? [...spec.properties, ...(spec.addOnly ?? [])] : spec.properties;
      if (!allowed.includes(name) || name === 'dynamic' || name === '.id')
        this.problem(arg, `/${menuName} ${verb}: unknown argument ${name}`);
      if (command.args.has(name)) this.problem(arg, `/${menuName} ${verb}: ${name} given twice`);
      command.args.set(name, this.argValue(arg, eq, scope, path, closers));
    }
  }

  /** The value after name=: the rest of the word, or the glued string, [command] or (expression). */
  private argValue(arg: Token, eq: number, scope: Scope, path: string[], closers: TokenKind[]): string {
    const inline = arg.text.slice(eq + 1);
    if (inline !== '') {
      if (inline.startsWith('$')) this.read(inline.slice(1), arg, scope);
      return inline;
    }
    const v = this.peek();
    if (!v?.glued || v.kind === ';' || v.kind === 'eol' || closers.includes(v.kind)) {
      this.problem(arg, `${arg.text} has no value`);
      return '';
    }
    return this.value(scope, path, closers, 'a value');
  }

  /** One operand: word, $variable, string, [command], (expression) or {block}. Returns its text. */
  private value(scope: Scope, path: string[], closers: TokenKind[], what: string): string {
    const t = this.next();
    if (!t || t.kind === ';' || t.kind === 'eol' || closers.includes(t.kind)) {
      this.problem(t, `expected ${what}`);
      if (t) this.pos--;
      return '';
    }
    if (t.kind === 'string') {
      for (const name of t.reads ?? []) this.read(name, t, scope);
      return t.value ?? '';
    }
    if (t.kind === 'word') {
      if (t.text.startsWith('$')) this.read(t.text.slice(1), t, scope);
      return t.text;
    }
    if (t.kind === '[') {
      this.statement(scope, path, true, [']']);
      if (this.next()?.kind !== ']') this.problem(t, 'a [command] is not closed');
      return '[…]';
    }
    if (t.kind === '(') {
      this.expression(scope, path, [')']);
      if (this.next()?.kind !== ')') this.problem(t, 'an (expression) is not closed');
      return '(…)';
    }
    if (t.kind === '{') {
      this.block(scope);
      return '{…}';
    }
    this.problem(t, `unexpected "${t.text}"`);
    return '';
  }

  private static readonly OPERATORS = new Set([
    '.',
    '=',
    '!=',
    '<',
    '>',
    '<=',
    '>=',
    '&&',
    '||',
    'and',
    'or',
    '+',
    '-',
    '*',
    '/',
    'in',
    '~',
  ]);

  /** operand (operator operand)*, an operand optionally preceded by ! or not. */
  private expression(scope: Scope, path: string[], closers: TokenKind[]): void {
    for (;;) {
      let t = this.peek();
      while (t?.kind === 'word' && (t.text === '!' || t.text === 'not')) {
        this.pos++;
        t = this.peek();
      }
      if (t?.kind === 'word' && t.text.startsWith('!') && t.text.length > 1) {
        // !dynamic: a negated property in a find where clause.
        this.pos++;
      } else if (t?.kind === 'word' && /^[a-z][\w.-]*=/.test(t.text)) {
        // comment="x" in a where clause: a comparison written as one word and a glued value.
        this.pos++;
        if (t.text.endsWith('=')) this.argValue(t, t.text.length - 1, scope, path, closers);
      } else {
        this.value(scope, path, closers, 'an operand');
      }
      const op = this.peek();
      if (op?.kind !== 'word' || !Parser.OPERATORS.has(op.text)) return;
      this.pos++;
    }
  }

  /** find prop=value … | find where expression. */
  private findArgs(spec: MenuSpec, path: string[], scope: Scope, closers: TokenKind[], command: RscCommand): void {
    if (this.peek()?.kind === 'word' && this.peek()!.text === 'where') {
      this.pos++;
      const start = this.pos;
      this.expression(scope, path, closers);
      for (const t of this.tokens.slice(start, this.pos)) {
        const name = t.kind === 'word' ? t.text.replace(/^!/, '').replace(/=.*$/, '') : '';
        if (/^[a-z][\w.-]*$/.test(name) && !Parser.OPERATORS.has(name) && name !== 'not' && !spec.properties.includes(name)) {
          // A bare word in a where clause is a property or a literal value (yes, no, true…).
          if (!['yes', 'no', 'true', 'false'].includes(name)) this.problem(t, `find where: unknown property ${name}`);
        }
      }
      return;
    }
    while (!this.atEnd(closers)) {
      const arg = this.next()!;
      const eq = arg.kind === 'word' ? arg.text.indexOf('=') : -1;
      if (eq <= 0) {
        this.problem(arg, `find: expected property=value or where, got "${arg.text}"`);
        continue;
      }
      const name = arg.text.slice(0, eq);
      if (!spec.properties.includes(name)) this.problem(arg, `find: unknown property ${name}`);
      command.args.set(name, this.argValue(arg, eq, scope, path, closers));
    }
  }

  private scriptCommand(first: Token, scope: Scope, nested: boolean, closers: TokenKind[]): void {
    const name = first.text.slice(1);
    if (!(SCRIPT_COMMANDS as readonly string[]).includes(name)) {
      this.problem(first, `unknown scripting command ${first.text}`);
      return this.skip(closers);
    }
    const command: RscCommand = { line: first.line, logicalLine: first.logical, name: first.text, args: new Map(), nested };
    this.commands.push(command);
    if (name === 'local') {
      const v = this.next();
      if (v?.kind !== 'word' || !/^[A-Za-z][\w-]*$/.test(v.text)) return this.problem(first, ':local needs a variable name');
      if (!this.atEnd(closers)) this.value(scope, [], closers, 'a value');
      scope.vars.set(v.text, first.logical);
      return;
    }
    if (name === 'set') {
      const v = this.next();
      if (v?.kind !== 'word' || !/^[A-Za-z][\w-]*$/.test(v.text)) return this.problem(first, ':set needs a variable name');
      this.read(v.text, v, scope);
      this.value(scope, [], closers, 'a value');
      return;
    }
    if (name === 'len' || name === 'put' || name === 'log') {
      if (name === 'log') {
        const level = this.next();
        if (!level || !['info', 'warning', 'error', 'debug'].includes(level.text)) this.problem(first, ':log needs a level');
      }
      this.value(scope, [], closers, 'a value');
      return;
    }
    if (name === 'pick') {
      this.value(scope, [], closers, 'a list or string');
      this.value(scope, [], closers, 'a start index');
      if (!this.atEnd(closers)) this.value(scope, [], closers, 'an end index');
      return;
    }
    if (name === 'if') {
      if (this.peek()?.kind !== '(') this.problem(first, ':if needs a (condition)');
      this.value(scope, [], closers, 'a (condition)');
      for (const branch of ['do', 'else']) {
        const t = this.peek();
        if (t?.kind === 'word' && t.text === `${branch}=` && this.peek(1)?.kind === '{' && this.peek(1)!.glued) {
          this.pos++;
          this.value(scope, [], closers, 'a block');
        } else if (branch === 'do') {
          this.problem(first, ':if needs do={…}');
        }
      }
      return;
    }
    // :foreach var in=value do={…}: the loop variable lives in the loop's block.
    const v = this.next();
    if (v?.kind !== 'word' || !/^[A-Za-z][\w-]*$/.test(v.text)) return this.problem(first, ':foreach needs a variable name');
    const inArg = this.next();
    if (inArg?.text !== 'in=' || !this.peek()?.glued) this.problem(first, ':foreach needs in=…');
    this.value(scope, [], closers, 'a list');
    const doArg = this.next();
    if (doArg?.text !== 'do=' || this.peek()?.kind !== '{') return this.problem(first, ':foreach needs do={…}');
    const loop: Scope = { vars: new Map([[v.text, -1]]), parent: scope, top: false };
    this.value(loop, [], closers, 'a block');
  }

  private skip(closers: TokenKind[]): void {
    let depth = 0;
    while (this.peek()) {
      const k = this.peek()!.kind;
      if (depth === 0 && (k === ';' || k === 'eol' || closers.includes(k))) return;
      if (k === '[' || k === '{' || k === '(') depth++;
      if (k === ']' || k === '}' || k === ')') depth--;
      this.pos++;
    }
  }
}

export function checkRsc(source: string): RscReport {
  const problems: RscProblem[] = [];
  const tokens = tokenize(source, problems);
  const parser = new Parser(tokens, problems);
  parser.script();
  const logical = new Set(parser.commands.map((c) => c.logicalLine));
  return { problems, commands: parser.commands, logicalLines: logical.size };
}
