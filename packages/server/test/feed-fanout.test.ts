// Issue 9, item 6: every SSE stream of an instance shares one reader of storage; streams are capped
// per source address and in total; the feed can require a card.
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, createStorage, type Storage } from '../src/index.js';
import { publishRevocation } from '../src/revocations/index.js';
import { postForm, type Running, startServer } from './helpers.js';

/** Opens an SSE stream and collects its text until `close()`. */
async function openStream(url: string, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const response = await fetch(`${url}/revocations/stream`, { headers, signal: controller.signal });
  let text = '';
  if (response.status === 200) {
    const reader = response.body!.getReader();
    void (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        text += new TextDecoder().decode(value);
      }
    })().catch(() => {});
  }
  return {
    response,
    text: () => text,
    close: () => controller.abort(),
  };
}

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('revocation feed fan-out', () => {
  let r: Running | undefined;
  const streams: { close(): void }[] = [];
  afterEach(async () => {
    for (const s of streams.splice(0)) s.close();
    await r?.close();
    r = undefined;
  });

  it('many open streams raise no MaxListenersExceededWarning', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      r = await startServer({ revocations: { maxReadersPerAddress: 100 } });
      for (let i = 0; i < 30; i++) streams.push(await openStream(r.url));
      const open = streams as Awaited<ReturnType<typeof openStream>>[];
      await until(() => open.every((s) => s.text().includes('event: synced')));
      // Warnings are emitted on the next tick after the listener that crosses the limit.
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('N streams cost one storage read per event, and every stream gets the same bytes', async () => {
    const storage: Storage = await createStorage({ driver: 'memory' });
    let reads = 0;
    const listAfter = storage.revocations.listAfter.bind(storage.revocations);
    storage.revocations.listAfter = (after, limit) => {
      reads++;
      return listAfter(after, limit);
    };
    r = await startServer({ revocations: { maxReadersPerAddress: 100 } }, { storage });
    const N = 20;
    for (let i = 0; i < N; i++) streams.push(await openStream(r.url));
    const open = streams as Awaited<ReturnType<typeof openStream>>[];
    await until(() => open.every((s) => s.text().includes('event: synced')));

    reads = 0;
    const K = 5;
    const ctx = r.server.services;
    for (let i = 1; i <= K; i++) {
      const now = ctx.clock();
      const event = await publishRevocation(ctx, {
        type: 'token',
        jti: `j${i}`,
        at: now,
        expiresAt: now + 60_000,
      });
      await until(() => open.every((s) => s.text().includes(`id: ${event.cursor}\n`)));
    }
    // One read per event (two at most, when the 1 s storage poll and the fan-out race), never per stream.
    expect(reads).toBeGreaterThanOrEqual(1);
    expect(reads).toBeLessThanOrEqual(2 * K);
    const tail = (s: (typeof open)[number]) => s.text().slice(s.text().indexOf('event: synced'));
    for (const s of open) expect(tail(s)).toBe(tail(open[0]!));
  });

  it('caps streams per source address (429) and in total (503), with Retry-After', async () => {
    r = await startServer({
      databaseUrl: 'memory',
      revocations: { maxReadersPerAddress: 2, maxReaders: 10 },
    });
    for (let i = 0; i < 2; i++) streams.push(await openStream(r.url));
    const third = await openStream(r.url);
    expect(third.response.status).toBe(429);
    expect(third.response.headers.get('retry-after')).toBe('30');
    expect((await third.response.json()).error.code).toBe('ERR_RATE_LIMITED');
    // A closed stream gives its slot back.
    streams.shift()!.close();
    const response = await (async () => {
      for (;;) {
        const s = await openStream(r!.url);
        if (s.response.status !== 429) return s;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    streams.push(response);
    expect(response.response.status).toBe(200);
    await r.close();

    r = await startServer({
      databaseUrl: 'memory',
      revocations: { maxReadersPerAddress: 10, maxReaders: 2 },
    });
    for (let i = 0; i < 2; i++) streams.push(await openStream(r.url));
    const full = await openStream(r.url);
    expect(full.response.status).toBe(503);
    expect(full.response.headers.get('retry-after')).toBe('30');
    expect((await full.response.json()).error.code).toBe('ERR_FEED_FULL');
    // A waiting long-poll counts too; an immediate read does not.
    expect((await fetch(`${r.url}/revocations?wait=5`)).status).toBe(503);
    expect((await fetch(`${r.url}/revocations`)).status).toBe(200);
  });

  it('with revocations.requireAuth, readers need a card with scope revocations:read', async () => {
    r = await startServer({ databaseUrl: 'memory', revocations: { requireAuth: true } });
    const ctx = r.server.services;
    const { secret } = await createClient(ctx, {
      id: 'door-rooms',
      type: 'confidential',
      grants: ['client_credentials'],
      audiences: ['keycard'],
      scopes: ['revocations:read'],
    });
    expect((await fetch(`${r.url}/revocations`)).status).toBe(401);
    const denied = await openStream(r.url);
    expect(denied.response.status).toBe(401);
    const token = await postForm(`${r.url}/oauth/token`, {
      grant_type: 'client_credentials',
      client_id: 'door-rooms',
      client_secret: secret!,
      scope: 'revocations:read',
    });
    expect(token.status).toBe(200);
    const authorization = `Bearer ${token.body.access_token}`;
    expect((await fetch(`${r.url}/revocations`, { headers: { authorization } })).status).toBe(200);
    const allowed = await openStream(r.url, { authorization });
    streams.push(allowed);
    expect(allowed.response.status).toBe(200);
  });
});
