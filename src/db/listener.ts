// A LISTEN connection that comes back. PostgreSQL restarts (or a dropped connection) end a
// LISTEN silently for the caller: without reconnecting, NetFlow would learn of changes only by
// its slow polls. On every reconnection the caller is told to catch up (notifications sent
// while the connection was down are lost by design in PostgreSQL).
import pg from 'pg';

export interface ListenOptions {
  url: string;
  channels: string[];
  /** payload: what the NOTIFY said ('' when it said nothing). */
  onNotify(channel: string, payload: string): void;
  /** After a reconnection: reload whatever the lost notifications would have announced. */
  onReconnect(): void;
  onError(err: Error): void;
  /** First wait before reconnecting; doubles up to maxDelayMs. */
  initialDelayMs?: number;
  maxDelayMs?: number;
}

export interface Listener {
  close(): Promise<void>;
}

/** Connects and LISTENs (rejects if the first connection fails); then keeps the connection up. */
export async function listenForever(options: ListenOptions): Promise<Listener> {
  const initialDelay = options.initialDelayMs ?? 250;
  const maxDelay = options.maxDelayMs ?? 15_000;
  let client: pg.Client | null = null;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let delay = initialDelay;

  async function connect(): Promise<void> {
    const c = new pg.Client({ connectionString: options.url });
    c.on('notification', (n) => options.onNotify(n.channel, n.payload ?? ''));
    c.on('error', (err) => {
      options.onError(err);
      lost(c);
    });
    c.on('end', () => lost(c));
    await c.connect();
    for (const channel of options.channels) await c.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    client = c;
  }

  function lost(c: pg.Client): void {
    if (closed || client !== c) return;
    client = null;
    c.end().catch(() => {});
    schedule();
  }

  function schedule(): void {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      connect().then(
        () => {
          delay = initialDelay;
          options.onReconnect();
        },
        (err: Error) => {
          options.onError(err);
          delay = Math.min(delay * 2, maxDelay);
          schedule();
        },
      );
    }, delay);
    timer.unref();
  }

  await connect();
  return {
    async close() {
      closed = true;
      clearTimeout(timer);
      await client?.end().catch(() => {});
    },
  };
}
