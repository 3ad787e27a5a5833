// Registering passkeys over HTTP with a software authenticator that makes real ES256 credentials:
// from the account page and during a sign-in, and each way a registration is refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PASSKEYS_PER_USER, openPending, sealPending } from '../src/mfa/index.js';
import { addUser, type Running, startServer, testClock } from './helpers.js';
import { auditOf, call, cardOf, login, PASSWORD } from './support/mfa-account.js';
import { SoftwareAuthenticator } from './support/webauthn-authenticator.js';

describe('passkey registration (/api/mfa/passkeys*)', () => {
  const clock = testClock();
  let r: Running;
  let origin: string;

  beforeAll(async () => {
    r = await startServer({}, { clock });
    origin = new URL(r.url).origin;
  });
  afterAll(() => r.close());

  /** Options, the authenticator's answer, and the registration call. */
  async function register(
    auth: { card?: string; mfa_token?: string },
    authenticator: SoftwareAuthenticator,
    extra: Record<string, unknown> = {},
  ) {
    const tokenAuth = auth.mfa_token === undefined ? {} : { mfa_token: auth.mfa_token };
    const opts = await call(r, 'POST', '/api/mfa/passkeys/options', { card: auth.card, json: tokenAuth });
    expect(opts.status).toBe(200);
    const response = authenticator.create(opts.body.options);
    return call(r, 'POST', '/api/mfa/passkeys', {
      card: auth.card,
      json: { ...tokenAuth, challenge: opts.body.challenge, response, ...extra },
    });
  }

  it('options exclude the person’s passkeys and carry a sealed challenge, never cached', async () => {
    const kim = await addUser(r, 'kim', PASSWORD);
    const { card } = await login(r, 'kim');
    const opts = await call(r, 'POST', '/api/mfa/passkeys/options', { card, json: {} });
    expect(opts.status).toBe(200);
    expect(opts.headers.get('cache-control')).toBe('no-store');
    expect(opts.body.options).toMatchObject({
      rp: { id: new URL(r.url).hostname, name: 'keycard' },
      user: { name: 'kim', id: Buffer.from(kim.id).toString('base64url') },
      attestation: 'none',
      excludeCredentials: [],
      authenticatorSelection: { residentKey: 'required' },
    });
    expect(opts.body.challenge).not.toContain(opts.body.options.challenge);
    const authenticator = new SoftwareAuthenticator({ origin });
    const first = await register({ card }, authenticator);
    expect(first.status).toBe(201);
    const again = await call(r, 'POST', '/api/mfa/passkeys/options', { card, json: {} });
    expect(again.body.options.excludeCredentials.map((c: { id: string }) => c.id)).toEqual([
      [...authenticator.credentials.keys()][0],
    ]);
  });

  it('registers a passkey (counter, name, flags stored), recovery codes with the first factor only', async () => {
    const lee = await addUser(r, 'lee', PASSWORD);
    const { card } = await login(r, 'lee');
    const phone = new SoftwareAuthenticator({ origin, backedUp: true, transports: ['hybrid', 'internal'] });
    const first = await register({ card }, phone, { name: '  Phone  ' });
    expect(first.status).toBe(201);
    expect(first.headers.get('cache-control')).toBe('no-store');
    expect(first.body.passkey).toEqual({
      id: expect.any(String),
      name: 'Phone',
      created_at: Math.floor(clock() / 1000),
      last_used_at: null,
      backed_up: true,
      device_type: 'multiDevice',
    });
    expect(first.body.recovery_codes).toHaveLength(10);
    expect(new Set(first.body.recovery_codes).size).toBe(10);
    expect(first.body.mfa_token).toBeUndefined();
    const [stored] = await r.server.services.storage.passkeys.listByUser(lee.id);
    expect(stored).toMatchObject({
      id: first.body.passkey.id,
      credentialId: [...phone.credentials.keys()][0],
      counter: 0,
      transports: ['hybrid', 'internal'],
      backedUp: true,
    });

    clock.advance(1000); // listed oldest first
    const key = new SoftwareAuthenticator({ origin, transports: ['usb'] });
    const second = await register({ card }, key);
    expect(second.status).toBe(201);
    expect(second.body.passkey.name).toBe('Passkey');
    expect(second.body.passkey.device_type).toBe('singleDevice');
    expect(second.body.recovery_codes).toBeUndefined();

    const mfa = await call(r, 'GET', '/api/account/mfa', { card });
    expect(mfa.body.passkeys.map((p: { id: string }) => p.id)).toEqual([
      first.body.passkey.id,
      second.body.passkey.id,
    ]);
    expect(mfa.body.recovery_codes).toEqual({ remaining: 10 });
    const audited = await auditOf(r, 'passkey.registered', lee.id);
    expect(audited).toHaveLength(2);
    expect(audited.map((e) => e.detail['passkey']).sort()).toEqual(
      [first.body.passkey.id, second.body.passkey.id].sort(),
    );
    expect(JSON.stringify(audited)).not.toContain(stored!.publicKey);
  });

  it('a challenge is good for one registration, for this person, and the answer must match it', async () => {
    const maxUser = await addUser(r, 'max', PASSWORD);
    await addUser(r, 'ned', PASSWORD);
    const max = await login(r, 'max');
    const ned = await login(r, 'ned');
    const authenticator = new SoftwareAuthenticator({ origin });
    const opts = (await call(r, 'POST', '/api/mfa/passkeys/options', { card: max.card, json: {} })).body;
    const response = authenticator.create(opts.options);
    // Ned cannot use Max's challenge.
    const foreign = await call(r, 'POST', '/api/mfa/passkeys', {
      card: ned.card,
      json: { challenge: opts.challenge, response },
    });
    expect(foreign.status).toBe(401);
    expect(foreign.body.error.code).toBe('ERR_PASSKEY_INVALID');
    const ok = await call(r, 'POST', '/api/mfa/passkeys', {
      card: max.card,
      json: { challenge: opts.challenge, response },
    });
    expect(ok.status).toBe(201);
    const replay = await call(r, 'POST', '/api/mfa/passkeys', {
      card: max.card,
      json: { challenge: opts.challenge, response },
    });
    expect(replay.body.error.code).toBe('ERR_PASSKEY_INVALID');

    // Another origin, or an answer to another challenge.
    const other = new SoftwareAuthenticator({ origin: 'https://evil.example' });
    const o2 = (await call(r, 'POST', '/api/mfa/passkeys/options', { card: max.card, json: {} })).body;
    const wrongOrigin = await call(r, 'POST', '/api/mfa/passkeys', {
      card: max.card,
      json: { challenge: o2.challenge, response: other.create(o2.options) },
    });
    expect(wrongOrigin.body.error.code).toBe('ERR_PASSKEY_INVALID');
    const o3 = (await call(r, 'POST', '/api/mfa/passkeys/options', { card: max.card, json: {} })).body;
    const o4 = (await call(r, 'POST', '/api/mfa/passkeys/options', { card: max.card, json: {} })).body;
    const mismatched = await call(r, 'POST', '/api/mfa/passkeys', {
      card: max.card,
      json: { challenge: o3.challenge, response: new SoftwareAuthenticator({ origin }).create(o4.options) },
    });
    expect(mismatched.body.error.code).toBe('ERR_PASSKEY_INVALID');
    // An expired challenge.
    const o5 = (await call(r, 'POST', '/api/mfa/passkeys/options', { card: max.card, json: {} })).body;
    const late = new SoftwareAuthenticator({ origin }).create(o5.options);
    clock.advance(301_000);
    // A new sign-in (with his passkey: a password alone no longer signs him in).
    const fresh = await cardOf(r, maxUser, max.sessionId, { amr: ['pwd', 'hwk', 'mfa'], authTime: clock() });
    const expired = await call(r, 'POST', '/api/mfa/passkeys', {
      card: fresh,
      json: { challenge: o5.challenge, response: late },
    });
    expect(expired.body.error.code).toBe('ERR_PASSKEY_INVALID');
  });

  it('a credential id registered already — to anyone — is refused, and nothing is overwritten', async () => {
    const olga = await addUser(r, 'olga', PASSWORD);
    await addUser(r, 'pat', PASSWORD);
    const o = await login(r, 'olga');
    const p = await login(r, 'pat');
    const authenticator = new SoftwareAuthenticator({ origin });
    expect((await register({ card: o.card }, authenticator)).status).toBe(201);
    const [credentialId] = [...authenticator.credentials.keys()];
    // Pat replays Olga's credential id with a key of his own (a 'none' attestation proves nothing).
    const opts = (await call(r, 'POST', '/api/mfa/passkeys/options', { card: p.card, json: {} })).body;
    const forged = new SoftwareAuthenticator({ origin });
    const answer = forged.create(opts.options);
    const swapped = swapCredentialId(answer, credentialId!);
    const res = await call(r, 'POST', '/api/mfa/passkeys', {
      card: p.card,
      json: { challenge: opts.challenge, response: swapped },
    });
    expect(res.body.error.code).toBe('ERR_PASSKEY_INVALID');
    const stored = await r.server.services.storage.passkeys.getByCredentialId(credentialId!);
    expect(stored?.userId).toBe(olga.id);
    // The same swap to an unused id registers: the refusal above is the duplicate, nothing else.
    const opts2 = (await call(r, 'POST', '/api/mfa/passkeys/options', { card: p.card, json: {} })).body;
    const unused = Buffer.alloc(16, 7).toString('base64url');
    const fine = await call(r, 'POST', '/api/mfa/passkeys', {
      card: p.card,
      json: { challenge: opts2.challenge, response: swapCredentialId(forged.create(opts2.options), unused) },
    });
    expect(fine.status).toBe(201);
  });

  it('checks the name before using the challenge, and holds at most MAX_PASSKEYS_PER_USER passkeys', async () => {
    const quinn = await addUser(r, 'quinn', PASSWORD);
    const { card } = await login(r, 'quinn');
    const opts = (await call(r, 'POST', '/api/mfa/passkeys/options', { card, json: {} })).body;
    const response = new SoftwareAuthenticator({ origin }).create(opts.options);
    for (const name of ['   ', 'x'.repeat(65), 'tab\there']) {
      const bad = await call(r, 'POST', '/api/mfa/passkeys', {
        card,
        json: { challenge: opts.challenge, response, name },
      });
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe('ERR_VALIDATION');
    }
    const ok = await call(r, 'POST', '/api/mfa/passkeys', {
      card,
      json: { challenge: opts.challenge, response, name: 'é'.repeat(64) },
    });
    expect(ok.status).toBe(201);

    for (let i = 1; i < MAX_PASSKEYS_PER_USER; i++) {
      await r.server.services.storage.passkeys.create({
        id: `seeded-${i}`,
        userId: quinn.id,
        credentialId: `c2VlZGVkLSR${i}`,
        publicKey: 'AA',
        counter: 0,
        transports: [],
        name: `seeded ${i}`,
        aaguid: '00000000-0000-0000-0000-000000000000',
        backedUp: false,
        deviceType: 'singleDevice',
        createdAt: clock(),
        lastUsedAt: null,
      });
    }
    const full = await call(r, 'POST', '/api/mfa/passkeys/options', { card, json: {} });
    expect(full.status).toBe(409);
    expect(full.body.error.code).toBe('ERR_CONFLICT');
  });

  it('registers during a sign-in that must set up a factor, answering a token with the passkey proven', async () => {
    const rae = await addUser(r, 'rae', PASSWORD);
    const interaction = 'the-page-interaction';
    const token = sealPending(r.server.services, {
      userId: rae.id,
      passwordHash: rae.passwordHash,
      amr: ['pwd'],
      passwordAt: clock(),
      purpose: `authorize:${interaction}`,
      enrol: true,
    });
    const authenticator = new SoftwareAuthenticator({ origin });
    const opts = await call(r, 'POST', '/api/mfa/passkeys/options', {
      json: { mfa_token: token, interaction },
    });
    expect(opts.status).toBe(200);
    const res = await call(r, 'POST', '/api/mfa/passkeys', {
      json: {
        mfa_token: token,
        interaction,
        challenge: opts.body.challenge,
        response: authenticator.create(opts.body.options),
      },
    });
    expect(res.status).toBe(201);
    expect(res.body.recovery_codes).toHaveLength(10);
    const next = openPending(r.server.services, res.body.mfa_token, `authorize:${interaction}`);
    expect(next).toMatchObject({ userId: rae.id, proven: ['passkey'], enrol: false, amr: ['pwd'] });
    const audited = await auditOf(r, 'passkey.registered', rae.id);
    expect(audited[0]?.actor).toBe(rae.id);
  });
});

/** The same answer naming another credential id (in the page's fields and the signed data alike). */
function swapCredentialId(answer: ReturnType<SoftwareAuthenticator['create']>, credentialId: string) {
  const attestation = Buffer.from(answer.response.attestationObject, 'base64url');
  const oldId = Buffer.from(answer.id, 'base64url');
  const newId = Buffer.from(credentialId, 'base64url');
  expect(newId.length).toBe(oldId.length);
  const at = attestation.indexOf(oldId);
  expect(at).toBeGreaterThan(0);
  newId.copy(attestation, at);
  return {
    ...answer,
    id: credentialId,
    rawId: credentialId,
    response: { ...answer.response, attestationObject: attestation.toString('base64url') },
  };
}
