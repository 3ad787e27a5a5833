import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as expressAdapter from '../src/adapters/express.js';
import * as fastifyAdapter from '../src/adapters/fastify.js';
import type { Guard } from '../src/index.js';
import { createGuard, requireScopes } from '../src/index.js';
import type { TestIssuer } from './support/test-issuer.js';
import { startTestIssuer } from './support/test-issuer.js';

/**
 * Adapter options and modes an attacker (or a hurried integrator) leans on: an option that is not
 * read must fail at start-up, `optional` lets only a request without any card through, and one app
 * with two doors keeps each door's audience.
 */
let issuer: TestIssuer;
let rooms: Guard;
let pool: Guard;

beforeAll(async () => {
  issuer = await startTestIssuer();
  const common = {
    tokenIssuer: issuer.url,
    keys: { keys: issuer.keys.map((k) => k.publicKey.toJWK()) },
    revocation: false,
    dpop: false,
  } as const;
  rooms = createGuard({ ...common, audience: issuer.audience, realm: 'rooms' });
  pool = createGuard({ ...common, audience: 'pool', realm: 'pool' });
});
afterAll(async () => {
  await rooms?.close();
  await pool?.close();
  await issuer?.close();
});

const now = () => Math.floor(Date.now() / 1000);

describe('the Fastify plugin options', () => {
  it('refuses `policies` at registration instead of ignoring it (no route would check them)', async () => {
    const app = Fastify();
    app.register(fastifyAdapter.keycard, {
      guard: rooms,
      policies: [requireScopes('admin')],
    } as unknown as fastifyAdapter.KeycardFastifyOptions);
    await expect(app.ready()).rejects.toMatchObject({
      code: 'ERR_GUARD_OPTIONS_INVALID',
      option: 'policies',
    });
    await app.close();
  });

  it('refuses an `optional` that is not a boolean (a string "false" would let anonymous requests in)', async () => {
    const app = Fastify();
    app.register(fastifyAdapter.keycard, {
      guard: rooms,
      optional: 'false',
    } as unknown as fastifyAdapter.KeycardFastifyOptions);
    await expect(app.ready()).rejects.toMatchObject({
      code: 'ERR_GUARD_OPTIONS_INVALID',
      option: 'optional',
    });
    await app.close();
  });
});

describe('optional mode and two doors in one app', () => {
  let url: string;
  beforeAll(async () => {
    const app = Fastify();
    app.get('/rooms', { onRequest: fastifyAdapter.authenticate(rooms, { optional: true }) }, (req) => ({
      sub: req.auth?.sub ?? null,
    }));
    app.get('/pool', { onRequest: fastifyAdapter.authenticate(pool, { optional: true }) }, (req) => ({
      sub: req.auth?.sub ?? null,
    }));
    url = await app.listen({ port: 0, host: '127.0.0.1' });
    return () => app.close();
  });
  const call = (path: string, authorization?: string) =>
    fetch(`${url}${path}`, authorization === undefined ? {} : { headers: { authorization } });

  it('lets a request without a card through as anonymous', async () => {
    const res = await call('/rooms');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ sub: null });
  });

  it.each([
    ['an expired card', () => issuer.sign({ sub: 'u1', exp: now() - 3600, iat: now() - 7200 })],
    ['a card with a bad signature', () => `${issuer.sign({ sub: 'u1' }).slice(0, -4)}AAAA`],
    ['an empty Bearer', () => undefined],
  ])('refuses %s rather than treating it as anonymous', async (_name, token) => {
    const t = token();
    const res = await call('/rooms', t === undefined ? 'Bearer' : `Bearer ${t}`);
    expect(res.status === 401 || res.status === 400).toBe(true);
  });

  it("refuses the rooms door's card at the pool door, optional or not", async () => {
    const card = issuer.sign({ sub: 'u1' });
    expect(await (await call('/rooms', `Bearer ${card}`)).json()).toEqual({ sub: 'u1' });
    const res = await call('/pool', `Bearer ${card}`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('realm="pool"');
  });
});

describe('authorize without authenticate', () => {
  it('refuses (401) rather than running policies on nothing', async () => {
    const { default: express } = await import('express');
    const app = express();
    app.get('/x', expressAdapter.authorize(requireScopes('a')), (_req, res) => res.send('open'));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as { port: number };
    const res = await fetch(`http://127.0.0.1:${port}/x`);
    expect(res.status).toBe(401);
    await new Promise((resolve) => server.close(resolve));
  });
});
