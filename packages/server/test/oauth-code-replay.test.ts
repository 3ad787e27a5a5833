// RFC 6749 §4.1.2: a code used twice is refused and the session its first use created is revoked —
// its cards through the revocation feed, its refresh token at once — whichever way two exchanges of
// one code interleave, on every storage driver.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../src/crypto/index.js';
import type { ServerContext } from '../src/index.js';
import { type Body, getJson } from './helpers.js';
import { probePostgres } from './storage/postgres-helper.js';
import { type Backend, type CodeFlowHotel, claimsOf, codeFlowHotel } from './support/code-flow.js';

const pgSkip = await probePostgres();
if (pgSkip) console.log(`authorization code replay on PostgreSQL skipped: ${pgSkip}`);
const backends: Backend[] = ['memory', 'sqlite', ...(pgSkip === undefined ? (['postgres'] as const) : [])];

/**
 * Holds the next `markIssued` of the code store at one point of the exchange — just before it runs
 * or just after — until released, so a second exchange can be sent into exactly that gap.
 */
function holdMarkIssued(ctx: ServerContext, at: 'before' | 'after') {
  const store = ctx.storage.authorizationCodes;
  const original = store.markIssued;
  let reached!: () => void;
  let release!: () => void;
  const held = new Promise<void>((resolve) => {
    reached = resolve;
  });
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  store.markIssued = async (codeHash, sessionId) => {
    store.markIssued = original;
    if (at === 'before') {
      reached();
      await released;
      return original(codeHash, sessionId);
    }
    const result = await original(codeHash, sessionId);
    reached();
    await released;
    return result;
  };
  return { held, release };
}

describe.each(backends)('authorization code replay on %s', (backend) => {
  let h: CodeFlowHotel;
  let url: string;
  beforeAll(async () => {
    h = await codeFlowHotel(backend);
    url = h.r.url;
  });
  afterAll(() => h?.close());

  const ctx = () => h.r.server.services;
  const me = async (card: string) =>
    (await getJson(`${url}/api/me`, { authorization: `Bearer ${card}` })).status;
  const refresh = (refreshToken: string) =>
    h.exchange({ grant_type: 'refresh_token', client_id: 'spa', refresh_token: refreshToken });
  /** A user of this test alone, so the sessions of one code can be counted. */
  const codeFor = async (username: string) => {
    const user = await h.signedInUser(`${username}-${backend}`);
    const issued = await h.issueCode({ userId: user.userId, sid: user.browserSessionId });
    return { ...user, issued, form: h.spaForm(issued) };
  };
  const sessionsOf = (userId: string) => ctx().storage.sessions.listByUser(userId, { includeRevoked: true });
  const expectRevokedEverywhere = async (sid: string) => {
    expect((await ctx().storage.sessions.get(sid))?.revokedAt).not.toBeNull();
    expect(await h.feedRevokes(sid)).toBe(true);
  };

  it('a replayed code is refused and the first exchange’s session, card and refresh token are revoked', async () => {
    const { issued, form, userId } = await codeFor('rita');
    const first = await h.exchange(form);
    expect(first.status).toBe(200);
    const sid = claimsOf(first.body.access_token).sid as string;
    expect(await me(first.body.access_token)).toBe(200);
    expect(await h.feedRevokes(sid)).toBe(false);

    const replay = await h.exchange(form);
    expect(replay.status).toBe(400);
    expect(replay.body.error).toBe('invalid_grant');
    await expectRevokedEverywhere(sid);
    expect((await ctx().storage.sessions.get(sid))?.revokedReason).toBe('code_replayed');
    expect(await me(first.body.access_token)).toBe(401);
    expect((await refresh(first.body.refresh_token)).body.error).toBe('invalid_grant');
    expect(await sessionsOf(userId)).toHaveLength(1);
    expect((await ctx().storage.authorizationCodes.get(sha256Hex(issued.code)))?.replayedAt).not.toBeNull();
    await ctx().audit.flush();
    const events = await ctx().storage.audit.list({ type: 'code.replayed', limit: 100 });
    expect(events.find((e) => e.subject === sid)).toMatchObject({
      actor: 'spa',
      detail: { clientId: 'spa' },
    });
  });

  it('a replay by another client, even one that cannot prove the verifier, revokes as well', async () => {
    const { form } = await codeFor('sam');
    const first = await h.exchange(form);
    const sid = claimsOf(first.body.access_token).sid as string;
    const replay = await h.exchange(
      { code: form.code as string, redirect_uri: form.redirect_uri as string, code_verifier: 'z'.repeat(43) },
      h.basic('webapp', h.webSecret),
    );
    expect(replay.body.error).toBe('invalid_grant');
    await expectRevokedEverywhere(sid);
    expect(await me(first.body.access_token)).toBe(401);
  });

  it('two concurrent exchanges of one code: at most one answer has tokens, and whatever was issued is revoked', async () => {
    const { form, userId } = await codeFor('tom');
    const answers = await Promise.all([h.exchange(form), h.exchange(form), h.exchange(form)]);
    const won = answers.filter((a) => a.status === 200);
    expect(won.length).toBeLessThanOrEqual(1);
    for (const a of answers.filter((x) => x.status !== 200)) expect(a.body.error).toBe('invalid_grant');
    // Exactly one exchange used the code, so exactly one session exists, and it is revoked.
    const sessions = await sessionsOf(userId);
    expect(sessions).toHaveLength(1);
    const sid = sessions[0]!.id;
    await expectRevokedEverywhere(sid);
    for (const a of won as Body[]) {
      expect(claimsOf(a.body.access_token).sid).toBe(sid);
      expect(await me(a.body.access_token)).toBe(401);
      expect((await refresh(a.body.refresh_token)).body.error).toBe('invalid_grant');
    }
  });

  it('a replay after the winner recorded its session: the winner gets tokens, which are then revoked', async () => {
    const { form, userId } = await codeFor('uma');
    const hold = holdMarkIssued(ctx(), 'after');
    const winner = h.exchange(form);
    await hold.held;
    const replay = await h.exchange(form);
    expect(replay.body.error).toBe('invalid_grant');
    hold.release();
    const won = await winner;
    expect(won.status).toBe(200);
    const sid = claimsOf(won.body.access_token).sid as string;
    expect((await sessionsOf(userId)).map((s) => s.id)).toEqual([sid]);
    await expectRevokedEverywhere(sid);
    expect(await me(won.body.access_token)).toBe(401);
    expect((await refresh(won.body.refresh_token)).body.error).toBe('invalid_grant');
  });

  it('a replay before the winner recorded its session: the winner revokes its own session, nobody gets tokens', async () => {
    const { form, userId } = await codeFor('vic');
    const hold = holdMarkIssued(ctx(), 'before');
    const winner = h.exchange(form);
    await hold.held;
    const replay = await h.exchange(form);
    expect(replay.body.error).toBe('invalid_grant');
    hold.release();
    const refused = await winner;
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe('invalid_grant');
    const sessions = await sessionsOf(userId);
    expect(sessions).toHaveLength(1);
    await expectRevokedEverywhere(sessions[0]!.id);
    expect(sessions[0]!.revokedReason).toBe('code_replayed');
    expect(await ctx().storage.refreshTokens.deleteBySession(sessions[0]!.id)).toBe(0);
  });
});
