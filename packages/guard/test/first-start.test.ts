import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPair } from '@keycard/jwt';
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

  it('a start that never completes (a feed that never answers) refuses with 503 instead of holding requests', async () => {
    const key = await generateKeyPair('ES256');
    const jwks = { keys: [{ ...key.publicKey.toJWK(), kid: 'k1', alg: 'ES256', use: 'sig' }] };
    let url = '';
    const silent: Server = createServer((req, res) => {
      if (req.url === '/.well-known/openid-configuration') {
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            issuer: url,
            jwks_uri: `${url}/jwks`,
            keycard_revocations_stream_endpoint: `${url}/stream`,
          }),
        );
      } else if (req.url === '/jwks') {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(jwks));
      } else if (req.url?.startsWith('/stream')) {
        // Accepts the connection and never answers: the feed's first sync never comes.
      } else {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const guard = createGuard({ issuer: url, audience: 'rooms', fetchTimeoutMs: 200 });
    try {
      const card = { headers: { authorization: 'Bearer eyJhbGciOiJFUzI1NiJ9.e30.c2ln' } };
      const [first, second] = await Promise.all([guard.verifyRequest(card), guard.verifyRequest(card)]);
      for (const result of [first, second]) expect(result.ok ? 'accepted' : result.error.status).toBe(503);
      // Later requests do not wait again.
      const later = await guard.verifyRequest(card);
      expect(later.ok ? 'accepted' : later.error.status).toBe(503);
    } finally {
      await guard.close();
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
