// Passkey ceremonies against a software authenticator that makes real ES256 credentials: the
// registration and assertion a browser would send, then each way one must be refused.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSealer } from '../src/crypto/index.js';
import { createMemoryCoordinator } from '../src/index.js';
import {
  authenticationOptions,
  credentialIdOf,
  issueChallenge,
  type NewPasskeyFields,
  openChallenge,
  type PasskeyForAuthentication,
  registrationOptions,
  rpFromIssuer,
  useChallengeOnce,
  userHandleOf,
  verifyAuthentication,
  verifyRegistration,
} from '../src/mfa/index.js';
import { type CeremonyOverrides, SoftwareAuthenticator } from './support/webauthn-authenticator.js';

const ISSUER = 'https://id.keycard.test/auth';
const ORIGIN = 'https://id.keycard.test';
const rp = rpFromIssuer(ISSUER, 'keycard');
const ctx = { sealer: createSealer(randomBytes(32)), clock: () => 1_700_000_000_000 };
const USER = { id: 'user-1', username: 'alice' };

const invalid = expect.objectContaining({ code: 'ERR_PASSKEY_INVALID', status: 401 });

async function register(
  authenticator: SoftwareAuthenticator,
  overrides: CeremonyOverrides = {},
  opts: { requireUserVerification?: boolean; existing?: PasskeyForAuthentication[] } = {},
) {
  const { challenge } = issueChallenge(ctx, { purpose: 'register', userId: USER.id });
  const options = await registrationOptions({ rp, user: USER, existing: opts.existing ?? [], challenge });
  const response = authenticator.create(options, overrides);
  return verifyRegistration({
    response,
    expectedChallenge: challenge,
    rp,
    requireUserVerification: opts.requireUserVerification,
  });
}

/** A registered passkey as storage would hold it. */
async function enrolled(authenticator = new SoftwareAuthenticator({ origin: ORIGIN })) {
  const { passkey } = await register(authenticator);
  const stored: NewPasskeyFields & PasskeyForAuthentication = { ...passkey, userId: USER.id };
  return { authenticator, stored };
}

async function assert(
  authenticator: SoftwareAuthenticator,
  passkey: PasskeyForAuthentication,
  overrides: Parameters<SoftwareAuthenticator['get']>[1] = {},
  opts: { requireUserVerification?: boolean; allow?: boolean; expectedChallenge?: string } = {},
) {
  const { challenge } = issueChallenge(ctx, { purpose: 'authenticate', userId: null });
  const options = await authenticationOptions({
    rp,
    allow: opts.allow === false ? undefined : [passkey],
    userVerification: 'required',
    challenge,
  });
  const response = authenticator.get(options, overrides);
  return verifyAuthentication({
    response,
    expectedChallenge: opts.expectedChallenge ?? challenge,
    rp,
    passkey,
    requireUserVerification: opts.requireUserVerification ?? true,
  });
}

describe('relying party', () => {
  it('is the issuer host name and origin, whatever its path', () => {
    expect(rp).toEqual({ rpID: 'id.keycard.test', rpName: 'keycard', origins: ['https://id.keycard.test'] });
    expect(rpFromIssuer('http://localhost:4000', 'k')).toEqual({
      rpID: 'localhost',
      rpName: 'k',
      origins: ['http://localhost:4000'],
    });
  });
});

