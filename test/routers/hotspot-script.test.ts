// The generated RouterOS script, for several routers, through the syntax checker in tools/rsc-check
// (known commands and arguments, strings, brackets, no :local read on a later line), plus what
// the checker cannot know: every add is preceded by the removal of the same comment (safe to run
// twice), no src-address on /radius, no hsprof1, and each page written is exactly the rendered page.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { loadHotspotPages } from '../../src/routers/hotspot-pages.js';
import {
  checkPortalUrl,
  HOTSPOT_PAGES,
  hotspotScript,
  type HotspotScriptInput,
  renderHotspotPages,
  rosString,
} from '../../src/routers/hotspot-script.js';
import { checkRsc, type RscCommand } from '../../tools/rsc-check/check.js';
import { EXAMPLE_FILE, exampleScript } from '../../tools/rsc-check/example.js';

const pages = await loadHotspotPages();

const CONFIGS: Record<string, HotspotScriptInput> = {
  'https portal by name, no providers': {
    router: { name: 'cafe-1', secret: 'Xq7-long-random-secret-9z', coaPort: 3799 },
    netflowAddress: '192.0.2.10',
    portalUrl: 'https://wifi.example.com/portal/',
    radiusAuthPort: 1812,
    radiusAcctPort: 1813,
    pages,
  },
  'http portal on an IP and port, stock CoA port, odd name and secret': {
    router: { name: 'Hotel "Bahari" & Co', secret: 'a$b?c"d\\e[f]{g}#h;i=j', coaPort: 1700 },
    netflowAddress: '10.8.0.1',
    portalUrl: 'http://10.8.0.1:3000/portal/',
    radiusAuthPort: 11812,
    radiusAcctPort: 11813,
    pages,
    generatedAt: new Date('2026-12-07T00:00:00Z'),
  },
  'providers configured, one with a checkout page': {
    router: { name: 'kiosk', secret: 'Xq7-long-random-secret-9z', coaPort: 3799 },
    netflowAddress: '203.0.113.5',
    portalUrl: 'https://pay.example.co.tz/portal/',
    radiusAuthPort: 1812,
    radiusAcctPort: 1813,
    pages,
    paymentHosts: [
      { provider: 'M-Pesa (Vodacom)', hosts: [] },
      { provider: 'Hosted checkout', hosts: ['checkout.example.net', '198.51.100.7'] },
    ],
  },
};

/** The [find …] right after a remove: the filter it removes by. */
function removedBy(commands: RscCommand[], i: number): Map<string, string> | undefined {
  const next = commands[i + 1];
  return next?.name.endsWith(' find') ? next.args : undefined;
}

