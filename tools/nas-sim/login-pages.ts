// The hotspot's HTML pages, shaped like RouterOS's default templates (login.html, status.html,
// logout.html) so that a captive portal written against them works here too. RouterOS fills
// `$(variable)` placeholders; these pages carry the same variables twice: where the template
// puts them (form fields, the hexMD5 call) and as a JSON island <script id="hotspot-vars">
// that a test or a portal can read without scraping.

/** Variables the way RouterOS names them in templates (`$(link-login-only)` → "link-login-only"). */
export type PageVars = Record<string, string | number | boolean | null>;

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** JSON that is safe inside <script>. */
function jsonIsland(vars: PageVars): string {
  return `<script type="application/json" id="hotspot-vars">${JSON.stringify(vars).replace(/</g, '\\u003c')}</script>`;
}

function page(title: string, body: string, vars: PageVars): string {
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(title)}</title></head>
<body>
${body}
${jsonIsland(vars)}
</body></html>
`;
}

/** JavaScript string literal content: used for the octal-escaped chap values, which are already escaped. */
function jsString(s: string): string {
  return s.replace(/'/g, "\\'").replace(/<\//g, '<\\/');
}

export interface LoginPageInput {
  vars: PageVars & { 'link-login-only': string; 'link-orig': string; error: string; username: string; 'server-name': string };
  /** Octal-escaped, as RouterOS substitutes them; absent when http-chap is not in use. */
  chap: { id: string; challenge: string } | null;
}

export function loginPage({ vars, chap }: LoginPageInput): string {
  const action = escapeHtml(vars['link-login-only']);
  const dst = escapeHtml(vars['link-orig']);
  const error = vars.error ? `<p class="error" id="error">${escapeHtml(vars.error)}</p>` : '';
  // With http-chap the visible form never posts the password: doLogin() posts hexMD5 of it
  // through the hidden "sendin" form, as RouterOS's default login.html does.
  const chapPart = chap
    ? `<form name="sendin" action="${action}" method="post">
<input type="hidden" name="username"><input type="hidden" name="password">
<input type="hidden" name="dst" value="${dst}"><input type="hidden" name="popup" value="true">
</form>
<script src="/md5.js"></script>
<script>
function doLogin() {
  document.sendin.username.value = document.login.username.value;
  document.sendin.password.value = hexMD5('${jsString(chap.id)}' + document.login.password.value + '${jsString(chap.challenge)}');
  document.sendin.submit();
  return false;
}
</script>`
    : '';
  return page(
    `${vars['server-name']} login`,
    `<h1>${escapeHtml(String(vars['server-name']))}</h1>
${error}
${chapPart}
<form name="login" action="${action}" method="post"${chap ? ' onSubmit="return doLogin()"' : ''}>
<input type="hidden" name="dst" value="${dst}"><input type="hidden" name="popup" value="true">
<label>Code <input name="username" type="text" value="${escapeHtml(vars.username)}"></label>
<label>Password <input name="password" type="password"></label>
<input type="submit" value="OK">
</form>`,
    vars,
  );
}

export function statusPage(vars: PageVars & { username: string; 'link-logout': string }): string {
  const rows = ['username', 'ip', 'mac', 'uptime', 'session-time-left', 'bytes-in', 'bytes-out', 'limit-bytes-total', 'rate-limit']
    .map((k) => `<tr><th>${k}</th><td id="${k}">${escapeHtml(String(vars[k] ?? ''))}</td></tr>`)
    .join('\n');
  return page(
    'hotspot status',
    `<h1>Welcome ${escapeHtml(vars.username)}!</h1>
<table>
${rows}
</table>
<form action="${escapeHtml(vars['link-logout'])}" method="post"><input type="submit" value="log off"></form>`,
    vars,
  );
}

export function logoutPage(vars: PageVars & { username: string; 'link-login': string }): string {
  return page(
    'logged out',
    `<h1>You have just logged out</h1>
<p>${escapeHtml(vars.username)}, uptime ${escapeHtml(String(vars.uptime ?? ''))}</p>
<a href="${escapeHtml(vars['link-login'])}">log in again</a>`,
    vars,
  );
}

/**
 * RouterOS serves /md5.js for its login page. hexMD5(s) hashes the string's character codes as
 * octets, which is what makes '\357' + password + '\022…' equal to id ‖ password ‖ challenge
 * (for ASCII passwords; RouterOS's own md5.js has the same property).
 */
export const MD5_JS = `// MD5 (RFC 1321) of a string whose character codes are taken as octets.
function hexMD5(s) {
  var S = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21], K = [], i, j;
  for (i = 0; i < 64; i++) K[i] = Math.floor(Math.abs(Math.sin(i + 1)) * 4294967296) | 0;
  var b = [];
  for (i = 0; i < s.length; i++) b.push(s.charCodeAt(i) & 255);
  var bits = b.length * 8;
  b.push(128);
  while (b.length % 64 !== 56) b.push(0);
  for (i = 0; i < 8; i++) b.push(i < 4 ? (bits >>> (8 * i)) & 255 : 0);
  var h = [0x67452301, 0xefcdab89 | 0, 0x98badcfe | 0, 0x10325476];
  for (var o = 0; o < b.length; o += 64) {
    var M = [];
    for (i = 0; i < 16; i++) M[i] = b[o + 4 * i] | (b[o + 4 * i + 1] << 8) | (b[o + 4 * i + 2] << 16) | (b[o + 4 * i + 3] << 24);
    var A = h[0], B = h[1], C = h[2], D = h[3];
    for (i = 0; i < 64; i++) {
      var F, g;
      if (i < 16) { F = (B & C) | (~B & D); g = i; }
      else if (i < 32) { F = (D & B) | (~D & C); g = (5 * i + 1) % 16; }
      else if (i < 48) { F = B ^ C ^ D; g = (3 * i + 5) % 16; }
      else { F = C ^ (B | ~D); g = (7 * i) % 16; }
      var t = D; D = C; C = B;
      var x = (A + F + K[i] + M[g]) | 0, r = S[(i >> 4) * 4 + (i % 4)];
      B = (B + ((x << r) | (x >>> (32 - r)))) | 0;
      A = t;
    }
    h[0] = (h[0] + A) | 0; h[1] = (h[1] + B) | 0; h[2] = (h[2] + C) | 0; h[3] = (h[3] + D) | 0;
  }
  var out = '';
  for (i = 0; i < 4; i++) for (j = 0; j < 4; j++) { var v = (h[i] >>> (8 * j)) & 255; out += (v < 16 ? '0' : '') + v.toString(16); }
  return out;
}
`;
