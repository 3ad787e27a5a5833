// The account page's factors over HTTP: the summary, renaming, removing (which needs a recent
// sign-in, Bearer and DPoP alike), new recovery codes, and what a role's requirement forbids.
import { createDpopProof, generateKeyPair, type PrivateKey } from '@keycard/jwt';
import { parseStepUpChallenge } from '@keycard/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserRecord } from '../src/index.js';
import { hashRecoveryCode } from '../src/mfa/index.js';
import { addUser, postJson, type Running, startServer, testClock } from './helpers.js';
import { auditOf, call, cardOf, login, PASSWORD, refreshed, stepOf, totpAt } from './support/mfa-account.js';
import { SoftwareAuthenticator } from './support/webauthn-authenticator.js';

describe('account factors (/api/account/mfa, /api/account/passkeys/:id)', () => {
  const clock = testClock();
  let r: Running;
  let origin: string;

  beforeAll(async () => {
    r = await startServer({}, { clock });
    origin = new URL(r.url).origin;
    await r.server.services.storage.roles.upsert({ name: 'staff', scopes: [], createdAt: 0 });
  });
  afterAll(() => r.close());

  async function enrolTotp(card: string): Promise<{ secret: string; codes: string[] }> {
    const { secret } = (await call(r, 'POST', '/api/mfa/totp/start', { card, json: {} })).body;
    const res = await call(r, 'POST', '/api/mfa/totp/confirm', {
      card,
      json: { code: totpAt(secret, stepOf(clock())) },
    });
    expect(res.status).toBe(200);
    return { secret, codes: res.body.recovery_codes ?? [] };
  }

  async function enrolPasskey(card: string, name?: string): Promise<{ id: string; codes?: string[] }> {
    const opts = (await call(r, 'POST', '/api/mfa/passkeys/options', { card, json: {} })).body;
    const response = new SoftwareAuthenticator({ origin }).create(opts.options);
    const res = await call(r, 'POST', '/api/mfa/passkeys', {
      card,
      json: { challenge: opts.challenge, response, ...(name === undefined ? {} : { name }) },
    });
    expect(res.status).toBe(201);
    return { id: res.body.passkey.id, codes: res.body.recovery_codes };
  }

  /**
   * A card of a sign-in just now with a second factor (a password alone no longer signs in a
   * person who has one), for the session `sessionId`.
   */
  const signedInAgain = (user: UserRecord, sessionId: string) =>
    cardOf(r, user, sessionId, { amr: ['pwd', 'otp', 'mfa'], authTime: clock() });

  /** A card of the same sign-in, `mfa.recentAuthMaxAge` + 1 s later. */
  async function staleCard(refresh: string): Promise<string> {
    clock.advance(601_000);
    return (await refreshed(r, refresh)).card;
  }

  it('GET answers what is set up, never a secret, never cached', async () => {
    const sam = await addUser(r, 'sam', PASSWORD);
    const { card } = await login(r, 'sam');
    const empty = await call(r, 'GET', '/api/account/mfa', { card });
    expect(empty.status).toBe(200);
    expect(empty.headers.get('cache-control')).toBe('no-store');
    expect(empty.body).toEqual({
      totp: { enabled: false, confirmed_at: null },
      passkeys: [],
      recovery_codes: { remaining: 0 },
      required: false,
    });
    const { secret } = await enrolTotp(card);
    clock.advance(1000);
    const { id } = await enrolPasskey(card, 'Laptop');
    const full = await call(r, 'GET', '/api/account/mfa', { card });
    expect(full.body).toEqual({
      totp: { enabled: true, confirmed_at: Math.floor((clock() - 1000) / 1000) },
      passkeys: [
        {
          id,
          name: 'Laptop',
          created_at: Math.floor(clock() / 1000),
          last_used_at: null,
          backed_up: false,
          device_type: 'singleDevice',
        },
      ],
      recovery_codes: { remaining: 10 },
      required: false,
    });
    const stored = await r.server.services.storage.passkeys.get(id);
    const text = JSON.stringify(full.body);
    expect(text).not.toContain(secret);
    expect(text).not.toContain(stored!.credentialId);
    expect(text).not.toContain(stored!.publicKey);
    expect((await call(r, 'GET', '/api/account/mfa', {})).body.error.code).toBe('ERR_UNAUTHENTICATED');
    expect(sam.id).toBeTruthy();
  });

  it('renames a passkey (no recent sign-in needed); another person’s passkey is not found', async () => {
    const tess = await addUser(r, 'tess', PASSWORD);
    await addUser(r, 'uma', PASSWORD);
    const t = await login(r, 'tess');
    const u = await login(r, 'uma');
    const { id } = await enrolPasskey(t.card);
    const card = await staleCard(t.refresh);
    const renamed = await call(r, 'PATCH', `/api/account/passkeys/${id}`, {
      card,
      json: { name: ' Keyring ' },
    });
    expect(renamed.status).toBe(204);
    expect((await r.server.services.storage.passkeys.get(id))?.name).toBe('Keyring');
    const bad = await call(r, 'PATCH', `/api/account/passkeys/${id}`, { card, json: { name: '' } });
    expect(bad.body.error.code).toBe('ERR_VALIDATION');
    const uma = (await refreshed(r, u.refresh)).card;
    const foreign = await call(r, 'PATCH', `/api/account/passkeys/${id}`, {
      card: uma,
      json: { name: 'mine' },
    });
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe('ERR_PASSKEY_NOT_FOUND');
    const audited = await auditOf(r, 'passkey.renamed', tess.id);
    expect(audited).toHaveLength(1);
    expect(audited[0]?.detail).toEqual({ passkey: id });
  });

  it('removing a passkey needs a recent sign-in: an old one gets 401 ERR_STEP_UP_REQUIRED with max_age', async () => {
    const vic = await addUser(r, 'vic', PASSWORD);
    const v = await login(r, 'vic');
    const a = await enrolPasskey(v.card);
    const b = await enrolPasskey(v.card);
    const stale = await staleCard(v.refresh);
    const refused = await call(r, 'DELETE', `/api/account/passkeys/${a.id}`, { card: stale });
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('ERR_STEP_UP_REQUIRED');
    const challenge = refused.headers.get('www-authenticate');
    expect(challenge).toMatch(/^Bearer error="insufficient_user_authentication"/);
    expect(parseStepUpChallenge(challenge)).toEqual({ acrValues: [], maxAge: 600 });
    expect(await r.server.services.storage.passkeys.get(a.id)).toBeDefined();

    const fresh = await signedInAgain(vic, v.sessionId);
    const removed = await call(r, 'DELETE', `/api/account/passkeys/${a.id}`, { card: fresh });
    expect(removed.status).toBe(204);
    expect(await r.server.services.storage.passkeys.get(a.id)).toBeUndefined();
    const gone = await call(r, 'DELETE', `/api/account/passkeys/${a.id}`, { card: fresh });
    expect(gone.body.error.code).toBe('ERR_PASSKEY_NOT_FOUND');
    // One factor left: the codes stay; the last one takes them along.
    expect(await r.server.services.storage.recoveryCodes.countUnused(vic.id)).toBe(10);
    expect((await call(r, 'DELETE', `/api/account/passkeys/${b.id}`, { card: fresh })).status).toBe(204);
    expect(await r.server.services.storage.recoveryCodes.countUnused(vic.id)).toBe(0);
    const audited = await auditOf(r, 'passkey.removed', vic.id);
    expect(audited.map((e) => e.detail['passkey']).sort()).toEqual([a.id, b.id].sort());
  });

  it('a DPoP card is challenged in the DPoP scheme', async () => {
    await addUser(r, 'wes', PASSWORD);
    const key: PrivateKey = await generateKeyPair('ES256');
    const proof = (path: string) => createDpopProof(key, { method: 'POST', url: `${r.url}${path}`, clock });
    const signedIn = await postJson(
      `${r.url}/api/login`,
      { username: 'wes', password: PASSWORD },
      { dpop: proof('/api/login') },
    );
    expect(signedIn.body.token_type).toBe('DPoP');
    const { id } = await (async () => {
      const card = signedIn.body.access_token as string;
      const opts = await call(r, 'POST', '/api/mfa/passkeys/options', {
        card,
        json: {},
        dpop: { key, clock },
      });
      const response = new SoftwareAuthenticator({ origin }).create(opts.body.options);
      const res = await call(r, 'POST', '/api/mfa/passkeys', {
        card,
        json: { challenge: opts.body.challenge, response },
        dpop: { key, clock },
      });
      expect(res.status).toBe(201);
      return res.body.passkey as { id: string };
    })();
    clock.advance(601_000);
    const again = await postJson(
      `${r.url}/api/refresh`,
      { refresh_token: signedIn.body.refresh_token },
      { dpop: proof('/api/refresh') },
    );
    expect(again.status).toBe(200);
    const refused = await call(r, 'DELETE', `/api/account/passkeys/${id}`, {
      card: again.body.access_token,
      dpop: { key, clock },
    });
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('ERR_STEP_UP_REQUIRED');
    expect(refused.headers.get('www-authenticate')).toMatch(
      /^DPoP error="insufficient_user_authentication", error_description="[^"]+", max_age="600"$/,
    );
    expect(parseStepUpChallenge(refused.headers.get('www-authenticate'))?.maxAge).toBe(600);
  });

  it('removes TOTP with a recent sign-in; without TOTP it is ERR_MFA_NOT_ENROLLED', async () => {
    const xia = await addUser(r, 'xia', PASSWORD);
    const x = await login(r, 'xia');
    await enrolTotp(x.card);
    const stale = await staleCard(x.refresh);
    expect((await call(r, 'DELETE', '/api/account/mfa/totp', { card: stale })).body.error.code).toBe(
      'ERR_STEP_UP_REQUIRED',
    );
    const fresh = await signedInAgain(xia, x.sessionId);
    expect((await call(r, 'DELETE', '/api/account/mfa/totp', { card: fresh })).status).toBe(204);
    expect(await r.server.services.storage.totp.get(xia.id)).toBeUndefined();
    expect(await r.server.services.storage.recoveryCodes.countUnused(xia.id)).toBe(0);
    const none = await call(r, 'DELETE', '/api/account/mfa/totp', { card: fresh });
    expect(none.status).toBe(409);
    expect(none.body.error.code).toBe('ERR_MFA_NOT_ENROLLED');
    expect(await auditOf(r, 'mfa.totp_removed', xia.id)).toHaveLength(1);
  });

  it('new recovery codes need a factor and a recent sign-in; the old ones stop working', async () => {
    const yan = await addUser(r, 'yan', PASSWORD);
    const y = await login(r, 'yan');
    const without = await call(r, 'POST', '/api/account/mfa/recovery-codes', { card: y.card });
    expect(without.status).toBe(409);
    expect(without.body.error.code).toBe('ERR_MFA_NOT_ENROLLED');
    const { codes: old } = await enrolTotp(y.card);
    expect(old).toHaveLength(10);
    const stale = await staleCard(y.refresh);
    expect((await call(r, 'POST', '/api/account/mfa/recovery-codes', { card: stale })).body.error.code).toBe(
      'ERR_STEP_UP_REQUIRED',
    );
    const fresh = await signedInAgain(yan, y.sessionId);
    const renewed = await call(r, 'POST', '/api/account/mfa/recovery-codes', { card: fresh });
    expect(renewed.status).toBe(200);
    expect(renewed.headers.get('cache-control')).toBe('no-store');
    const codes: string[] = renewed.body.recovery_codes;
    expect(codes).toHaveLength(10);
    expect(codes.filter((c) => old.includes(c))).toEqual([]);
    const store = r.server.services.storage.recoveryCodes;
    const hash = (code: string) => hashRecoveryCode(r.server.services, code);
    expect(await store.consume(yan.id, hash(old[0]!), clock())).toBe(false);
    expect(await store.consume(yan.id, hash(codes[0]!), clock())).toBe(true);
    expect((await call(r, 'GET', '/api/account/mfa', { card: fresh })).body.recovery_codes).toEqual({
      remaining: 9,
    });
    const audited = await auditOf(r, 'mfa.recovery_codes_generated', yan.id);
    expect(audited.map((e) => e.detail['reason']).sort()).toEqual(['first_factor', 'regenerated']);
    for (const code of [...old, ...codes]) expect(JSON.stringify(audited)).not.toContain(code);
  });

  it('a role that requires a factor keeps the last one: ERR_MFA_LAST_FACTOR', async () => {
    const zed = await addUser(r, 'zed', PASSWORD, ['staff']);
    // Signed in before the role requires a factor (then the sign-in itself would want one).
    const { card } = await login(r, 'zed');
    await r.server.services.storage.roles.upsert({
      name: 'staff',
      scopes: [],
      requireMfa: true,
      createdAt: 0,
    });
    r.server.services.directory.invalidate();
    expect((await call(r, 'GET', '/api/account/mfa', { card })).body.required).toBe(true);
    await enrolTotp(card);
    const { id } = await enrolPasskey(card);
    expect((await call(r, 'DELETE', '/api/account/mfa/totp', { card })).status).toBe(204);
    const last = await call(r, 'DELETE', `/api/account/passkeys/${id}`, { card });
    expect(last.status).toBe(409);
    expect(last.body.error.code).toBe('ERR_MFA_LAST_FACTOR');
    expect(await r.server.services.storage.passkeys.get(id)).toBeDefined();
    expect(await r.server.services.storage.recoveryCodes.countUnused(zed.id)).toBe(10);
    // With another factor in place, the passkey may go.
    await enrolTotp(card);
    expect((await call(r, 'DELETE', `/api/account/passkeys/${id}`, { card })).status).toBe(204);
    const lastTotp = await call(r, 'DELETE', '/api/account/mfa/totp', { card });
    expect(lastTotp.body.error.code).toBe('ERR_MFA_LAST_FACTOR');
  });
});
