// Deciding whether a request from a known client is authentic, per RFC 2865/2866/3579/5176 and
// the BlastRADIUS mitigations (require_message_authenticator, limit_proxy_state).
import { ATTR, CODE, hasSignedRequestAuthenticator } from './codes.js';
import { checkMessageAuthenticator, signedRequestAuthenticatorValid } from './crypto.js';
import type { RadiusPacket } from './packet.js';

export type RequestVerdict =
  | 'ok'
  | 'bad_authenticator'
  | 'bad_message_authenticator'
  | 'missing_message_authenticator'
  | 'proxy_state_without_message_authenticator';

export function verifyRequest(p: RadiusPacket, secret: string, requireMessageAuthenticator: boolean): RequestVerdict {
  if (hasSignedRequestAuthenticator(p.code) && !signedRequestAuthenticatorValid(p, secret)) return 'bad_authenticator';
  const ma = checkMessageAuthenticator(p, secret);
  if (ma === 'invalid') return 'bad_message_authenticator';
  if (ma === 'absent' && p.code === CODE.accessRequest) {
    if (requireMessageAuthenticator) return 'missing_message_authenticator';
    // A NAS talking to us directly never sends Proxy-State; with it but unsigned, it is forged.
    if (p.attributes.some((a) => a.type === ATTR.proxyState)) return 'proxy_state_without_message_authenticator';
  }
  return 'ok';
}
