// The hotspot page templates shipped in routeros-scripts/hotspot/ (the same two levels above
// src/routers/ and dist/routers/), read for the script generator.
import { readFile } from 'node:fs/promises';
import { HOTSPOT_PAGES, type HotspotPage } from './hotspot-script.js';

export const HOTSPOT_PAGES_DIR = new URL('../../routeros-scripts/hotspot/', import.meta.url);

export async function loadHotspotPages(dir: URL = HOTSPOT_PAGES_DIR): Promise<Record<HotspotPage, string>> {
  const pages = {} as Record<HotspotPage, string>;
  for (const name of HOTSPOT_PAGES) pages[name] = await readFile(new URL(name, dir), 'utf8');
  return pages;
}
