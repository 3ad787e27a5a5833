import type { AsymmetricAlgorithm } from '@keycard/jwt';
import { describe, expect, it } from 'vitest';
import { createGuard } from '../src/index.js';
import { startTestIssuer } from './support/test-issuer.js';

const ALGORITHMS: AsymmetricAlgorithm[] = ['ES256', 'ES384', 'ES512', 'EdDSA', 'RS256', 'PS256'];

describe.each(ALGORITHMS)('%s issuer', (alg) => {
  it('verifies its tokens through discovery and a remote JWKS, and refuses the algorithm when not allowed', async () => {
    const issuer = await startTestIssuer({ alg });
    const allowed = createGuard({ issuer: issuer.url, audience: 'rooms', revocation: false });
    const other = alg === 'ES256' ? 'EdDSA' : 'ES256';
    const narrow = createGuard({
      issuer: issuer.url,
      audience: 'rooms',
      revocation: false,
      algorithms: [other],
    });
    try {
      await allowed.ready();
      const headers = { authorization: `Bearer ${issuer.sign()}` };
      expect((await allowed.verifyRequest({ headers })).ok).toBe(true);
      await narrow.ready().catch(() => {});
      const result = await narrow.verifyRequest({ headers });
      expect(result.ok).toBe(false);
    } finally {
      await allowed.close();
      await narrow.close();
      await issuer.close();
    }
  });
});
