// Used refresh tokens are pruned once their grace window is over, and reuse detection survives:
// an `rt1` token names its session under a MAC, so a replayed rotated-out token with no row still
// revokes its session, while a forged one (a session id is in every card) revokes nothing.
import { createDpopProof, generateKeyPair } from '@keycard/jwt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomToken, sha256Hex } from '../src/crypto/index.js';
import { createClient, createStorage, type Storage } from '../src/index.js';
import { prune } from '../src/jobs/index.js';
import { createRefreshToken } from '../src/sessions/index.js';
import { addUser, postForm, postJson, type Running, startServer, testClock } from './helpers.js';
import { dropSchemas, freshSchema, PG_URL, probePostgres } from './storage/postgres-helper.js';

const PASSWORD = 'correct horse battery';
const GRACE_MS = 10_000; // the default sessions.refreshGraceSeconds
const pgSkip = await probePostgres();
if (pgSkip) console.warn(`PostgreSQL refresh-prune tests skipped: ${pgSkip}`);

const BACKENDS = [
  { name: 'memory', skip: undefined },
  { name: 'sqlite', skip: undefined },
  { name: 'postgres', skip: pgSkip },
] as const;

/** The same token with one part replaced (0 prefix, 1 sid, 2 random, 3 mac). */
const withPart = (token: string, i: number, value: string) =>
  token
    .split('.')
    .map((p, j) => (j === i ? value : p))
    .join('.');

