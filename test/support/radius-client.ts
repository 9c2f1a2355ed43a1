// A tiny RADIUS client for tests: sends datagrams from a real UDP socket on loopback and waits
// for the reply (or for silence). Replies are matched to requests by Identifier, so several
// requests can be in flight at once.
import dgram from 'node:dgram';
import { encodeRequest, type Attribute } from '../../src/radius/encode.js';
import { parsePacket, type RadiusPacket } from '../../src/radius/packet.js';

export class TestRadiusClient {
  private socket = dgram.createSocket('udp4');
  private waiters: Array<{ identifier: number; deliver: (msg: Buffer) => void }> = [];
  private nextId = 0;

  private constructor(private readonly host: string) {
    this.socket.on('message', (msg) => {
      const i = this.waiters.findIndex((w) => w.identifier === msg[1]);
      if (i >= 0) this.waiters.splice(i, 1)[0].deliver(msg);
    });
  }

  static async open(bindAddress = '127.0.0.1', host = '127.0.0.1'): Promise<TestRadiusClient> {
    const c = new TestRadiusClient(host);
    await new Promise<void>((resolve) => c.socket.bind(0, bindAddress, resolve));
    return c;
  }

  /** Sends raw bytes; resolves with the reply, or null after `timeoutMs` of silence. */
  sendRaw(bytes: Buffer, port: number, timeoutMs = 700): Promise<Buffer | null> {
    return new Promise((resolve) => {
      const waiter = {
        identifier: bytes[1],
        deliver: (msg: Buffer) => {
          clearTimeout(timer);
          resolve(msg);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(null);
      }, timeoutMs);
      this.waiters.push(waiter);
      this.socket.send(bytes, port, this.host);
    });
  }

  request(code: number, attributes: Attribute[], secret: string, messageAuthenticator = true) {
    const bytes = encodeRequest({ code, identifier: this.nextId++ & 255, attributes, secret, messageAuthenticator });
    return { bytes, authenticator: Buffer.from(bytes.subarray(4, 20)) };
  }

  async send(
    code: number,
    attributes: Attribute[],
    secret: string,
    port: number,
    messageAuthenticator = true,
  ): Promise<{ reply: RadiusPacket | null; raw: Buffer | null; request: Buffer }> {
    const { bytes } = this.request(code, attributes, secret, messageAuthenticator);
    const raw = await this.sendRaw(bytes, port);
    return { reply: raw ? parsePacket(raw) : null, raw, request: bytes };
  }

  close(): void {
    this.socket.close();
  }
}
