// Whether dist/ (scripts/build.mjs) is a build of the src/ that is here now: its stamp,
// dist/.built, must be newer than every file under src/. A few milliseconds of stat calls; it
// keeps an edited source tree from silently running (or testing) yesterday's JavaScript.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** null when dist/ is fresh; otherwise why not ("missing", or the first newer source file). */
export function staleReason(root = ROOT) {
  let built;
  try {
    built = statSync(path.join(root, 'dist', '.built')).mtimeMs;
  } catch {
    return 'dist/ is missing (npm run build)';
  }
  const src = path.join(root, 'src');
  for (const e of readdirSync(src, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const file = path.join(e.parentPath ?? e.path, e.name);
    if (statSync(file).mtimeMs > built) return `${path.relative(root, file)} is newer than dist/ (npm run build)`;
  }
  return null;
}
