// What portal branding may hold, checked where an admin writes it (src/admin/settings.ts, which
// refuses) and where the portal reads it (src/portal/branding.ts, which drops): one set of rules.

const COLOUR = /^#[0-9a-fA-F]{6}$/;
const PHONE = /^\+?[0-9][0-9 ()-]{2,22}$/;
const DATA_IMAGE = /^data:image\/(png|jpeg|gif|webp|svg\+xml);base64,[A-Za-z0-9+/]+={0,2}$/;
/** A path on NetFlow's own origin: starts with one slash (// would be another host), plain characters. */
const SAME_ORIGIN_PATH = /^\/(?!\/)[A-Za-z0-9._~!$&'()*+,;=:@%/-]*(\?[A-Za-z0-9._~!$&'()*+,;=:@%/?-]*)?$/;

/** A logo the portal page may show (its CSP allows images from NetFlow itself and data: only). */
export function isPortalLogoUrl(url: string): boolean {
  return (url.length <= 512 && SAME_ORIGIN_PATH.test(url)) || (url.length <= 200_000 && DATA_IMAGE.test(url));
}

/** A colour as #rrggbb. */
export function isHexColour(value: string): boolean {
  return COLOUR.test(value);
}

/** A support phone number: phone characters only. */
export function isSupportPhone(value: string): boolean {
  return PHONE.test(value);
}
