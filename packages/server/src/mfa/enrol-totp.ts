import type { RequestInfo, ServerContext } from '../context.js';
import { ServerError } from '../errors.js';
import type { UserRecord } from '../storage/index.js';
import { factorsOf, hasFactor, issueRecoveryCodes } from './factors.js';
import { qrSvg } from './qr.js';
import { generateTotpSecret, otpauthUri, verifyTotp } from './totp.js';
import { openTotpSecret, sealTotpSecret } from './totp-secret.js';

/**
 * Setting up a TOTP authenticator: a new secret is stored sealed and unconfirmed; the person scans
 * it and types one code, which confirms it. Until then it is no factor: sign-in ignores it.
 */

/** What the enrolment services read. */
export type EnrolTotpDeps = Pick<
  ServerContext,
  'storage' | 'sealer' | 'clock' | 'config' | 'audit' | 'directory'
>;

/** A TOTP enrolment begun: what the page shows once (the secret is never shown again). */
export interface TotpEnrolment {
  /** base32, for typing into the app by hand. */
  secret: string;
  otpauthUri: string;
  /** The otpauth URI as a QR code (SVG). */
  qrSvg: string;
}

/**
 * Begins (or begins again) a TOTP enrolment for `user`: a new 160-bit secret sealed into
 * `storage.totp`, unconfirmed, replacing an earlier unconfirmed one. ERR_MFA_ALREADY_ENROLLED when
 * the person has a confirmed authenticator (remove it first). The authenticator app shows
 * `mfa.rpName` as the issuer and the username as the account.
 *
 * @example
 * ```ts
 * const { secret, otpauthUri, qrSvg } = await startTotpEnrolment(ctx, user);
 * ```
 */
export async function startTotpEnrolment(
  ctx: EnrolTotpDeps,
  user: Pick<UserRecord, 'id' | 'username'>,
): Promise<TotpEnrolment> {
  const existing = await ctx.storage.totp.get(user.id);
  if (existing !== undefined && existing.confirmedAt !== null)
    throw new ServerError('ERR_MFA_ALREADY_ENROLLED');
  const secret = generateTotpSecret();
  await ctx.storage.totp.put({
    userId: user.id,
    secretSealed: sealTotpSecret(ctx, secret),
    createdAt: ctx.clock(),
    confirmedAt: null,
    lastUsedStep: null,
  });
  const uri = otpauthUri({ issuerLabel: ctx.config.mfa.rpName, accountName: user.username, secret });
  return { secret, otpauthUri: uri, qrSvg: await qrSvg(uri) };
}

/** A TOTP enrolment confirmed. */
export interface TotpConfirmed {
  /** New recovery codes when this was the person's first factor (shown this once); else undefined. */
  recoveryCodes: string[] | undefined;
}

/**
 * Confirms the pending enrolment of `userId` with a `code` from the app (±1 step). The code's step
 * becomes the last one used, so that code never signs in. When the person had no factor before,
 * ten recovery codes are made and returned. ERR_MFA_NOT_ENROLLED without a pending enrolment,
 * ERR_MFA_ALREADY_ENROLLED when it is confirmed already, ERR_MFA_INVALID for a wrong code.
 * Audited `mfa.totp_enrolled` (and `mfa.recovery_codes_generated`).
 *
 * @example
 * ```ts
 * const { recoveryCodes } = await confirmTotpEnrolment(ctx, user.id, body.code, { actor: user.id, request });
 * ```
 */
export async function confirmTotpEnrolment(
  ctx: EnrolTotpDeps,
  userId: string,
  code: string,
  opts: { actor: string; request?: RequestInfo | undefined },
): Promise<TotpConfirmed> {
  const record = await ctx.storage.totp.get(userId);
  if (record === undefined) throw new ServerError('ERR_MFA_NOT_ENROLLED');
  if (record.confirmedAt !== null) throw new ServerError('ERR_MFA_ALREADY_ENROLLED');
  const now = ctx.clock();
  const step = verifyTotp(openTotpSecret(ctx, record.secretSealed), code, now);
  if (step === undefined) throw new ServerError('ERR_MFA_INVALID');
  const first = !hasFactor(await factorsOf(ctx, userId));
  if (!(await ctx.storage.totp.confirm(userId, now, step))) throw new ServerError('ERR_MFA_ALREADY_ENROLLED');
  // An enrolment started again between the read and the confirmation would be confirmed by a code
  // of the secret it replaced: take it back, the person starts over.
  const confirmed = await ctx.storage.totp.get(userId);
  if (confirmed?.secretSealed !== record.secretSealed) {
    await ctx.storage.totp.delete(userId);
    throw new ServerError('ERR_MFA_NOT_ENROLLED', { message: 'The enrolment was started again: start over' });
  }
  await ctx.audit.record('mfa.totp_enrolled', { actor: opts.actor, subject: userId, request: opts.request });
  const recoveryCodes = first ? await issueRecoveryCodes(ctx, userId, 'first_factor', opts) : undefined;
  return { recoveryCodes };
}