describe.each(BACKENDS)('refresh token pruning keeps reuse detection ($name)', ({ name, skip }) => {
  const clock = testClock();
  const schema = freshSchema();
  let storage: Storage | undefined;
  let r: Running;
  const refresh = (rt: string, clientId = 'keycard-cli') =>
    postJson(`${r.url}/api/refresh`, { refresh_token: rt, client_id: clientId });
  const signIn = async (clientId = 'keycard-cli') => {
    const res = await postJson(`${r.url}/api/login`, {
      username: 'alice',
      password: PASSWORD,
      client_id: clientId,
    });
    expect(res.status).toBe(200);
    return res.body as { refresh_token: string; session_id: string };
  };
  const row = (token: string) => r.server.services.storage.refreshTokens.get(sha256Hex(token));
  const sessionOf = (sid: string) => r.server.services.storage.sessions.get(sid);
  const reuseEvents = async (sid: string) => {
    await r.server.services.audit.flush();
    const events = await r.server.services.storage.audit.list({ type: 'token.reuse_detected', limit: 100 });
    return events.filter((e) => e.subject === sid);
  };
  /** Rotates once and prunes past the grace window: A's row is gone, B is current. */
  const rotateAndPrune = async (clientId = 'keycard-cli') => {
    const signedIn = await signIn(clientId);
    const a = signedIn.refresh_token;
    const first = await refresh(a, clientId);
    expect(first.status).toBe(200);
    clock.advance(GRACE_MS + 1_000);
    const pruned = await prune(r.server.services);
    expect(pruned.ran).toBe(true);
    expect(pruned.prunedUsedTokens).toBeGreaterThanOrEqual(1);
    expect(await row(a)).toBeUndefined();
    const b = first.body.refresh_token as string;
    expect(await row(b)).toMatchObject({ usedAt: null });
    return { sid: signedIn.session_id, a, b };
  };

  beforeAll(async () => {
    if (skip) return;
    const config =
      name === 'memory'
        ? { databaseUrl: 'memory' }
        : name === 'postgres'
          ? { databaseUrl: `${PG_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}` }
          : {};
    if (name === 'postgres') storage = await createStorage({ driver: 'postgres', url: PG_URL, schema });
    r = await startServer(config, { clock, ...(storage ? { storage } : {}) });
    await addUser(r, 'alice', PASSWORD);
    await createClient(r.server.services, {
      id: 'kiosk',
      type: 'public',
      firstParty: true,
      grants: ['password', 'refresh_token'],
      audiences: ['keycard'],
    });
  });
  afterAll(async () => {
    if (skip) return;
    await r?.close();
    await storage?.close();
    if (name === 'postgres') await dropSchemas([schema]);
  });

  it.skipIf(Boolean(skip))(
    'a duplicate within the grace window still gets the same successor before pruning',
    async () => {
      const { refresh_token: a } = await signIn();
      const first = await refresh(a);
      clock.advance(GRACE_MS - 1_000);
      expect((await prune(r.server.services)).prunedUsedTokens).toBe(0);
      const duplicate = await refresh(a);
      expect(duplicate.status).toBe(200);
      expect(duplicate.body.refresh_token).toBe(first.body.refresh_token);
    },
  );

  it.skipIf(Boolean(skip))(
    'forged tokens for a real session get invalid_grant and revoke nothing',
    async () => {
      const { sid, a, b } = await rotateAndPrune();
      const other = await signIn();
      const wrongMac = withPart(a, 3, randomToken(16));
      const otherSid = withPart(a, 1, other.session_id); // A's random and MAC, another session's id
      const unsigned = withPart(withPart(a, 2, randomToken(32)), 3, 'A'.repeat(22));
      for (const forged of [wrongMac, otherSid, unsigned, `rt0${a.slice(3)}`, randomToken(32)]) {
        const res = await refresh(forged);
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe('ERR_INVALID_GRANT');
      }
      expect(await sessionOf(sid)).toMatchObject({ revokedAt: null });
      expect(await sessionOf(other.session_id)).toMatchObject({ revokedAt: null });
      expect(await reuseEvents(sid)).toHaveLength(0);
      expect((await refresh(b)).status).toBe(200); // the holder goes on
      expect((await refresh(other.refresh_token)).status).toBe(200);
    },
  );

  it.skipIf(Boolean(skip))('a replayed token whose used row was pruned revokes its session', async () => {
    const { sid, a, b } = await rotateAndPrune();
    const replay = await refresh(a);
    expect(replay.status).toBe(400);
    expect(replay.body.error.code).toBe('ERR_INVALID_GRANT');
    expect(await sessionOf(sid)).toMatchObject({ revokedReason: 'reuse' });
    expect((await refresh(b)).body.error.code).toBe('ERR_INVALID_GRANT'); // the family is gone
    expect(await reuseEvents(sid)).toHaveLength(1);
    expect(await row(b)).toBeUndefined();
  });

  it.skipIf(Boolean(skip))(
    'another client presenting a pruned token of a session gets invalid_grant only',
    async () => {
      const { sid, a, b } = await rotateAndPrune();
      expect((await refresh(a, 'kiosk')).body.error.code).toBe('ERR_INVALID_GRANT');
      expect(await sessionOf(sid)).toMatchObject({ revokedAt: null });
      expect((await refresh(b)).status).toBe(200);
    },
  );

  it.skipIf(Boolean(skip))(
    'pruning never deletes a current token, however long since it was minted',
    async () => {
      const { refresh_token: current, session_id: sid } = await signIn();
      clock.advance(3_600_000); // an hour: well within the idle TTL, far past any grace window
      await prune(r.server.services);
      expect(await row(current)).toMatchObject({ usedAt: null });
      const next = await refresh(current);
      expect(next.status).toBe(200);
      expect(next.body.session_id).toBe(sid);
    },
  );

  it.skipIf(Boolean(skip))(
    'a token pruned at its own idle expiry fails without revoking its session',
    async () => {
      const { refresh_token: current, session_id: sid } = await signIn();
      clock.advance(r.server.services.config.sessions.refreshIdleTtl * 1000 + 120_000);
      await prune(r.server.services);
      expect(await row(current)).toBeUndefined();
      expect((await refresh(current)).body.error.code).toBe('ERR_INVALID_GRANT');
      expect(await sessionOf(sid)).toMatchObject({ revokedAt: null });
      expect(await reuseEvents(sid)).toHaveLength(0);
    },
  );

  it.skipIf(Boolean(skip))(
    'an older opaque token still rotates while its row exists; its successor is rt1',
    async () => {
      const { session_id: sid } = await signIn();
      const session = await sessionOf(sid);
      const legacy = await createRefreshToken(r.server.services, session!, clock(), randomToken(32));
      const next = await refresh(legacy);
      expect(next.status).toBe(200);
      expect(next.body.refresh_token.startsWith(`rt1.${sid}.`)).toBe(true);
      clock.advance(GRACE_MS + 1_000);
      await prune(r.server.services);
      // Its used row is gone: a replay now only fails (no reuse detection for the old format).
      expect((await refresh(legacy)).body.error.code).toBe('ERR_INVALID_GRANT');
      expect(await sessionOf(sid)).toMatchObject({ revokedAt: null });
    },
  );

  it.skipIf(Boolean(skip))(
    'signing out with a rotated-out token whose row was pruned ends its session',
    async () => {
      const { sid, a, b } = await rotateAndPrune();
      const out = await postJson(`${r.url}/api/logout`, { refresh_token: a });
      expect(out.status).toBe(204);
      expect(await sessionOf(sid)).toMatchObject({ revokedReason: 'logout' });
      expect((await refresh(b)).status).toBe(400);
    },
  );
});

