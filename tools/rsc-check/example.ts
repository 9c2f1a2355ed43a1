// routeros-scripts/netflow-hotspot.example.rsc: the script `netflow router script` writes, for
// example values (documentation addresses, RFC 5737). test/routers/hotspot-script.test.ts checks the
// file is still what the generator writes; after changing the generator or the pages, regenerate:
//   node bin/run-ts.js tools/rsc-check/example.ts
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadHotspotPages } from '../../src/routers/hotspot-pages.js';
import { hotspotScript } from '../../src/routers/hotspot-script.js';

export const EXAMPLE_FILE = new URL('../../routeros-scripts/netflow-hotspot.example.rsc', import.meta.url);

export const EXAMPLE_INPUT = {
  router: { name: 'cafe-1', secret: 'change-me-to-a-long-random-secret', coaPort: 3799 },
  netflowAddress: '192.0.2.10',
  portalUrl: 'https://wifi.example.com/portal/',
  radiusAuthPort: 1812,
  radiusAcctPort: 1813,
};

export async function exampleScript(): Promise<string> {
  return hotspotScript({ ...EXAMPLE_INPUT, pages: await loadHotspotPages() });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  await writeFile(EXAMPLE_FILE, await exampleScript());
  process.stdout.write(`wrote ${fileURLToPath(EXAMPLE_FILE)}\n`);
}
