// RouterOS's hotspot HTML templates, filled as the router fills them (Hotspot customisation,
// https://help.mikrotik.com/docs/x/AQAyBQ):
//   $(name)        the variable's value as is (RouterOS does not HTML-escape it);
//   $(name-esc)    the value URL-encoded as a form field ("123&456=1 2" → "123%26456%3D1+2");
//   $(if name) … $(elif name) … $(else) … $(endif)   a branch is taken when the value is not
//                  empty; `name == 'text'` / `name != 'text'` compare; branches nest;
// an unknown variable is empty. chap-id / chap-challenge are already octal-escaped by the caller.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { checkPortalUrl, fillHotspotPage } from '../../src/routers/hotspot-script.js';
import type { PageVars } from './login-pages.js';

/** The -esc form: what a form field's value looks like in a URL query (space as +). */
export function escForm(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

function lookup(vars: PageVars, name: string): string {
  const direct = vars[name];
  if (direct !== undefined && direct !== null) return String(direct);
  if (name.endsWith('-esc')) return escForm(lookup(vars, name.slice(0, -4)));
  return '';
}

function condition(vars: PageVars, expr: string): boolean {
  const m = /^([\w-]+)\s*(==|!=)\s*'([^']*)'$/.exec(expr.trim());
  if (m) return (lookup(vars, m[1]) === m[3]) === (m[2] === '==');
  return lookup(vars, expr.trim()) !== '';
}

const DIRECTIVE = /\$\((if|elif) ([^)]*)\)|\$\((else|endif)\)|\$\(([\w-]+)\)/g;

export function renderTemplate(template: string, vars: PageVars): string {
  // A stack of branches: each knows whether an earlier branch of its if was taken and whether
  // its own text is being output.
  const stack: { taken: boolean; active: boolean; parentActive: boolean }[] = [];
  const active = () => stack.length === 0 || stack.at(-1)!.active;
  let out = '';
  let last = 0;
  for (const m of template.matchAll(DIRECTIVE)) {
    if (active()) out += template.slice(last, m.index);
    last = m.index + m[0].length;
    const [, ifKind, expr, bare, name] = m;
    if (ifKind === 'if') {
      const parentActive = active();
      const yes = parentActive && condition(vars, expr);
      stack.push({ taken: yes, active: yes, parentActive });
    } else if (ifKind === 'elif' || bare === 'else') {
      const top = stack.at(-1);
      if (!top) throw new Error(`$(${ifKind ?? bare}) without $(if)`);
      const yes = top.parentActive && !top.taken && (bare === 'else' || condition(vars, expr));
      top.active = yes;
      top.taken ||= yes;
    } else if (bare === 'endif') {
      if (!stack.pop()) throw new Error('$(endif) without $(if)');
    } else if (active()) {
      out += lookup(vars, name);
    }
  }
  if (stack.length > 0) throw new Error('$(if) without $(endif)');
  if (active()) out += template.slice(last);
  return out;
}

/** Values the RouterOS script writes into the pages (see src/routers/hotspot-script.ts). */
export interface NetflowPageValues {
  portalUrl: string;
  routerName: string;
}

/**
 * A hotspot html-directory: its pages read at each request (so an edited file shows at once),
 * with NetFlow's {{…}} placeholders filled when the directory holds the unrendered templates.
 */
export class HtmlDirectory {
  constructor(
    private readonly dir: string,
    private readonly netflow?: NetflowPageValues,
  ) {
    // A portal URL the pages cannot carry is refused at start, not at the first guest.
    if (netflow) checkPortalUrl(netflow.portalUrl);
  }

  /** The page filled in, or null when the directory has no such file (RouterOS then falls back). */
  async render(file: string, vars: PageVars): Promise<string | null> {
    let template: string;
    try {
      template = await readFile(path.join(this.dir, file), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    if (this.netflow) template = fillHotspotPage(template, this.netflow.portalUrl, this.netflow.routerName);
    return renderTemplate(template, vars);
  }
}
