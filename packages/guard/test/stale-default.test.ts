import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGuard } from '../src/index.js';
import type { TestIssuer } from './support/test-issuer.js';
import { eventually, startTestIssuer } from './support/test-issuer.js';

/**
 * DESIGN.md: "a guard that cannot hear the feed says so and stops serving after a bounded time".
 * With no stalePolicy given (the default), a library guard reports the lost feed in its metrics and
 * answers 503 ERR_GUARD_FEED_STALE once maxStaleness has passed; it serves again when the feed is back.
 */
describe('a guard left with the default stale policy', () => {
  let issuer: TestIssuer;
  beforeAll(async () => {
    issuer = await startTestIssuer();
  });
  afterAll(() => issuer.close());

  it('defaults to reject after 120 s, and refuses once the feed has been out of touch that long', async () => {
    const plain = createGuard({ issuer: issuer.url, audience: 'rooms' });
    expect(plain.options.revocation).toMatchObject({ stalePolicy: 'reject', maxStalenessMs: 120_000 });
    await plain.close();
    const guard = createGuard({
      issuer: issuer.url,
      audience: 'rooms',
      revocation: { maxStalenessSeconds: 0, minReconnectDelayMs: 50, maxReconnectDelayMs: 200 },
    });
    try {
      await guard.ready();
      await eventually(() => guard.metrics().feedConnected);
      const card = { headers: { authorization: `Bearer ${issuer.sign()}` } };
      expect((await guard.verifyRequest(card)).ok).toBe(true);
      issuer.setDown(true);
      await eventually(() => !guard.metrics().feedConnected);
      await eventually(async () => {
        const result = await guard.verifyRequest(card);
        return !result.ok && result.error.code === 'ERR_GUARD_FEED_STALE' && result.error.status === 503;
      });
      expect(guard.metrics().feedStalenessMs).toBeGreaterThan(0);
      issuer.setDown(false);
      await eventually(async () => (await guard.verifyRequest(card)).ok);
    } finally {
      await guard.close();
    }
  }, 30_000);
});
