import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGuard } from '../src/index.js';
import type { TestIssuer } from './support/test-issuer.js';
import { startTestIssuer } from './support/test-issuer.js';

/**
 * A service's first requests after a deploy: a card that arrives while the guard is still starting
 * (discovery, keys, the first sync of the revocation feed) waits for the start instead of being
 * refused with 503; a start that failed still refuses at once, without waiting again.
 */
describe('requests during the guard start', () => {
  let issuer: TestIssuer;
  beforeAll(async () => {
    issuer = await startTestIssuer();
  });
  afterAll(() => issuer.close());

  it('a card presented before the guard is ready is verified once the start is done', async () => {
    const guard = createGuard({ issuer: issuer.url, audience: 'rooms' });
    try {
      // No ready(): the request is the first thing the guard sees.
      const result = await guard.verifyRequest({ headers: { authorization: `Bearer ${issuer.sign()}` } });
      expect(result.ok, result.ok ? '' : result.error.code).toBe(true);
    } finally {
      await guard.close();
    }
  });

  it('a start that fails (issuer away) still refuses with 503', async () => {
    issuer.setDown(true);
    const guard = createGuard({
      issuer: issuer.url,
      audience: 'rooms',
      revocation: { minReconnectDelayMs: 50, maxReconnectDelayMs: 200 },
    });
    try {
      const card = { headers: { authorization: `Bearer ${issuer.sign()}` } };
      const first = await guard.verifyRequest(card);
      expect(first.ok ? 'accepted' : first.error.code).toBe('ERR_GUARD_NO_KEYS');
      const second = await guard.verifyRequest(card);
      expect(second.ok ? 'accepted' : second.error.status).toBe(503);
    } finally {
      issuer.setDown(false);
      await guard.close();
    }
  });
});
