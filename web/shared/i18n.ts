// English and Swahili for every face. A face declares its catalogues (an English one, and a Swahili
// one with exactly the same keys, which TypeScript checks) and gets a translator; the language is
// chosen from the browser (navigator.languages) unless the guest picked one with the switch, which
// is remembered in localStorage.

export type Lang = 'en' | 'sw';
export const LANGS: readonly Lang[] = ['en', 'sw'];

/** A catalogue: message key → text, with {name} placeholders. */
export type Messages = Record<string, string>;

const STORAGE_KEY = 'netflow.lang';

/** The guest's choice if any, else the first browser language we speak, else English. */
export function detectLang(preferred: readonly string[] = navigatorLanguages(), stored = readStored()): Lang {
  if (stored === 'en' || stored === 'sw') return stored;
  for (const tag of preferred) {
    const base = tag.toLowerCase().split('-')[0];
    if (base === 'sw') return 'sw';
    if (base === 'en') return 'en';
  }
  return 'en';
}

export function rememberLang(lang: Lang): void {
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // Private mode or storage off: the choice lasts for this page only.
  }
}

function navigatorLanguages(): readonly string[] {
  if (typeof navigator === 'undefined') return [];
  return navigator.languages?.length ? navigator.languages : [navigator.language];
}

function readStored(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

/** Fills {name} placeholders; a missing value leaves the placeholder visible rather than "undefined". */
export function format(text: string, values: Record<string, string | number> = {}): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}

export interface Translator<K extends string> {
  lang: Lang;
  t(key: K, values?: Record<string, string | number>): string;
}

/** One face's translator; Swahili falls back to English for a key it lacks (it should lack none). */
export function translator<E extends Messages>(
  catalogues: { en: E; sw: { [K in keyof E]: string } },
  lang: Lang,
): Translator<keyof E & string> {
  const table = catalogues[lang] as Messages;
  return {
    lang,
    t: (key, values) => format(table[key] ?? (catalogues.en as Messages)[key] ?? key, values),
  };
}