describe('netflow router script: the generated .rsc', () => {
  for (const [label, input] of Object.entries(CONFIGS)) {
    describe(label, () => {
      const script = hotspotScript(input);
      const report = checkRsc(script);

      it('passes the RouterOS syntax check', () => {
        expect(report.problems).toEqual([]);
        // Every step is there: RADIUS, incoming, firewall, walled garden, six pages, the profile.
        const names = new Set(report.commands.map((c) => c.name));
        for (const n of [
          'radius add',
          'radius incoming set',
          'ip firewall filter add',
          'ip hotspot walled-garden ip add',
          'file add',
          'ip hotspot profile set',
        ]) {
          expect(names).toContain(n);
        }
        expect(report.commands.filter((c) => c.name === 'file add')).toHaveLength(HOTSPOT_PAGES.length);
      });

      it('says what every command does, on the line above it', () => {
        const lines = script.split('\n');
        const starts = [...new Set(report.commands.filter((c) => !c.nested).map((c) => c.line))];
        expect(starts.length).toBeGreaterThan(10);
        for (const n of starts) expect(lines[n - 2], `line ${n}: ${lines[n - 1].slice(0, 60)}`).toMatch(/^# - \S/);
      });

      it('adds nothing without first removing the same thing (safe to run twice)', () => {
        const { commands } = report;
        commands.forEach((c, i) => {
          if (!c.name.endsWith(' add')) return;
          const menu = c.name.slice(0, -' add'.length);
          const key = menu === 'file' ? 'name' : 'comment';
          expect(c.args.get(key), `${c.name} on line ${c.line} has a ${key}`).toBeTruthy();
          const removal = commands.findIndex(
            (r, j) => j < i && r.name === `${menu} remove` && removedBy(commands, j)?.get(key) === c.args.get(key),
          );
          expect(removal, `${c.name} on line ${c.line}: no earlier removal by ${key}=${c.args.get(key)}`).toBeGreaterThanOrEqual(0);
        });
      });

      it('has the values of this router and nothing assumed', () => {
        const radius = report.commands.find((c) => c.name === 'radius add')!;
        expect(radius.args.get('src-address')).toBeUndefined();
        expect(Object.fromEntries(radius.args)).toMatchObject({
          service: 'hotspot',
          address: input.netflowAddress,
          secret: input.router.secret,
          'authentication-port': String(input.radiusAuthPort),
          'accounting-port': String(input.radiusAcctPort),
          comment: 'NetFlow',
        });
        expect(script).not.toMatch(/hsprof1/);
        expect(script).not.toMatch(/^:local/m);
        const incoming = report.commands.find((c) => c.name === 'radius incoming set')!;
        expect(Object.fromEntries(incoming.args)).toEqual({ accept: 'yes', port: String(input.router.coaPort) });
        for (const rule of report.commands.filter((c) => c.name === 'ip firewall filter add')) {
          expect(Object.fromEntries(rule.args)).toMatchObject({
            chain: 'input',
            action: 'accept',
            protocol: 'udp',
            'src-address': input.netflowAddress,
            'dst-port': String(input.router.coaPort),
            comment: 'NetFlow CoA',
          });
        }
        const profile = report.commands.find((c) => c.name === 'ip hotspot profile set')!;
        expect(Object.fromEntries(profile.args)).toEqual({
          'use-radius': 'yes',
          'radius-accounting': 'yes',
          'radius-interim-update': 'received',
          'login-by': 'http-chap,http-pap',
        });
      });

      it('lets the portal and configured payment pages through the walled garden, and nothing else', () => {
        const portal = checkPortalUrl(input.portalUrl);
        const port = portal.port || (portal.protocol === 'https:' ? '443' : '80');
        const ipEntries = report.commands
          .filter((c) => c.name === 'ip hotspot walled-garden ip add')
          .map((c) => Object.fromEntries(c.args));
        const target = (h: string) => (/^\d+\.\d+\.\d+\.\d+$/.test(h) ? { 'dst-address': h } : { 'dst-host': h });
        const providerHosts = (input.paymentHosts ?? []).flatMap((p) => p.hosts);
        expect(ipEntries).toEqual([
          { ...target(portal.hostname), protocol: 'tcp', 'dst-port': port, comment: 'NetFlow' },
          ...providerHosts.map((h) => ({ ...target(h), protocol: 'tcp', 'dst-port': '443', comment: 'NetFlow' })),
        ]);
        const httpEntries = report.commands.filter((c) => c.name === 'ip hotspot walled-garden add').map((c) => c.args.get('dst-host'));
        expect(httpEntries).toEqual([...(portal.protocol === 'http:' ? [portal.hostname] : []), ...providerHosts]);
        for (const p of input.paymentHosts ?? []) expect(script).toContain(`# ${p.provider}`);
      });

      it('writes each page into the profile html-directory exactly as rendered for this router', () => {
        const rendered = renderHotspotPages(input.pages, input.portalUrl, input.router.name);
        const writes = report.commands.filter((c) => c.name === 'file add');
        for (const [i, name] of HOTSPOT_PAGES.entries()) {
          expect(writes[i].args.get('contents')).toBe(rendered[name]);
          expect(rendered[name]).not.toContain('{{');
        }
        for (const name of HOTSPOT_PAGES) expect(Buffer.byteLength(rendered[name]), `${name} stays tiny`).toBeLessThan(2500);
        expect(rendered['login.html']).toContain(
          `${checkPortalUrl(input.portalUrl).href}?router=${encodeURIComponent(input.router.name)}&amp;`,
        );
        // The loop that writes them reads its :local on its own logical line only.
        expect(writes.every((w) => w.nested)).toBe(true);
      });
    });
  }

  it('refuses a portal URL that could not be written into the pages, and a non-IPv4 NetFlow address', () => {
    const base = CONFIGS['https portal by name, no providers'];
    for (const bad of ['ftp://x/portal/', 'https://x/portal/?a=1', 'https://x/portal/#top', 'https://u:p@x/portal/', 'not a url']) {
      expect(() => hotspotScript({ ...base, portalUrl: bad }), bad).toThrow(/portalUrl/);
    }
    expect(() => hotspotScript({ ...base, netflowAddress: 'netflow.example.com' })).toThrow(/netflowAddress/);
    expect(() => hotspotScript({ ...base, radiusAuthPort: 0 })).toThrow(/radiusAuthPort/);
  });

  it('escapes RouterOS strings: quotes, backslashes, $ and ? (the terminal help key), control bytes', () => {
    expect(rosString('a"b\\c$d?e\nf\x01g')).toBe('"a\\"b\\\\c\\$d\\?e\\nf\\01g"');
    expect(rosString('é')).toBe('"\\C3\\A9"');
  });
});

describe('the RouterOS syntax checker finds what RouterOS would refuse', () => {
  const problems = (s: string) => checkRsc(s).problems.map((p) => p.message);

  it('the retired template: :local values read on later lines (gone when pasted)', () => {
    const old = [
      ':local netflowAddress "192.0.2.10"',
      ':local hotspotProfile "hsprof1"',
      '/radius add service=hotspot address=$netflowAddress secret="x" \\',
      '    comment="NetFlow"',
      '/ip hotspot profile set [find name=$hotspotProfile] use-radius=yes',
    ].join('\n');
    expect(problems(old)).toEqual([
      '$netflowAddress is a top-level :local from an earlier line: pasted, it no longer exists here',
      '$hotspotProfile is a top-level :local from an earlier line: pasted, it no longer exists here',
    ]);
    expect(problems(':local a "x"; /radius add address=$a comment="ok"')).toEqual([]);
  });

  it('unknown menus, verbs, arguments and find properties', () => {
    expect(problems('/radius ad address=1.2.3.4')).toEqual(['/radius has no command "ad"']);
    expect(problems('/system reboot')).toEqual(['unknown menu /system']);
    expect(problems('/radius incoming add accept=yes')).toEqual(['/radius incoming has no command "add"']);
    expect(problems('/ip hotspot profil set [find] use-radius=yes')).toEqual(['/ip hotspot has no command "profil"']);
    expect(problems('/radius add adress=1.2.3.4')).toEqual(['/radius add: unknown argument adress']);
    expect(problems('/radius remove [find coment="NetFlow"]')).toEqual(['find: unknown property coment']);
    expect(problems('/ip hotspot profile get [find] html-dir')).toEqual(['/ip hotspot profile get: unknown property "html-dir"']);
    expect(problems('/radius add place-before=0')).toEqual(['/radius add: unknown argument place-before']);
    expect(problems(':foo 1')).toEqual(['unknown scripting command :foo']);
    expect(problems('/radius add secret="a" secret="b"')).toEqual(['/radius add: secret given twice']);
  });

  it('strings, escapes, brackets, continuation lines and comments', () => {
    expect(problems('/radius add secret="a?b"')).toEqual(['an unescaped ? in a string (the terminal shows help instead): write \\?']);
    expect(problems('/radius add secret="a\\qb"')).toEqual(['unknown escape \\q in a string']);
    expect(problems('/radius add secret="a\\e9"')).toEqual(['unknown escape \\e in a string']);
    expect(problems('/radius add secret="ab')).toEqual(['a string is not closed']);
    expect(problems('/radius add secret="ab\n/radius print')).toContain(
      'a string runs past the end of its line (continue it with a backslash)',
    );
    expect(problems('/radius remove [find comment="x"')).toContain('"[" is not closed at the end of the script');
    expect(problems('/radius remove [find comment="x")]')).toContain('")" does not close "["');
    expect(problems('/radius add secret="ab\\\n cd"')).toEqual(['a continued string line starts with whitespace (write \\_ for a space)']);
    expect(problems('/radius add secret="ab\\\n\\_cd" \\\n  comment="x"')).toEqual([]);
    expect(problems('# a comment \\\n/radius add comment="x"')).toEqual(['a comment cannot be continued with a backslash']);
    expect(problems('/radius print\n# a comment after a command\n/radius print')).toEqual([]);
    expect(problems('/radius add \\ comment="x"')).toEqual(['a backslash outside a string is only allowed at the end of a line']);
    expect(problems('# is this pasted?\n/radius add comment="x"')).toEqual([
      'a ? in a comment (pasted into the terminal, ? opens its help)',
    ]);
    expect(problems('/radius add\tcomment="x"')).toEqual(['a tab (pasted into the terminal, a tab completes the word instead)']);
    expect(problems('/radius add comment=a?b')).toEqual(['a ? outside a string (the terminal shows help instead)']);
    expect(problems('/radius add comment=\\\n"x"')).toEqual(['comment= has no value', '/radius add: expected name=value, got ""…""']);
  });

  it('variables: undefined, loop variables in their loop, locals in their block', () => {
    expect(problems('/radius add address=$nowhere')).toEqual(['$nowhere is read but never defined']);
    expect(problems(':foreach s in=[/ip hotspot find] do={:put [/ip hotspot get $s profile]}')).toEqual([]);
    expect(problems(':foreach s in=[/ip hotspot find] do={:put $s}; :put $s')).toEqual(['$s is read but never defined']);
    expect(problems(':if (1 = 1) do={:local x 1}; :put $x')).toEqual(['$x is read but never defined']);
    expect(problems('{:local x "/a"; :set x [:pick $x 1 [:len $x]]; :put $x}')).toEqual([]);
    expect(problems(':set y 1')).toEqual(['$y is read but never defined']);
    // A block over several lines is one unit, pasted or imported: its locals live to its brace.
    expect(problems('{\n:local x 1\n:put $x\n}')).toEqual([]);
    expect(problems('/radius add secret="\\$ok $bad"')).toEqual(['$bad is read but never defined']);
  });

  it('conditions and expressions', () => {
    expect(problems(':if ([:len [/radius find]] = 0) do={:put "none"} else={:put "some"}')).toEqual([]);
    expect(problems(':if [:len [/radius find]] do={:put "x"}')).toEqual([':if needs a (condition)']);
    expect(problems(':if (1 = 1) {:put "x"}')).toContain(':if needs do={…}');
    expect(problems('/radius remove [find where comment="x" and !disabled]')).toEqual([]);
    expect(problems('/radius remove [find where coment="x"]')).toEqual(['find where: unknown property coment']);
  });
});

describe('routeros-scripts/netflow-hotspot.example.rsc', () => {
  it('is what the generator writes for its example values (regenerate it when the script changes)', async () => {
    expect(await readFile(EXAMPLE_FILE, 'utf8')).toBe(await exampleScript());
    expect(checkRsc(await exampleScript()).problems).toEqual([]);
  });
});
