// Loads radius-dictionaries/ into the `radius` codec once; attribute names resolve through it.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import radius from 'radius';

const DICTIONARY_DIR = fileURLToPath(new URL('../../radius-dictionaries/', import.meta.url));
let loaded = false;

export function ensureDictionaries(): typeof radius {
  if (!loaded) {
    for (const file of readdirSync(DICTIONARY_DIR)
      .filter((f) => f.startsWith('dictionary.'))
      .sort()) {
      radius.add_dictionary(path.join(DICTIONARY_DIR, file));
    }
    radius.load_dictionaries();
    loaded = true;
  }
  return radius;
}
