import { createDpopProof, generateKeyPair } from '@keycard/jwt';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, updateClient } from '../src/index.js';
import { addUser, type Body, postForm, postJson, type Running, startServer } from './helpers.js';

const claimsOf = (token: string): Body =>
  JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());

/** Attacks on the auth server from outside, through HTTP; each must be refused. */
describe('attacks on the auth server', () => {
  let r: Running | undefined;
  afterEach(async () => {
    await r?.close();
    r = undefined;
  });

  it('rotating addresses inside one IPv6 /64 does not escape the per-IP sign-in limit', async () => {
    r = await startServer({
      databaseUrl: 'memory',
      trustProxy: true,
      throttle: { loginPerIp: { limit: 3, windowSeconds: 60 } },
    });
    const statuses: number[] = [];
    for (let i = 1; i <= 4; i++) {
      const res = await postJson(
        `${r.url}/api/login`,
        { username: `u${i}`, password: 'x' },
        { 'x-forwarded-for': `2001:db8:1:2::${i}` },
      );
      statuses.push(res.status);
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
  });

  it('an IPv4-mapped IPv6 spelling of an address shares its per-IP token limit', async () => {
    r = await startServer({
      databaseUrl: 'memory',
      trustProxy: true,
      throttle: { tokenPerIp: { limit: 2, windowSeconds: 60 } },
    });
    const refresh = (ip: string) =>
      postForm(
        `${r!.url}/oauth/token`,
        { grant_type: 'refresh_token', refresh_token: 'x', client_id: 'keycard-cli' },
        { 'x-forwarded-for': ip },
      );
    const statuses = [
      (await refresh('203.0.113.7')).status,
      (await refresh('::ffff:203.0.113.7')).status,
      (await refresh('::FFFF:203.0.113.7')).status,
    ];
    expect(statuses).toEqual([400, 400, 429]);
  });

  it('rotating addresses inside one IPv6 /64 does not escape the per-address feed reader cap', async () => {
    r = await startServer({
      databaseUrl: 'memory',
      trustProxy: true,
      revocations: { maxReadersPerAddress: 1, maxWait: 30 },
    });
    const held = new AbortController();
    const first = fetch(`${r.url}/revocations?wait=30`, {
      headers: { 'x-forwarded-for': '2001:db8:5:6::1' },
      signal: held.signal,
    }).catch(() => undefined);
    try {
      // The first long-poll holds its slot; wait until the server counts it.
      for (let i = 0; i < 100 && r.server.services !== undefined; i++) {
        const probe = await fetch(`${r.url}/revocations?wait=1`, {
          headers: { 'x-forwarded-for': '2001:db8:5:6::1' },
        });
        if (probe.status === 429) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const second = await fetch(`${r.url}/revocations?wait=1`, {
        headers: { 'x-forwarded-for': '2001:db8:5:6::2' },
      });
      expect(second.status).toBe(429);
    } finally {
      held.abort();
      await first;
    }
  });

  it('a DPoP-bound feed reader card sent as Bearer without a proof does not read the feed', async () => {
    r = await startServer({ databaseUrl: 'memory', revocations: { requireAuth: true } });
    const { secret } = await createClient(r.server.services, {
      id: 'door-bound',
      type: 'confidential',
      grants: ['client_credentials'],
      audiences: ['keycard'],
      scopes: ['revocations:read'],
    });
    const key = await generateKeyPair('ES256');
    const issued = await postForm(
      `${r.url}/oauth/token`,
      {
        grant_type: 'client_credentials',
        client_id: 'door-bound',
        client_secret: secret!,
        scope: 'revocations:read',
      },
      { dpop: createDpopProof(key, { method: 'POST', url: `${r.url}/oauth/token` }) },
    );
    expect(issued.status).toBe(200);
    expect(issued.body.token_type).toBe('DPoP');
    const card = issued.body.access_token as string;
    // Captured card, no key: refused as Bearer and as DPoP without a proof.
    expect(
      (await fetch(`${r.url}/revocations`, { headers: { authorization: `Bearer ${card}` } })).status,
    ).toBe(401);
    expect((await fetch(`${r.url}/revocations`, { headers: { authorization: `DPoP ${card}` } })).status).toBe(
      401,
    );
    // The holder of the key reads it.
    const proof = createDpopProof(key, { method: 'GET', url: `${r.url}/revocations`, accessToken: card });
    const ok = await fetch(`${r.url}/revocations`, {
      headers: { authorization: `DPoP ${card}`, dpop: proof },
    });
    expect(ok.status).toBe(200);
  });

  it('a session started before its client lost an audience mints no more cards for that audience', async () => {
    r = await startServer({ databaseUrl: 'memory' });
    const ctx = r.server.services;
    for (const id of ['rooms', 'billing'])
      await ctx.storage.audiences.upsert({ id, name: id, scopes: [], uri: null, createdAt: 0 });
    ctx.directory.invalidate();
    await createClient(ctx, {
      id: 'door-app',
      type: 'public',
      firstParty: true,
      grants: ['password', 'refresh_token'],
      audiences: ['rooms', 'billing'],
    });
    await addUser(r, 'alice', 'correct horse battery');
    const login = await postJson(`${r.url}/api/login`, {
      username: 'alice',
      password: 'correct horse battery',
      client_id: 'door-app',
      resource: ['billing', 'rooms'],
    });
    expect(login.status).toBe(200);
    expect(claimsOf(login.body.access_token).aud).toBe('billing');
    // The admin takes billing away from the client.
    await updateClient(ctx, 'door-app', { audiences: ['rooms'] });
    const refreshed = await postJson(`${r.url}/api/refresh`, {
      refresh_token: login.body.refresh_token,
      client_id: 'door-app',
    });
    expect(refreshed.status).toBe(200);
    expect(claimsOf(refreshed.body.access_token).aud).toBe('rooms');
  });

  it.each([[true], [['127.0.0.1']]])(
    'behind a proxy that appends to X-Forwarded-For, a forged first entry does not choose the source (trustProxy %j)',
    async (trustProxy) => {
      // true trusts one hop, a list the named proxies: the client is the entry the proxy appended.
      r = await startServer({
        databaseUrl: 'memory',
        trustProxy,
        throttle: { loginPerIp: { limit: 3, windowSeconds: 60 } },
      });
      const statuses: number[] = [];
      for (let i = 1; i <= 4; i++) {
        const res = await postJson(
          `${r.url}/api/login`,
          { username: `u${i}`, password: 'x' },
          { 'x-forwarded-for': `198.51.100.${i}, 203.0.113.5` },
        );
        statuses.push(res.status);
      }
      expect(statuses).toEqual([401, 401, 401, 429]);
    },
  );

  it('trustProxy as a hop count takes the client from that many proxies back', async () => {
    r = await startServer({
      databaseUrl: 'memory',
      trustProxy: 2,
      throttle: { loginPerIp: { limit: 3, windowSeconds: 60 } },
    });
    const statuses: number[] = [];
    for (let i = 1; i <= 4; i++) {
      const res = await postJson(
        `${r.url}/api/login`,
        { username: `u${i}`, password: 'x' },
        // forged, client as the CDN saw it, CDN edge as the load balancer saw it
        { 'x-forwarded-for': `198.51.100.${i}, 203.0.113.5, 192.0.2.${i}` },
      );
      statuses.push(res.status);
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
  });
});