describe('registration', () => {
  it('offers a discoverable credential, no attestation, UV preferred, existing ones excluded', async () => {
    const { challenge } = issueChallenge(ctx, { purpose: 'register', userId: USER.id });
    const options = await registrationOptions({
      rp,
      user: USER,
      existing: [{ credentialId: 'AAAA', transports: ['usb', 'bogus'] }],
      challenge,
    });
    expect(options).toMatchObject({
      challenge,
      rp: { id: 'id.keycard.test', name: 'keycard' },
      user: { id: userHandleOf(USER.id), name: 'alice', displayName: 'alice' },
      attestation: 'none',
      authenticatorSelection: {
        residentKey: 'required',
        requireResidentKey: true,
        userVerification: 'preferred',
      },
      excludeCredentials: [{ id: 'AAAA', type: 'public-key', transports: ['usb'] }],
    });
    expect(options.pubKeyCredParams.map((p) => p.alg)).toEqual([-8, -7, -257]);
  });

  it('verifies a real credential and yields the fields to store', async () => {
    const authenticator = new SoftwareAuthenticator({
      origin: ORIGIN,
      transports: ['internal', 'hybrid', 'x'],
    });
    const { passkey, userVerified } = await register(authenticator);
    const [held] = [...authenticator.credentials.values()];
    expect(passkey).toEqual({
      credentialId: held!.id,
      publicKey: expect.stringMatching(/^[A-Za-z0-9_-]+$/),
      counter: 0,
      transports: ['internal', 'hybrid'],
      aaguid: '00000000-0000-0000-0000-000000000000',
      backedUp: false,
      deviceType: 'singleDevice',
    });
    expect(userVerified).toBe(true);
  });

  it('tells a synced (backed up) passkey', async () => {
    const { passkey } = await register(new SoftwareAuthenticator({ origin: ORIGIN, backedUp: true }));
    expect(passkey).toMatchObject({ backedUp: true, deviceType: 'multiDevice' });
  });

  it('takes an authenticator without user verification unless it is required', async () => {
    const authenticator = new SoftwareAuthenticator({ origin: ORIGIN, userVerification: false });
    await expect(register(authenticator)).resolves.toMatchObject({ userVerified: false });
    await expect(register(authenticator, {}, { requireUserVerification: true })).rejects.toEqual(invalid);
  });

  it.each<[string, CeremonyOverrides]>([
    ['another origin', { origin: 'https://evil.test' }],
    ['a sibling origin', { origin: 'https://other.keycard.test' }],
    ['the issuer over http', { origin: 'http://id.keycard.test' }],
    ['another RP ID hash', { rpId: 'evil.test' }],
    ['a parent domain RP ID hash', { rpId: 'keycard.test' }],
    ['another challenge', { challenge: randomBytes(32).toString('base64url') }],
    ['an assertion type', { type: 'webauthn.get' }],
    ['no user presence', { up: false }],
    ['a cross-origin frame', { crossOrigin: true }],
  ])('refuses %s', async (_name, overrides) => {
    const error = await register(new SoftwareAuthenticator({ origin: ORIGIN }), overrides).catch(
      (e: unknown) => e,
    );
    expect(error).toEqual(invalid);
    // The library's reason stays in `cause`; the message is the public one.
    expect((error as Error).message).toBe('The passkey could not be verified');
    expect((error as Error).cause).toBeInstanceOf(Error);
  });

  it('refuses answers that are not one', async () => {
    const { challenge } = issueChallenge(ctx, { purpose: 'register', userId: USER.id });
    const options = await registrationOptions({ rp, user: USER, existing: [], challenge });
    const good = new SoftwareAuthenticator({ origin: ORIGIN }).create(options);
    for (const response of [
      null,
      'x',
      {},
      { ...good, type: 'password' },
      { ...good, id: 'A'.repeat(2000), rawId: 'A'.repeat(2000) },
      { ...good, id: 'AAAA', rawId: 'AAAA' },
      { ...good, response: { ...good.response, attestationObject: 'not base64url!' } },
      { ...good, response: { ...good.response, attestationObject: 'AAAA' } },
      { ...good, response: { ...good.response, clientDataJSON: Buffer.from('[]').toString('base64url') } },
    ]) {
      await expect(verifyRegistration({ response, expectedChallenge: challenge, rp })).rejects.toEqual(
        invalid,
      );
    }
    await expect(
      verifyRegistration({ response: good, expectedChallenge: challenge, rp }),
    ).resolves.toBeDefined();
  });
});