describe('a pruned token of a DPoP-bound session, and RFC 7009 revocation', () => {
  const clock = testClock();
  let r: Running;
  beforeAll(async () => {
    r = await startServer({ databaseUrl: 'memory' }, { clock });
    await addUser(r, 'alice', PASSWORD);
  });
  afterAll(() => r.close());

  it('needs a proof of the bound key before the replay revokes the session', async () => {
    const key = await generateKeyPair('ES256');
    const other = await generateKeyPair('ES256');
    const proof = (k: typeof key) =>
      createDpopProof(k, { method: 'POST', url: `${r.url}/api/refresh`, clock });
    const signedIn = await postJson(
      `${r.url}/api/login`,
      { username: 'alice', password: PASSWORD },
      { dpop: await createDpopProof(key, { method: 'POST', url: `${r.url}/api/login`, clock }) },
    );
    const a = signedIn.body.refresh_token as string;
    const sid = signedIn.body.session_id as string;
    const first = await postJson(`${r.url}/api/refresh`, { refresh_token: a }, { dpop: await proof(key) });
    expect(first.status).toBe(200);
    clock.advance(GRACE_MS + 1_000);
    await prune(r.server.services);
    const storage = r.server.services.storage;
    expect(await storage.refreshTokens.get(sha256Hex(a))).toBeUndefined();
    for (const dpop of [undefined, await proof(other)]) {
      const res = await postJson(`${r.url}/api/refresh`, { refresh_token: a }, dpop ? { dpop } : {});
      expect(res.body.error.code).toBe('ERR_INVALID_DPOP_PROOF');
    }
    expect(await storage.sessions.get(sid)).toMatchObject({ revokedAt: null });
    const replay = await postJson(`${r.url}/api/refresh`, { refresh_token: a }, { dpop: await proof(key) });
    expect(replay.body.error.code).toBe('ERR_INVALID_GRANT');
    expect(await storage.sessions.get(sid)).toMatchObject({ revokedReason: 'reuse' });
  });

  it('/oauth/revoke with a rotated-out token whose row was pruned revokes its session', async () => {
    const login = await postJson(`${r.url}/api/login`, {
      username: 'alice',
      password: PASSWORD,
      client_id: 'keycard-cli',
    });
    const a = login.body.refresh_token as string;
    const first = await postJson(`${r.url}/api/refresh`, { refresh_token: a, client_id: 'keycard-cli' });
    clock.advance(GRACE_MS + 1_000);
    await prune(r.server.services);
    const out = await postForm(`${r.url}/oauth/revoke`, { token: a, client_id: 'keycard-cli' });
    expect(out.status).toBe(200);
    expect(await r.server.services.storage.sessions.get(login.body.session_id)).toMatchObject({
      revokedReason: 'revoke',
    });
    const next = await postJson(`${r.url}/api/refresh`, {
      refresh_token: first.body.refresh_token,
      client_id: 'keycard-cli',
    });
    expect(next.status).toBe(400);
  });
});
