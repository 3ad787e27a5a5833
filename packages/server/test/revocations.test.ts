import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runMaintenance } from '../src/index.js';
import { addUser, getJson, postJson, type Running, startServer, testClock } from './helpers.js';

const PASSWORD = 'correct horse battery';

/** Reads SSE frames from a fetch body until `until` returns true or the stream ends. */
async function readSse(
  body: ReadableStream<Uint8Array>,
  until: (frames: string[]) => boolean,
): Promise<{ frames: string[]; ended: boolean }> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const frames: string[] = [];
  const deadline = setTimeout(() => void reader.cancel(), 5000);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return { frames, ended: true };
      buffer += decoder.decode(value, { stream: true });
      let index = buffer.indexOf('\n\n');
      while (index >= 0) {
        frames.push(buffer.slice(0, index));
        buffer = buffer.slice(index + 2);
        index = buffer.indexOf('\n\n');
      }
      if (until(frames)) return { frames, ended: false };
    }
  } finally {
    clearTimeout(deadline);
    reader.releaseLock();
  }
}

describe('revocation feed', () => {
  let r: Running;
  const clock = testClock();
  beforeEach(async () => {
    clock.set(Date.UTC(2030, 0, 1));
    r = await startServer({}, { clock });
    await addUser(r, 'alice', PASSWORD);
  });
  afterEach(() => r.close());

  const login = () => postJson(`${r.url}/api/login`, { username: 'alice', password: PASSWORD });

  it('long-poll: a waiting request wakes up with the logout event', async () => {
    const session = await login();
    const start = await getJson(`${r.url}/revocations`);
    expect(start.body).toEqual({ events: [], cursor: 0 });
    const polling = getJson(`${r.url}/revocations?after=${start.body.cursor}&wait=10`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await postJson(`${r.url}/api/logout`, { refresh_token: session.body.refresh_token });
    const page = await polling;
    expect(page.status).toBe(200);
    expect(page.body.events).toEqual([
      {
        cursor: 1,
        type: 'session',
        sid: session.body.session_id,
        at: Math.floor(clock() / 1000),
        expiresAt: Math.ceil(clock() / 1000) + 630,
      },
    ]);
    expect(page.body.cursor).toBe(1);
    const none = await getJson(`${r.url}/revocations?after=1&wait=0`);
    expect(none.body).toEqual({ events: [], cursor: 1 });
  });

  it('SSE: streams events and resumes after Last-Event-ID', async () => {
    const a = await login();
    const b = await login();
    const controller = new AbortController();
    const res = await fetch(`${r.url}/revocations/stream`, {
      signal: controller.signal,
      headers: { origin: 'https://door.example' },
    });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    await postJson(`${r.url}/api/logout`, { refresh_token: a.body.refresh_token });
    const { frames } = await readSse(res.body!, (f) => f.some((x) => x.includes('event: revocation')));
    const frame = frames.find((f) => f.includes('event: revocation'))!;
    expect(frame).toContain('id: 1');
    expect(JSON.parse(frame.split('data: ')[1]!)).toMatchObject({ type: 'session', sid: a.body.session_id });
    controller.abort();

    await postJson(`${r.url}/api/logout`, { refresh_token: b.body.refresh_token });
    const resumed = new AbortController();
    const again = await fetch(`${r.url}/revocations/stream`, {
      signal: resumed.signal,
      headers: { 'last-event-id': '1' },
    });
    const next = await readSse(again.body!, (f) => f.some((x) => x.includes('event: revocation')));
    const events = next.frames.filter((f) => f.includes('event: revocation'));
    expect(events).toHaveLength(1);
    expect(events[0]).toContain('id: 2');
    expect(events[0]).toContain(b.body.session_id);
    resumed.abort();
  });

  it('closing the server ends open streams and pending long-polls promptly', async () => {
    const stream = await fetch(`${r.url}/revocations/stream`);
    const polling = fetch(`${r.url}/revocations?wait=30`).then((res) => res.status);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    const reading = readSse(stream.body!, () => false);
    await r.server.close();
    expect((await reading).ended).toBe(true);
    expect(await polling).toBe(200);
    // Well before the 30 s the long-poll asked for: it was ended by the close, not by its own timer.
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('keeps events as long as a token could match them, then prunes; old cursors get a reset', async () => {
    const a = await login();
    await postJson(`${r.url}/api/logout`, { refresh_token: a.body.refresh_token });
    const b = await login();
    clock.advance(500_000);
    expect((await runMaintenance(r.server.services)).prunedEvents).toBe(0);
    await postJson(`${r.url}/api/logout`, { refresh_token: b.body.refresh_token });
    clock.advance(200_000);
    expect((await runMaintenance(r.server.services)).prunedEvents).toBe(1);
    const page = await getJson(`${r.url}/revocations`);
    expect(page.body.events.map((e: { cursor: number }) => e.cursor)).toEqual([2]);
    // A reader that last saw cursor 0 saw nothing, so nothing to reset; one at cursor 1 is fine; a gap is not.
    expect((await getJson(`${r.url}/revocations?after=1`)).body.reset).toBeUndefined();
    expect((await getJson(`${r.url}/revocations?after=9`)).body.reset).toBe(true);
    const sse = new AbortController();
    const res = await fetch(`${r.url}/revocations/stream?after=9`, { signal: sse.signal });
    const { frames } = await readSse(res.body!, (f) => f.some((x) => x.includes('event: reset')));
    expect(frames.some((f) => f.includes('event: reset'))).toBe(true);
    sse.abort();
  });

  it('rejects malformed cursors with a code', async () => {
    for (const q of ['after=-1', 'after=abc', 'wait=31', 'wait=x']) {
      const res = await getJson(`${r.url}/revocations?${q}`);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('ERR_VALIDATION');
    }
    const bad = await getJson(`${r.url}/revocations/stream`, { 'last-event-id': 'nope' });
    expect(bad.body.error.code).toBe('ERR_VALIDATION');
  });
});

describe('revocation stream keep-alive', () => {
  it('sends a ping comment at the configured interval', async () => {
    const r = await startServer({ databaseUrl: 'memory', revocations: { pingInterval: 1 } });
    try {
      const controller = new AbortController();
      const res = await fetch(`${r.url}/revocations/stream`, { signal: controller.signal });
      const { frames } = await readSse(res.body!, (f) => f.includes(': ping'));
      expect(frames).toContain(': ping');
      controller.abort();
    } finally {
      await r.close();
    }
  });
});

describe('revocation feed across instances', () => {
  it('a stream on one instance sees an event written by another (shared storage, no shared coordinator)', async () => {
    const { createStorage } = await import('../src/index.js');
    const storage = await createStorage({ driver: 'memory' });
    const masterKey = Buffer.alloc(32, 1).toString('base64url');
    const a = await startServer({ masterKey }, { storage });
    const b = await startServer({ masterKey }, { storage });
    try {
      await addUser(a, 'alice', PASSWORD);
      const login = await postJson(`${a.url}/api/login`, { username: 'alice', password: PASSWORD });
      const controller = new AbortController();
      const res = await fetch(`${b.url}/revocations/stream`, { signal: controller.signal });
      const polling = getJson(`${b.url}/revocations?wait=10`);
      await postJson(`${a.url}/api/logout`, { refresh_token: login.body.refresh_token });
      const { frames } = await readSse(res.body!, (f) => f.some((x) => x.includes('event: revocation')));
      expect(frames.some((f) => f.includes(login.body.session_id))).toBe(true);
      expect((await polling).body.events[0].sid).toBe(login.body.session_id);
      controller.abort();
    } finally {
      await a.close();
      await b.close();
      await storage.close();
    }
  });
});

describe('revocation feed under concurrent appends', () => {
  let r: Running;
  afterEach(() => r.close());

  it('an event appended while a page is being read is delivered, never skipped', async () => {
    r = await startServer({});
    const store = r.server.services.storage.revocations;
    const listAfter = store.listAfter.bind(store);
    let inject = true;
    // Another instance's logout lands exactly between the feed's two storage reads.
    store.listAfter = async (after, limit) => {
      const events = await listAfter(after, limit);
      if (inject) {
        inject = false;
        await store.append({
          type: 'session',
          sid: 'raced',
          at: Date.now(),
          expiresAt: Date.now() + 600_000,
        });
      }
      return events;
    };
    const first = await getJson(`${r.url}/revocations?after=0`);
    const second = await getJson(`${r.url}/revocations?after=${first.body.cursor}`);
    const seen = [...first.body.events, ...second.body.events].map((e: { sid?: string }) => e.sid);
    expect(seen).toContain('raced');
  });
});
