import type { RevocationPage } from '@keycard/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { API_AUDIENCE, FEED_SCOPE, type ServerContext } from '../../context.js';
import { ServerError } from '../../errors.js';
import { readRevocations, toWire, waitForRevocation } from '../../revocations/index.js';
import { sourceOf } from '../../throttle/index.js';
import { verifyAccessToken } from '../../tokens/index.js';
import type { AppHooks } from '../app.js';
import { boundKey, presentedCard } from '../bearer.js';
import { resourceRequestProof } from '../dpop.js';
import { parseInput } from '../input.js';

export { toWire } from '../../revocations/index.js';

const cursor = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const pollQuery = z.object({
  after: cursor.default(0),
  wait: z.coerce.number().int().min(0).max(30).default(0),
});
const streamQuery = z.object({ after: cursor.optional() });
/** A stream whose socket buffers more than this is too slow to follow the feed: it is ended. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

/** With `revocations.requireAuth`: a card of this server's own audience carrying `revocations:read`. */
async function authorizeReader(ctx: ServerContext, request: FastifyRequest): Promise<void> {
  if (!ctx.config.revocations.requireAuth) return;
  const card = presentedCard(request);
  if (card === undefined) throw new ServerError('ERR_UNAUTHENTICATED');
  const claims = await verifyAccessToken(ctx, card.token, { audience: API_AUDIENCE });
  // A DPoP-bound card reads the feed only with a proof of its key, as at `/api/*`.
  const jkt = boundKey(claims);
  if ((jkt !== undefined) !== (card.scheme === 'DPoP'))
    throw new ServerError('ERR_INVALID_TOKEN', { message: 'Send a DPoP-bound card, and only it, as DPoP' });
  if (jkt !== undefined) await resourceRequestProof(ctx, request, card.token, jkt);
  const scopes = typeof claims['scope'] === 'string' ? claims['scope'].split(' ') : [];
  if (!scopes.includes(FEED_SCOPE)) throw new ServerError('ERR_INSUFFICIENT_SCOPE');
}

/** `GET /revocations` (long-poll) and `GET /revocations/stream` (Server-Sent Events). */
export function revocationRoutes(app: FastifyInstance, ctx: ServerContext, hooks: AppHooks): void {
  app.get('/revocations', async (request, reply) => {
    const query = parseInput(pollQuery, request.query);
    await authorizeReader(ctx, request);
    const wait = Math.min(query.wait, ctx.config.revocations.maxWait);
    reply.header('cache-control', 'no-store');
    // Only a waiting long-poll holds a connection open; an immediate read is an ordinary request.
    const release = wait > 0 ? hooks.feedAdmission.admit(sourceOf(request.ip)) : () => {};
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
      const answer: RevocationPage = {
        events: page.events.map(toWire),
        cursor: page.cursor,
        ...(page.reset ? { reset: true } : {}),
        ...(page.more ? { more: true } : {}),
      };
      return answer;
    } finally {
      release();
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
    await authorizeReader(ctx, request);
    const release = hooks.feedAdmission.admit(sourceOf(request.ip));
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
    const write = (chunk: string) => {
      if (ended) return;
      if (raw.writableLength > MAX_BUFFERED_BYTES) {
        request.log.warn('revocation stream too slow to follow: ended');
        end();
        return;
      }
      raw.write(chunk);
    };
    const member = hooks.feedBroadcaster.join(write, after);
    const ping = setInterval(() => write(': ping\n\n'), ctx.config.revocations.pingInterval * 1000);
    const end = () => {
      if (ended) return;
      ended = true;
      clearInterval(ping);
      member.leave();
      release();
      hooks.closing.signal.removeEventListener('abort', end);
      raw.end();
    };
    member.joined.catch((err: unknown) => {
      request.log.error({ err }, 'revocation stream failed');
      end();
    });
    hooks.closing.signal.addEventListener('abort', end, { once: true });
    raw.on('close', end);
  });
}
