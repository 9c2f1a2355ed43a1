// The codes this browser bought or redeemed, kept in localStorage so a returning guest sees their
// time left and gets back online with one tap. Only this browser's own codes; at most a few, the
// newest first. A code and its password are what the guest was shown anyway.

export interface HeldCode {
  code: string;
  password: string;
  router: string;
  savedAt: number;
}

const KEY = 'netflow.codes';
const MAX = 5;

export function heldCodes(router: string): HeldCode[] {
  try {
    const all = JSON.parse(localStorage.getItem(KEY) ?? '[]') as unknown;
    if (!Array.isArray(all)) return [];
    return all.filter((c): c is HeldCode => !!c && typeof c.code === 'string' && typeof c.password === 'string' && c.router === router);
  } catch {
    return [];
  }
}

export function holdCode(entry: Omit<HeldCode, 'savedAt'>): void {
  try {
    const all = (JSON.parse(localStorage.getItem(KEY) ?? '[]') as HeldCode[]).filter((c) => c && c.code !== entry.code);
    all.unshift({ ...entry, savedAt: Date.now() });
    localStorage.setItem(KEY, JSON.stringify(all.slice(0, MAX)));
  } catch {
    // Storage off: the guest still has the code on screen.
  }
}
