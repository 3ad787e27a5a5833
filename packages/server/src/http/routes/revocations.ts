import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ServerContext } from '../../context.js';
import { ServerError } from '../../errors.js';
import { readRevocations, waitForRevocation } from '../../revocations/index.js';
import type { RevocationEvent } from '../../storage/index.js';
import type { AppHooks } from '../app.js';
import { parseInput } from '../input.js';

const cursor = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const pollQuery = z.object({
  after: cursor.default(0),
  wait: z.coerce.number().int().min(0).max(30).default(0),
});
const streamQuery = z.object({ after: cursor.optional() });

/** Storage keeps milliseconds; the feed speaks seconds like the tokens it revokes. */
export function toWire(event: RevocationEvent) {
  const at = Math.floor(event.at / 1000);
  const expiresAt = Math.ceil(event.expiresAt / 1000);
  switch (event.type) {
    case 'session':
      return { cursor: event.cursor, type: event.type, sid: event.sid, at, expiresAt };
    case 'token':
      return { cursor: event.cursor, type: event.type, jti: event.jti, at, expiresAt };
    case 'subject':
      // Rounded up: a token issued in the same second as the revocation counts as revoked.
      return {
        cursor: event.cursor,
        type: event.type,
        sub: event.sub,
        notBefore: Math.ceil(event.notBefore / 1000),
        at,
        expiresAt,
      };
  }
}

/** `GET /revocations` (long-poll) and `GET /revocations/stream` (Server-Sent Events). */
export function revocationRoutes(app: FastifyInstance, ctx: ServerContext, hooks: AppHooks): void {
  app.get('/revocations', async (request, reply) => {
    const query = parseInput(pollQuery, request.query);
    const wait = Math.min(query.wait, ctx.config.revocations.maxWait);
    reply.header('cache-control', 'no-store');
    const stop = new AbortController();
    const onGone = () => stop.abort();
    hooks.closing.signal.addEventListener('abort', onGone, { once: true });
    request.raw.once('close', onGone);
    try {
      // Subscribe before reading, so an event appended in between still wakes us.
      const notified = wait > 0 ? waitForRevocation(hooks.feed, wait * 1000, stop.signal) : undefined;
      let page = await readRevocations(ctx, query.after);
      if (
        notified !== undefined &&
        page.events.length === 0 &&
        !page.reset &&
        !hooks.closing.signal.aborted
      ) {
        await notified;
        page = await readRevocations(ctx, query.after);
      }
      return { events: page.events.map(toWire), cursor: page.cursor, ...(page.reset ? { reset: true } : {}) };
    } finally {
      stop.abort();
      hooks.closing.signal.removeEventListener('abort', onGone);
      request.raw.off('close', onGone);
    }
  });

  app.get('/revocations/stream', async (request, reply) => {
    const query = parseInput(streamQuery, request.query);
    const lastEventId = request.headers['last-event-id'];
    let after = query.after ?? 0;
    if (typeof lastEventId === 'string' && lastEventId !== '') {
      const parsed = cursor.safeParse(lastEventId);
      if (!parsed.success)
        throw new ServerError('ERR_VALIDATION', { message: 'Invalid request: Last-Event-ID' });
      after = parsed.data;
    }
    if (hooks.closing.signal.aborted) throw new ServerError('ERR_NOT_READY');
    reply.hijack();
    const raw = reply.raw;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(reply.getHeaders())) {
      if (value !== undefined) headers[name] = String(value);
    }
    raw.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    raw.write('retry: 2000\n\n');

    let ended = false;
    let pumping: Promise<void> = Promise.resolve();
    const pump = async () => {
      for (;;) {
        if (ended) return;
        const page = await readRevocations(ctx, after);
        if (page.reset) raw.write('event: reset\ndata: {}\n\n');
        for (const event of page.events) {
          raw.write(`id: ${event.cursor}\nevent: revocation\ndata: ${JSON.stringify(toWire(event))}\n\n`);
        }
        after = Math.max(after, page.cursor);
        if (page.events.length < 1000) return;
      }
    };
    const schedule = () => {
      pumping = pumping.then(pump).catch((err: unknown) => {
        request.log.error({ err }, 'revocation stream failed');
        end();
      });
    };
    const unsubscribe = hooks.feed.subscribe(schedule);
    const ping = setInterval(() => raw.write(': ping\n\n'), ctx.config.revocations.pingInterval * 1000);
    const end = () => {
      if (ended) return;
      ended = true;
      clearInterval(ping);
      unsubscribe();
      hooks.closing.signal.removeEventListener('abort', end);
      raw.end();
    };
    hooks.closing.signal.addEventListener('abort', end, { once: true });
    raw.on('close', end);
    schedule();
  });
}