describe('authentication', () => {
  it('offers the allowed passkeys, or none for a discoverable sign-in', async () => {
    const { challenge } = issueChallenge(ctx, { purpose: 'authenticate', userId: null });
    const signIn = await authenticationOptions({ rp, userVerification: 'required', challenge });
    expect(signIn).toMatchObject({ rpId: 'id.keycard.test', challenge, userVerification: 'required' });
    expect(signIn.allowCredentials).toBeUndefined();
    const second = await authenticationOptions({
      rp,
      allow: [{ credentialId: 'AAAA', transports: ['nfc', 'bogus'] }],
      userVerification: 'preferred',
      challenge,
    });
    expect(second.allowCredentials).toEqual([{ id: 'AAAA', type: 'public-key', transports: ['nfc'] }]);
  });

  it('verifies an assertion, and the counter goes up with each use', async () => {
    const { authenticator, stored } = await enrolled();
    const first = await assert(authenticator, stored);
    expect(first).toEqual({ newCounter: 1, userVerified: true, backedUp: false, cloneSuspected: false });
    const second = await assert(authenticator, { ...stored, counter: first.newCounter });
    expect(second).toMatchObject({ newCounter: 2, cloneSuspected: false });
  });

  it('verifies a discoverable sign-in: the user handle names the passkey owner', async () => {
    const { authenticator, stored } = await enrolled();
    const { challenge } = issueChallenge(ctx, { purpose: 'authenticate', userId: null });
    const response = authenticator.get(
      await authenticationOptions({ rp, userVerification: 'required', challenge }),
    );
    expect(response.response.userHandle).toBe(userHandleOf(USER.id));
    expect(credentialIdOf(response)).toBe(stored.credentialId);
    expect(credentialIdOf({ id: 1 })).toBeUndefined();
    await expect(
      verifyAuthentication({
        response,
        expectedChallenge: challenge,
        rp,
        passkey: stored,
        requireUserVerification: true,
      }),
    ).resolves.toMatchObject({ userVerified: true });
  });

  it('takes an authenticator without a counter (always 0)', async () => {
    const { authenticator, stored } = await enrolled(
      new SoftwareAuthenticator({ origin: ORIGIN, counterStep: 0 }),
    );
    await expect(assert(authenticator, stored)).resolves.toMatchObject({
      newCounter: 0,
      cloneSuspected: false,
    });
    await expect(assert(authenticator, stored)).resolves.toMatchObject({
      newCounter: 0,
      cloneSuspected: false,
    });
  });

  it.each([
    ['repeats the stored counter', 5, 5],
    ['goes below the stored counter', 5, 3],
    ['drops to zero', 5, 0],
  ])(
    'suspects a clone when a signed counter %s (after checking the signature)',
    async (_n, storedCounter, seen) => {
      const { authenticator, stored } = await enrolled();
      const result = await assert(authenticator, { ...stored, counter: storedCounter }, { counter: seen });
      expect(result).toMatchObject({ newCounter: seen, cloneSuspected: true });
    },
  );

  it('a forged answer with a low counter is refused as invalid, never reported as a clone', async () => {
    const { stored } = await enrolled();
    const other = await enrolled();
    // Another key signs an answer that names the first passkey, with a counter below its own.
    const { challenge } = issueChallenge(ctx, { purpose: 'authenticate', userId: null });
    const options = await authenticationOptions({ rp, userVerification: 'required', challenge });
    const signed = other.authenticator.get(options, { counter: 1 });
    const forged = { ...signed, id: stored.credentialId, rawId: stored.credentialId };
    const error = await verifyAuthentication({
      response: forged,
      expectedChallenge: challenge,
      rp,
      passkey: { ...stored, counter: 5 },
      requireUserVerification: true,
    }).catch((e: unknown) => e);
    expect(error).toEqual(invalid);
    expect(((error as Error).cause as Error).message).toMatch(/signature/);
  });

  it('refuses a user not verified when it is required, takes it when it is not', async () => {
    const { authenticator, stored } = await enrolled();
    await expect(assert(authenticator, stored, { uv: false })).rejects.toEqual(invalid);
    await expect(
      assert(authenticator, stored, { uv: false }, { requireUserVerification: false }),
    ).resolves.toMatchObject({
      userVerified: false,
    });
  });

  it.each<[string, Parameters<SoftwareAuthenticator['get']>[1]]>([
    ['another origin', { origin: 'https://evil.test' }],
    ['another RP ID hash', { rpId: 'evil.test' }],
    ['another challenge', { challenge: randomBytes(32).toString('base64url') }],
    ['a registration type', { type: 'webauthn.create' }],
    ['no user presence', { up: false }],
    ['a cross-origin frame', { crossOrigin: true }],
    ["another user's handle", { userHandle: userHandleOf('user-2') }],
  ])('refuses %s', async (_name, overrides) => {
    const { authenticator, stored } = await enrolled();
    const error = await assert(authenticator, stored, overrides).catch((e: unknown) => e);
    expect(error).toEqual(invalid);
    expect((error as Error).cause).toBeInstanceOf(Error);
  });

  it('refuses an answer for the wrong expected challenge', async () => {
    const { authenticator, stored } = await enrolled();
    const expectedChallenge = randomBytes(32).toString('base64url');
    await expect(assert(authenticator, stored, {}, { expectedChallenge })).rejects.toEqual(invalid);
  });

  it('refuses an answer from another passkey than the stored one, and a bad signature', async () => {
    const { authenticator, stored } = await enrolled();
    const second = await register(authenticator);
    const { challenge } = issueChallenge(ctx, { purpose: 'authenticate', userId: null });
    const options = await authenticationOptions({ rp, userVerification: 'required', challenge });
    const fromSecond = authenticator.get(options, { credentialId: second.passkey.credentialId });
    await expect(
      verifyAuthentication({
        response: fromSecond,
        expectedChallenge: challenge,
        rp,
        passkey: stored,
        requireUserVerification: true,
      }),
    ).rejects.toEqual(invalid);
    const good = authenticator.get(options, { credentialId: stored.credentialId });
    const signature = Buffer.from(good.response.signature, 'base64url');
    signature[signature.length - 1]! ^= 1;
    const tampered = { ...good, response: { ...good.response, signature: signature.toString('base64url') } };
    await expect(
      verifyAuthentication({
        response: tampered,
        expectedChallenge: challenge,
        rp,
        passkey: stored,
        requireUserVerification: true,
      }),
    ).rejects.toEqual(invalid);
  });
});

