// Entry of the RADIUS thread (src/app/radius-thread.ts). A worker does not inherit the loader
// hooks of the thread that started it, so it registers tsx itself, as bin/netflow.js does, and
// then loads the TypeScript body named by the parent.
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.body);
