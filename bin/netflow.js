#!/usr/bin/env node
// The `netflow` command. Runs the JavaScript build in dist/ (made by `npm ci` / `npm run build`)
// when it is current, else the TypeScript in src/ through tsx, so an edited tree never runs old
// code. NETFLOW_BUILD=require refuses to run without a current build (tests, production checks);
// NETFLOW_BUILD=off always runs the TypeScript.
import { staleReason } from './freshness.js';

const mode = process.env.NETFLOW_BUILD ?? 'auto';
const stale = mode === 'off' ? 'NETFLOW_BUILD=off' : staleReason();
let main;
if (stale === null) {
  ({ main } = await import('../dist/cli/main.js'));
} else if (mode === 'require') {
  process.stderr.write(`netflow: no current build: ${stale}\n`);
  process.exit(1);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
