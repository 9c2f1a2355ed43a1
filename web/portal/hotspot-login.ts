// Logging the device in: the hotspot's own login form, posted to $(link-login-only) exactly as
// RouterOS's login.html does (username, password, dst, popup). With http-chap the password is
// hex MD5(chap-id + password + chap-challenge), so the code never crosses the network in clear;
// without (http-pap) it is the password itself. dst brings the guest back to this page with
// view=connected, from where they continue to where they were going ($(link-orig)).
import type { HotspotParams } from '../../src/portal/hotspot-params.js';
import { chapResponse } from '../shared/md5.js';

/** This page's URL with view=connected and without the last error: where the router sends the guest after login. */
export function connectedUrl(href: string): string {
  const u = new URL(href);
  u.searchParams.delete('error');
  u.searchParams.set('view', 'connected');
  return u.toString();
}

export function loginFields(params: HotspotParams, code: string, password: string, href: string): Record<string, string> {
  return {
    username: code,
    password: params.chapId && params.chapChallenge ? chapResponse(params.chapId, password, params.chapChallenge) : password,
    dst: connectedUrl(href),
    popup: 'false',
  };
}

/** Posts the form (a top-level navigation: the router answers with a redirect to dst, or its login page with an error). */
export function submitHotspotLogin(params: HotspotParams, code: string, password: string): void {
  const form = document.createElement('form');
  form.method = 'post';
  form.action = params.linkLoginOnly;
  form.hidden = true;
  for (const [name, value] of Object.entries(loginFields(params, code, password, location.href))) {
    const input = document.createElement('input');
    input.type = 'hidden';
    input.name = name;
    input.value = value;
    form.append(input);
  }
  document.body.append(form);
  form.submit();
}
