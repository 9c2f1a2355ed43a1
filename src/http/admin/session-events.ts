// GET /api/v1/admin/sessions/events: live sessions as server-sent events (role viewer).
//
// Fed by PostgreSQL, not by this process: statement-level triggers on accounting_sessions NOTIFY
// netflow_sessions with the ids a RADIUS accounting batch opened, closed or updated
// (prisma/functions/notify.sql), and every NetFlow instance LISTENs on one connection of its own
// and passes them to its streams. So a login accounted by instance A shows on a dashboard
// connected to instance B. Payloads are ids only: the dashboard reads the rows it wants through
// GET /sessions/:id or GET /sessions.
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
}

interface Stream {
  res: ServerResponse;
  tokenHash: string;
  timer: NodeJS.Timeout;
}

/** "open:12,13" → { kind: 'open', ids: ['12', '13'] }; "open:*" → ids null (reload). */
export function parseSessionNotification(payload: string): SessionEvent | null {
  const m = /^(open|close|update):(\*|\d+(?:,\d+)*)$/.exec(payload);
  if (!m) return null;
  return { kind: m[1] as SessionEvent['kind'], ids: m[2] === '*' ? null : m[2].split(',') };
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

  // One LISTEN connection per instance, opened with the first stream.
  const listen = () =>
    (listening ??= listenForever({
      url: deps.databaseUrl,
      channels: ['netflow_sessions', 'netflow_admin_sessions'],
      onNotify(channel, payload) {
        if (channel === 'netflow_admin_sessions') {
          for (const s of streams) void recheck(s);
          return;
        }
        const event = parseSessionNotification(payload);
        if (event) broadcast(event);
      },
      // Notifications sent while the connection was down are lost: tell dashboards to reload.
      onReconnect: () => {
        broadcast({ kind: 'update', ids: null });
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
    // The response's close: the connection went away (or end() above finished it).
    res.on('close', () => {
      streams.delete(stream);
      clearInterval(stream.timer);
    });
  });
};
