import type { ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RevocationFeed } from '../src/feed/revocation-feed.js';
import { RevocationState } from '../src/feed/revocation-state.js';
import { createGuard } from '../src/index.js';
import { trackKeepAlive } from './support/keep-alive.js';
import type { TestIssuer } from './support/test-issuer.js';
import { eventually, startTestIssuer } from './support/test-issuer.js';

let issuer: TestIssuer;
beforeAll(async () => {
  issuer = await startTestIssuer();
});
afterAll(() => issuer.close());

/** Waits for a condition, with no deadline of its own (the test timeout stops a hang). */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 5).unref());
}

describe('lifecycle', () => {
  it('close() leaves nothing that keeps the process alive', async () => {
    // The issuer's own end of each connection is left out: in production it lives in another process.
    const tracker = trackKeepAlive(Number(new URL(issuer.url).port));
    try {
      const guard = createGuard({ issuer: issuer.url, audience: 'rooms' });
      await guard.ready();
      // ready() means "synced by a poll"; the stream opens just after: wait for it, then it must show.
      await until(() => guard.metrics().feedConnected);
      expect(tracker.alive()).toContain('TCPWRAP');
      await guard.close();
      await tracker.ioReleased();
      expect(tracker.alive()).toEqual([]);
    } finally {
      tracker.stop();
    }
  });

  it('close() also stops a guard whose issuer never answered (no retry timer left)', async () => {
    const tracker = trackKeepAlive(Number(new URL(issuer.url).port));
    try {
      const guard = createGuard({
        issuer: 'http://127.0.0.1:9',
        audience: 'rooms',
        fetchTimeoutMs: 200,
        revocation: { minReconnectDelayMs: 10_000 },
      });
      await expect(guard.ready()).rejects.toMatchObject({ code: 'ERR_GUARD_DISCOVERY_FAILED' });
      await guard.close();
      await tracker.ioReleased();
      expect(tracker.alive()).toEqual([]);
    } finally {
      tracker.stop();
    }
  });

  it('falls back to long-polling when streams are closed as soon as they open', async () => {
    let streams = 0;
    const flaky = createServer((req, res) => {
      if (req.url?.startsWith('/stream')) {
        streams++;
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end('retry: 1000\n\n');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"events":[],"cursor":0}');
    });
    await new Promise<void>((r) => flaky.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(flaky.address() as AddressInfo).port}`;
    const feed = new RevocationFeed({
      streamUri: `${base}/stream`,
      pollUri: `${base}/poll`,
      state: new RevocationState(),
      onEvent: () => {},
      onReset: () => {},
      onError: () => {},
      clock: Date.now,
      connectTimeoutMs: 1000,
      minReconnectDelayMs: 5,
      maxReconnectDelayMs: 20,
      idleTimeoutMs: 10_000,
      pollWaitSeconds: 0,
      streamFailuresBeforePoll: 3,
      pollsBeforeStreamRetry: 1_000_000,
    });
    try {
      feed.start();
      await eventually(() => feed.mode === 'poll');
      expect(streams).toBe(3);
    } finally {
      feed.close();
      flaky.closeAllConnections();
      await new Promise((r) => flaky.close(r));
    }
  });

  it('reconnects a stream that has gone silent (idle watchdog)', async () => {
    let connections = 0;
    const open: ServerResponse[] = [];
    const silent = createServer((_req, res) => {
      connections++;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(': hello\n\nevent: synced\ndata: {"cursor":0}\n\n');
      open.push(res); // and then nothing, like a half-open connection
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const feed = new RevocationFeed({
      streamUri: `http://127.0.0.1:${(silent.address() as AddressInfo).port}/revocations/stream`,
      pollUri: undefined,
      state: new RevocationState(),
      onEvent: () => {},
      onReset: () => {},
      onError: () => {},
      clock: Date.now,
      connectTimeoutMs: 1000,
      minReconnectDelayMs: 5,
      maxReconnectDelayMs: 10,
      idleTimeoutMs: 60,
      pollWaitSeconds: 0,
      streamFailuresBeforePoll: 100,
    });
    try {
      feed.start();
      await feed.ready();
      await eventually(() => connections >= 3);
      expect(feed.reconnects).toBeGreaterThanOrEqual(2);
    } finally {
      feed.close();
      for (const res of open) res.destroy();
      await new Promise((r) => silent.close(r));
    }
  });
});
