import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServiceClient } from '../src/index.js';
import type { TestIssuer } from './support/test-issuer.js';
import { startTestIssuer } from './support/test-issuer.js';

let issuer: TestIssuer;
beforeAll(async () => {
  issuer = await startTestIssuer();
});
afterAll(() => issuer.close());

describe('createServiceClient', () => {
  it('validates its options', () => {
    expect(() => createServiceClient({ clientId: '', clientSecret: 'x', issuer: issuer.url })).toThrow(
      expect.objectContaining({ code: 'ERR_GUARD_OPTIONS_INVALID', option: 'clientId' }),
    );
    expect(() => createServiceClient({ clientId: 'a', clientSecret: 'x' })).toThrow(
      expect.objectContaining({ option: 'issuer' }),
    );
    const renamed = { clientId: 'a', clientSecret: 'x', issuer: issuer.url, refreshSkew: 5 };
    expect(() => createServiceClient(renamed as Parameters<typeof createServiceClient>[0])).toThrow(
      expect.objectContaining({
        code: 'ERR_GUARD_OPTIONS_INVALID',
        option: 'refreshSkew',
        message: expect.stringContaining('refreshSkewSeconds'),
      }),
    );
  });

  it('caches the token, single-flights concurrent calls and refreshes before expiry', async () => {
    let now = Date.now();
    const client = createServiceClient({
      issuer: issuer.url,
      clientId: 'svc',
      clientSecret: 'svc-secret',
      scope: 'rooms:read',
      clock: () => now,
    });
    const before = issuer.counts.token;
    const tokens = await Promise.all(Array.from({ length: 20 }, () => client.getToken()));
    expect(new Set(tokens).size).toBe(1);
    expect(issuer.counts.token - before).toBe(1);
    expect(await client.getToken()).toBe(tokens[0]);
    now += 600_000 * 0.81; // past 80 % of the 600 s lifetime
    const refreshed = await client.getToken();
    expect(issuer.counts.token - before).toBe(2);
    expect(refreshed).not.toBe(tokens[0]);
  });

  it('reports a bad secret as ERR_GUARD_CLIENT_TOKEN_FAILED', async () => {
    const client = createServiceClient({
      tokenEndpoint: `${issuer.url}/oauth/token`,
      clientId: 'svc',
      clientSecret: 'no',
    });
    await expect(client.getToken()).rejects.toMatchObject({ code: 'ERR_GUARD_CLIENT_TOKEN_FAILED' });
  });

  it('fetch adds the bearer token and retries once with a fresh token on 401', async () => {
    const seen: string[] = [];
    const api = createServer((req, res) => {
      seen.push(req.headers.authorization ?? '');
      res.writeHead(seen.length === 1 ? 401 : 200).end(String(seen.length));
    });
    await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
    try {
      const client = createServiceClient({ issuer: issuer.url, clientId: 'svc', clientSecret: 'svc-secret' });
      const res = await client.fetch(`http://127.0.0.1:${(api.address() as AddressInfo).port}/x`);
      expect(res.status).toBe(200);
      expect(seen).toHaveLength(2);
      expect(seen[0]).toMatch(/^Bearer /);
      expect(seen[1]).not.toBe(seen[0]);
    } finally {
      api.closeAllConnections();
      await new Promise((r) => api.close(r));
    }
  });
});
