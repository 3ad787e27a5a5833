// Second factors set up straight through storage (the enrolment endpoints are not these suites'
// subject), TOTP codes computed with otpauth as an authenticator app would, and passkeys made by the
// software authenticator and registered with the server's own ceremony code.
import { Secret, TOTP } from 'otpauth';
import {
  generateRecoveryCodes,
  generateTotpSecret,
  hashRecoveryCode,
  issueChallenge,
  registrationOptions,
  rpFromIssuer,
  sealTotpSecret,
  verifyRegistration,
} from '../../src/mfa/index.js';
import type { PasskeyRecord } from '../../src/storage/index.js';
import type { Running } from '../helpers.js';
import { SoftwareAuthenticator } from './webauthn-authenticator.js';

const PERIOD_MS = 30_000;

/** The six-digit code of `secret` for the time step `offset` steps from `now` (ms). */
export function totpCode(secret: string, now: number, offset = 0): string {
  return TOTP.generate({
    secret: Secret.fromBase32(secret),
    algorithm: 'SHA1',
    digits: 6,
    period: 30,
    timestamp: now + offset * PERIOD_MS,
  });
}

/** Gives `userId` a confirmed TOTP authenticator (no step used yet); returns its secret. */
export async function enrolTotp(r: Running, userId: string): Promise<string> {
  const ctx = r.server.services;
  const secret = generateTotpSecret();
  const now = ctx.clock();
  await ctx.storage.totp.put({
    userId,
    secretSealed: sealTotpSecret(ctx, secret),
    createdAt: now,
    confirmedAt: now,
    lastUsedStep: null,
  });
  return secret;
}

/** Gives `userId` ten fresh recovery codes (replacing any); returns them in the clear. */
export async function giveRecoveryCodes(r: Running, userId: string): Promise<string[]> {
  const ctx = r.server.services;
  const codes = generateRecoveryCodes();
  await ctx.storage.recoveryCodes.replace(
    userId,
    codes.map((c) => hashRecoveryCode(ctx, c)),
    ctx.clock(),
  );
  return codes;
}

/** A software authenticator at the server's origin (its issuer). */
export function authenticatorFor(r: Running, opts: { counterStep?: number } = {}): SoftwareAuthenticator {
  return new SoftwareAuthenticator({ origin: new URL(r.server.services.issuer).origin, ...opts });
}

/**
 * Registers a passkey of `authenticator` for `userId` through the server's registration ceremony
 * and stores it as the enrolment would; returns the stored record.
 */
export async function enrolPasskey(
  r: Running,
  user: { id: string; username: string },
  authenticator: SoftwareAuthenticator,
): Promise<PasskeyRecord> {
  const ctx = r.server.services;
  const rp = rpFromIssuer(ctx.issuer, ctx.config.mfa.rpName);
  const { challenge } = issueChallenge(ctx, { purpose: 'register', userId: user.id });
  const options = await registrationOptions({ rp, user, existing: [], challenge });
  const { passkey } = await verifyRegistration({
    response: authenticator.create(options),
    expectedChallenge: challenge,
    rp,
  });
  const record: PasskeyRecord = {
    ...passkey,
    id: `pk-${passkey.credentialId.slice(0, 12)}`,
    userId: user.id,
    name: 'Test key',
    createdAt: ctx.clock(),
    lastUsedAt: null,
  };
  await ctx.storage.passkeys.create(record);
  return record;
}

/** The payload of a JWT, unverified. */
// biome-ignore lint/suspicious/noExplicitAny: test-only JSON access
export const payloadOf = (jwt: string): any =>
  JSON.parse(Buffer.from(jwt.split('.')[1] as string, 'base64url').toString('utf8'));
