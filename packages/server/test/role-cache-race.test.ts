// Two instances on one storage, each with its own directory cache and no shared coordinator (so
// no invalidation message): a scope taken from a role on A must not reach a card B mints from its
// cached copy of the role. The role event in storage makes B read the role fresh.
import { afterEach, expect, it } from 'vitest';
import { createStorage, type Storage, saveRole } from '../src/index.js';
import { addUser, createDeskClient, postForm, type Running, startServer, testClock } from './helpers.js';

const PASSWORD = 'correct horse battery';
const admin = { actor: 'test', request: { ip: null, userAgent: null } };
const running: Running[] = [];
let storage: Storage | undefined;
afterEach(async () => {
  for (const r of running.splice(0)) await r.close();
  await storage?.close();
  storage = undefined;
});

it('a card minted on another instance right after a role lost a scope does not carry that scope', async () => {
  storage = await createStorage({ driver: 'memory' });
  const clock = testClock(Date.UTC(2030, 0, 1, 0, 0, 0, 250));
  const masterKey = Buffer.alloc(32, 7).toString('base64url');
  const a = await startServer({ masterKey }, { storage, clock });
  const b = await startServer({ masterKey }, { storage, clock });
  running.push(a, b);
  const ctx = a.server.services;
  await saveRole(ctx, { name: 'housekeeping', scopes: ['revocations:read', 'rooms:open'] }, admin);
  const basic = await createDeskClient(ctx);
  await addUser(a, 'ann', PASSWORD, ['housekeeping']);

  // Signing in on B puts the role, with both scopes, in B's directory cache.
  const signIn = await postForm(
    `${b.url}/oauth/token`,
    { grant_type: 'password', username: 'ann', password: PASSWORD },
    basic,
  );
  expect(signIn.status).toBe(200);
  expect(signIn.body.scope).toContain('revocations:read');

  // A takes the scope away; B hears nothing but what storage says.
  await saveRole(ctx, { name: 'housekeeping', scopes: ['rooms:open'] }, admin);
  clock.advance(1000);
  const refreshed = await postForm(
    `${b.url}/oauth/token`,
    { grant_type: 'refresh_token', refresh_token: signIn.body.refresh_token },
    basic,
  );
  expect(refreshed.status).toBe(200);
  expect(String(refreshed.body.scope ?? '').split(' ')).not.toContain('revocations:read');
});