describe('a whole ceremony with sealed, single-use challenges', () => {
  it('registers, signs in, and refuses the same answer twice', async () => {
    const coordinator = createMemoryCoordinator({ clock: ctx.clock });
    try {
      const authenticator = new SoftwareAuthenticator({ origin: ORIGIN });
      const reg = issueChallenge(ctx, { purpose: 'register', userId: USER.id });
      const created = authenticator.create(
        await registrationOptions({ rp, user: USER, existing: [], challenge: reg.challenge }),
      );
      const regChallenge = openChallenge(ctx, reg.token, 'register', USER.id);
      expect(await useChallengeOnce({ coordinator }, regChallenge)).toBe(true);
      const { passkey } = await verifyRegistration({
        response: created,
        expectedChallenge: regChallenge,
        rp,
      });

      const auth = issueChallenge(ctx, { purpose: 'authenticate', userId: null });
      const answer = authenticator.get(
        await authenticationOptions({ rp, userVerification: 'required', challenge: auth.challenge }),
      );
      const authChallenge = openChallenge(ctx, auth.token, 'authenticate', null);
      expect(await useChallengeOnce({ coordinator }, authChallenge)).toBe(true);
      const stored = { ...passkey, userId: USER.id };
      await expect(
        verifyAuthentication({
          response: answer,
          expectedChallenge: authChallenge,
          rp,
          passkey: stored,
          requireUserVerification: true,
        }),
      ).resolves.toMatchObject({ newCounter: 1 });
      // The same answer again: its challenge is spent.
      expect(
        await useChallengeOnce({ coordinator }, openChallenge(ctx, auth.token, 'authenticate', null)),
      ).toBe(false);
      // The authenticator will not register a second credential for an excluded one.
      const again = await registrationOptions({
        rp,
        user: USER,
        existing: [passkey],
        challenge: reg.challenge,
      });
      expect(() => authenticator.create(again)).toThrow(/InvalidStateError/);
    } finally {
      await coordinator.close();
    }
  });
});
