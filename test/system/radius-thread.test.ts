// RADIUS runs in a thread of its own: whatever holds the main thread (an HTTP flood, a slow
// handler) cannot delay a RADIUS reply. The test blocks the main thread outright for 1.5 s while a
// client in another thread keeps authenticating, and counts the replies that arrived meanwhile.
import { randomBytes } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CODE } from '../../src/radius/codes.js';
import { encodeRequest } from '../../src/radius/encode.js';
import { addEntitlement, addPackage, addRouter } from '../support/fixtures.js';
import { startTestNetflow } from '../support/netflow.js';
import { TestRadiusClient } from '../support/radius-client.js';

const SECRET = 'radius-thread-secret-0123';

// Plain JavaScript: sends the prepared requests one after another, noting when each reply came.
const CLIENT = `
const { workerData, parentPort } = require('node:worker_threads');
const dgram = require('node:dgram');
const socket = dgram.createSocket('udp4');
const replies = [];
let i = 0;
function next() {
  if (i >= workerData.requests.length) return finish();
  socket.send(workerData.requests[i++], workerData.port, '127.0.0.1');
}
function finish() { socket.close(); parentPort.postMessage(replies); }
socket.on('message', (m) => { replies.push({ at: Date.now(), code: m[0] }); next(); });
socket.bind(0, '127.0.0.1', () => { parentPort.postMessage('ready'); next(); });
setTimeout(finish, workerData.ms).unref();
`;

describe('RADIUS in its own thread', () => {
  let env: Awaited<ReturnType<typeof startTestNetflow>>;

  beforeAll(async () => {
    env = await startTestNetflow();
    await addRouter(env.db, { ip: '127.0.0.1', secret: SECRET });
    const pkg = await addPackage(env.db, { devicesAllowed: 1 });
    await addEntitlement(env.db, pkg.id, { code: 'THREAD1' });
    const client = await TestRadiusClient.open();
    for (let i = 0; i < 50; i++) {
      // until the router table knows 127.0.0.1
      const { reply } = await client.send(
        CODE.accessRequest,
        [
          ['User-Name', 'THREAD1'],
          ['User-Password', 'THREAD1'],
          ['Calling-Station-Id', '02:00:00:00:00:77'],
        ],
        SECRET,
        env.netflow.authPort,
      );
      if (reply?.code === CODE.accessAccept) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    client.close();
  });
  afterAll(async () => env?.stop());

  it('keeps answering while the main thread is blocked', async () => {
    const requests = Array.from({ length: 4000 }, (_, i) =>
      encodeRequest({
        code: CODE.accessRequest,
        identifier: i & 255,
        secret: SECRET,
        messageAuthenticator: true,
        authenticator: randomBytes(16),
        attributes: [
          ['User-Name', 'THREAD1'],
          ['User-Password', 'THREAD1'],
          ['Calling-Station-Id', '02:00:00:00:00:77'],
        ],
      }),
    );
    const worker = new Worker(CLIENT, { eval: true, workerData: { requests, port: env.netflow.authPort, ms: 3000 } });
    const done = new Promise<Array<{ at: number; code: number }>>((resolve) => worker.on('message', (m) => m !== 'ready' && resolve(m)));
    await new Promise((r) => worker.once('message', r)); // ready
    await new Promise((r) => setTimeout(r, 200));
    const before = env.netflow.radiusStats().replied;
    const blockedFrom = Date.now();
    while (Date.now() - blockedFrom < 1500); // the main thread does nothing else for 1.5 s
    const blockedUntil = Date.now();
    const replies = await done;
    await worker.terminate();
    const during = replies.filter((r) => r.at > blockedFrom + 100 && r.at < blockedUntil - 100);
    // On the main thread no reply at all could be sent in that time.
    expect(during.length).toBeGreaterThan(20);
    expect(during.every((r) => r.code === CODE.accessAccept)).toBe(true);
    // The counters are shared memory: current, read synchronously.
    expect(env.netflow.radiusStats().replied - before).toBeGreaterThanOrEqual(during.length);
  });
});
