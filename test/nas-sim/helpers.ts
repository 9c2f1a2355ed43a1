// Shared pieces of the nas-sim tests: a NetFlow with one router for 127.0.0.1, and a scriptable
// fake RADIUS server for the cases NetFlow should not be asked to fake (silence, bad replies).
import dgram from 'node:dgram';
import { CODE } from '../../src/radius/codes.js';
import { encodeResponse, type Attribute } from '../../src/radius/encode.js';
import { attr, integerAttr, parsePacket, type RadiusPacket } from '../../src/radius/packet.js';
import { addRouter } from '../support/fixtures.js';
import { startTestNetflow } from '../support/netflow.js';
import { TestRadiusClient } from '../support/radius-client.js';

export const SECRET = 'nas-sim-secret-0123456789';

export type TestNetflow = Awaited<ReturnType<typeof startTestNetflow>>;

/** NetFlow with a router for 127.0.0.1, and only once NetFlow's router table knows it. */
export async function startNetflowWithRouter(): Promise<{ env: TestNetflow; routerId: number }> {
  const env = await startTestNetflow();
  const router = await addRouter(env.db, { ip: '127.0.0.1', secret: SECRET });
  const probe = await TestRadiusClient.open();
  try {
    // The router table reloads on NOTIFY; until then requests from 127.0.0.1 are dropped.
    for (let i = 0; i < 50; i++) {
      const { reply } = await probe.send(
        CODE.accessRequest,
        [
          ['User-Name', 'probe'],
          ['User-Password', 'x'],
          ['NAS-Identifier', 'probe'],
        ],
        SECRET,
        env.netflow.authPort,
      );
      if (reply) break;
    }
  } finally {
    probe.close();
  }
  return { env, routerId: router.id };
}

export interface Received {
  bytes: Buffer;
  packet: RadiusPacket;
  from: dgram.RemoteInfo;
}

/** What the fake server does with the n-th request (0-based): ignore it, answer, or send raw bytes. */
export type FakePolicy = (p: RadiusPacket, index: number) => 'drop' | { code: number; attributes?: Attribute[]; secret?: string } | Buffer;

export class FakeRadiusServer {
  readonly received: Received[] = [];
  private readonly socket = dgram.createSocket('udp4');
  private waiters: Array<() => void> = [];

  private constructor(
    private readonly secret: string,
    public policy: FakePolicy,
  ) {
    this.socket.on('message', (bytes, from) => {
      const packet = parsePacket(bytes);
      const index = this.received.length;
      this.received.push({ bytes: Buffer.from(bytes), packet, from });
      const action = this.policy(packet, index);
      if (Buffer.isBuffer(action)) this.socket.send(action, from.port, from.address);
      else if (action !== 'drop') {
        const reply = encodeResponse({
          request: packet,
          code: action.code,
          attributes: action.attributes ?? [],
          secret: action.secret ?? this.secret,
        });
        this.socket.send(reply, from.port, from.address);
      }
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static async open(secret: string, policy: FakePolicy): Promise<FakeRadiusServer> {
    const s = new FakeRadiusServer(secret, policy);
    await new Promise<void>((resolve) => s.socket.bind(0, '127.0.0.1', resolve));
    return s;
  }

  port(): number {
    return this.socket.address().port;
  }

  /** Waits (real time, bounded) until at least n requests have arrived. */
  async waitFor(n: number, timeoutMs = 3000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < n) {
      if (Date.now() > deadline) throw new Error(`fake server: ${this.received.length} of ${n} requests arrived`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 50);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.socket.close();
  }
}

export const ATTR_ACCT_STATUS_TYPE = 40;
export const ATTR_ACCT_DELAY_TIME = 41;

export function acctStatus(p: RadiusPacket): number | null {
  return integerAttr(p, ATTR_ACCT_STATUS_TYPE);
}

export function hasAttr(p: RadiusPacket, type: number): boolean {
  return attr(p, type) !== undefined;
}
