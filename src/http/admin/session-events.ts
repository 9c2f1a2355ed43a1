// GET /api/v1/admin/sessions/events: live sessions as server-sent events (role viewer).
//
// Fed by PostgreSQL, not by this process: while an instance has a stream open, it reads the ids of
// the open accounting sessions every poll (default 2 s; one scan of a partial index) and sends what
// changed — `open` for new ids, `close` for ids no longer open — plus an `update` (reload) when an
// open session has been heard from since the last one, at most every 30 s. Every instance reads the
// same table, so a login accounted by instance A shows on a dashboard connected to instance B.
// Why a poll and not NOTIFY from the accounting statement: triggers with transition tables on
// accounting_sessions cost RADIUS accounting about 15 % of its throughput (bench:radius, interleaved
// runs), and the poll costs nothing when no dashboard is watching. Payloads are ids only: the
// dashboard reads the rows it wants through GET /sessions/:id or GET /sessions.
//
// A stream lives as long as its session: it is checked every heartbeat (a ": ping" comment every
// 15 s, which also keeps proxies from closing the connection) and at once when any sign-in ends
// anywhere (NOTIFY netflow_admin_sessions on a logout, role change or disable); an ended session
// gets `event: end` and the stream closes.
import type { ServerResponse } from 'node:http';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Logger } from '../../config/logger.js';
import type { PrismaClient } from '../../db/generated/client.js';
import { listenForever, type Listener } from '../../db/listener.js';
import { sessionStillValid, type SessionPolicy } from '../../admin/sign-in.js';
import type { SessionEvent } from '../schemas/admin-sessions.js';

export interface SessionEventsOptions {
  /** Between ": ping" comments and session checks (default 15 s). */
  heartbeatMs?: number;
  /** Between reads of the open sessions (default 2 s). */
  pollMs?: number;
  /** At most one `update` (usage changed) per this many ms (default 30 s). */
  updateMs?: number;
}

/** More ids than this in one event: send null (reload) instead. */
const MAX_IDS = 500;

interface Stream {
  res: ServerResponse;
  tokenHash: string;
  timer: NodeJS.Timeout;
}

/** What changed between two reads of the open sessions' ids: the `open` and `close` events. */
export function sessionChanges(before: ReadonlySet<string>, now: ReadonlySet<string>): SessionEvent[] {
  const opened = [...now].filter((id) => !before.has(id));
  const closed = [...before].filter((id) => !now.has(id));
  const event = (kind: SessionEvent['kind'], ids: string[]): SessionEvent => ({ kind, ids: ids.length > MAX_IDS ? null : ids });
  return [...(opened.length ? [event('open', opened)] : []), ...(closed.length ? [event('close', closed)] : [])];
}

const frame = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

export const sessionEventsPlugin: FastifyPluginAsyncTypebox<{
  prisma: PrismaClient;
  databaseUrl: string;
  session: SessionPolicy;
  events?: SessionEventsOptions;
  log?: Logger;
}> = async (app, deps) => {
  const heartbeatMs = deps.events?.heartbeatMs ?? 15_000;
  const pollMs = deps.events?.pollMs ?? 2_000;
  const updateMs = deps.events?.updateMs ?? 30_000;
  const streams = new Set<Stream>();
  let listening: Promise<Listener> | null = null;

  const broadcast = (event: SessionEvent) => {
    const text = frame('sessions', event);
    for (const s of streams) s.res.write(text);
  };

  const end = (s: Stream, reason: string) => {
    if (!streams.delete(s)) return;
    clearInterval(s.timer);
    s.res.end(frame('end', { reason }));
  };

  const recheck = async (s: Stream) => {
    try {
      if (!(await sessionStillValid(deps.prisma, s.tokenHash, deps.session))) end(s, 'signed_out');
    } catch (err) {
      deps.log?.warn('admin event stream: session check failed', { error: (err as Error).message });
    }
  };

  // The open sessions as last read; null: not read yet (the first read sends nothing).
  let openIds: Set<string> | null = null;
  let lastHeard = 0;
  let lastUpdateSent = 0;
  let poller: NodeJS.Timeout | null = null;
  let polling = false;
  const poll = async () => {
    if (polling) return; // a slow read is not stacked on
    polling = true;
    try {
      const rows = await deps.prisma.$queryRaw<{ id: string; heard: Date }[]>`
        SELECT id::text AS id, updated_at AS heard FROM accounting_sessions WHERE status = 'open'`;
      const now = new Set(rows.map((r) => r.id));
      const heard = rows.reduce((max, r) => Math.max(max, r.heard.getTime()), 0);
      if (openIds) for (const event of sessionChanges(openIds, now)) broadcast(event);
      if (openIds && heard > lastHeard && Date.now() - lastUpdateSent >= updateMs) {
        broadcast({ kind: 'update', ids: null });
        lastUpdateSent = Date.now();
      }
      if (!openIds || heard > lastHeard) lastHeard = heard;
      openIds = now;
    } catch (err) {
      deps.log?.warn('admin event stream: reading open sessions failed', { error: (err as Error).message });
    } finally {
      polling = false;
    }
  };
  /** Polls while at least one stream is open, and not otherwise. */
  const pollWhileWatched = async () => {
    if (streams.size > 0 && !poller) {
      await poll();
      poller = setInterval(() => void poll(), pollMs);
    } else if (streams.size === 0 && poller) {
      clearInterval(poller);
      poller = null;
      openIds = null;
    }
  };

  // One LISTEN connection per instance (sign-ins ended anywhere), opened with the first stream.
  const listen = () =>
    (listening ??= listenForever({
      url: deps.databaseUrl,
      channels: ['netflow_admin_sessions'],
      onNotify() {
        for (const s of streams) void recheck(s);
      },
      // A logout sent while the connection was down is not lost: check every stream again.
      onReconnect: () => {
        for (const s of streams) void recheck(s);
      },
      onError: (err) => deps.log?.warn('admin event stream listener lost; reconnecting', { error: err.message }),
    }).catch((err: unknown) => {
      listening = null;
      throw err;
    }));

  // Before the server stops accepting: an open stream would otherwise hold the close forever.
  app.addHook('preClose', async () => {
    for (const s of [...streams]) end(s, 'shutdown');
    await pollWhileWatched();
  });
  app.addHook('onClose', async () => {
    const l = await listening?.catch(() => null);
    await l?.close();
  });

  app.get('/sessions/events', { config: { role: 'viewer' } }, async (req, reply) => {
    await listen();
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      // nginx: pass events on as they come.
      'x-accel-buffering': 'no',
    });
    res.write('retry: 5000\n: connected\n\n');
    const stream: Stream = {
      res,
      tokenHash: req.admin!.tokenHash,
      timer: setInterval(() => {
        res.write(': ping\n\n');
        void recheck(stream);
      }, heartbeatMs),
    };
    streams.add(stream);
    await pollWhileWatched();
    // The response's close: the connection went away (or end() above finished it).
    res.on('close', () => {
      streams.delete(stream);
      clearInterval(stream.timer);
      void pollWhileWatched();
    });
  });
};
