import type { RequestInfo, ServerContext } from '../context.js';
import { ServerError } from '../errors.js';
import type { UserRecord } from '../storage/index.js';
import { AMR_VALUES, type AmrValue, type SecondFactor } from './amr.js';
import { admitSecondFactor, type MfaThrottleDeps, settleSecondFactor } from './failure-throttle.js';
import { claimChallenge, type PasskeyUseDeps, usePasskey } from './passkey-use.js';
import { hashRecoveryCode, normalizeRecoveryCode } from './recovery-codes.js';
import { verifyTotp } from './totp.js';
import { openTotpSecret } from './totp-secret.js';
import { credentialIdOf } from './webauthn-response.js';

/**
 * Checks the second factor a person offers after the password (or on top of a live browser
 * session): a TOTP code, a recovery code or a passkey. Every check is throttled (codes per
 * account, passkeys per source and account) and single use — a TOTP step, a recovery code and a passkey challenge are each accepted once, on
 * any instance — and every wrong factor is audited `mfa.failed` with its kind only.
 */

/** A second factor as the person offers it. */
export type SecondFactorProof =
  | { kind: 'totp'; code: string }
  | { kind: 'recovery_code'; code: string }
  | {
      kind: 'passkey';
      /** The sealed challenge token the options came with. */
      challenge: string;
      /** The authenticator's answer (`PublicKeyCredential.toJSON()`). */
      response: unknown;
    };

/** A proven second factor. */
export interface ProvenSecondFactor {
  factor: SecondFactor;
  /** Unused recovery codes left, after a recovery code was used. */
  recoveryCodesLeft?: number;
}

/** What {@link verifySecondFactor} reads. */
export type VerifySecondFactorDeps = Pick<ServerContext, 'sealer' | 'coordinator'> &
  MfaThrottleDeps &
  PasskeyUseDeps;

/**
 * Verifies `proof` for `user`. ERR_MFA_INVALID for a wrong, replayed or used code (or a factor
 * the person does not have), ERR_PASSKEY_INVALID for a passkey that does not verify, is not
 * theirs, or whose challenge is gone; 429 ERR_RATE_LIMITED once the account has used
 * `mfa.maxFailures` in `mfa.failureWindow` or `mfa.dailyMaxFailures` in a day on codes (passkeys:
 * `mfa.maxFailures` per source and account; see failure-throttle.ts).
 *
 * @example
 * ```ts
 * const { factor } = await verifySecondFactor(ctx, user, { kind: 'totp', code: body.totp }, request);
 * const amr = passwordWith(factor);
 * ```
 */
export async function verifySecondFactor(
  ctx: VerifySecondFactorDeps,
  user: Pick<UserRecord, 'id'>,
  proof: SecondFactorProof,
  request: RequestInfo,
): Promise<ProvenSecondFactor> {
  const attempt = await admitSecondFactor(ctx, user.id, proof.kind, request.ip);
  let proven: ProvenSecondFactor | undefined;
  try {
    proven = await check(ctx, user.id, proof, request);
  } catch (error) {
    const refused =
      error instanceof ServerError &&
      (error.code === 'ERR_MFA_INVALID' || error.code === 'ERR_PASSKEY_INVALID');
    // Storage down or the like: not a wrong factor, it must not count as a guess.
    await settleSecondFactor(ctx, attempt, refused ? { failure: proof.kind, request } : 'aborted');
    throw error;
  }
  await settleSecondFactor(ctx, attempt, 'success');
  return proven;
}

/**
 * RFC 8176 methods after `factor` joins `amr`, in keycard's order: a one-time code (TOTP or
 * recovery code) adds `otp`, a passkey `hwk`, and two factors `mfa`.
 *
 * @example
 * ```ts
 * withSecondFactor(['pwd'], 'totp'); // ['pwd', 'otp', 'mfa']
 * withSecondFactor(['pwd'], 'passkey'); // ['pwd', 'hwk', 'mfa']
 * ```
 */
export function withSecondFactor(amr: readonly string[], factor: SecondFactor): AmrValue[] {
  const all = new Set<string>([...amr, factor === 'passkey' ? 'hwk' : 'otp', 'mfa']);
  return AMR_VALUES.filter((v) => all.has(v));
}

async function check(
  ctx: VerifySecondFactorDeps,
  userId: string,
  proof: SecondFactorProof,
  request: RequestInfo,
): Promise<ProvenSecondFactor> {
  const invalid = (why: string) => new ServerError('ERR_MFA_INVALID', { cause: new Error(why) });
  switch (proof.kind) {
    case 'totp': {
      const record = await ctx.storage.totp.get(userId);
      if (record === undefined || record.confirmedAt === null) throw invalid('no confirmed TOTP');
      const step = verifyTotp(openTotpSecret(ctx, record.secretSealed), proof.code, ctx.clock());
      if (step === undefined) throw invalid('wrong code');
      // Atomic across instances: a step at or before the last accepted one is a replay.
      if (!(await ctx.storage.totp.useStep(userId, step))) throw invalid('code already used');
      return { factor: 'totp' };
    }
    case 'recovery_code': {
      const code = normalizeRecoveryCode(proof.code);
      if (code === undefined) throw invalid('not a recovery code');
      if (!(await ctx.storage.recoveryCodes.consume(userId, hashRecoveryCode(ctx, code), ctx.clock())))
        throw invalid('unknown or used recovery code');
      const left = await ctx.storage.recoveryCodes.countUnused(userId);
      await ctx.audit.record('mfa.recovery_code_used', {
        actor: userId,
        subject: userId,
        request,
        detail: { remaining: left },
      });
      return { factor: 'recovery_code', recoveryCodesLeft: left };
    }
    case 'passkey': {
      const credentialId = credentialIdOf(proof.response);
      const passkey =
        credentialId === undefined ? undefined : await ctx.storage.passkeys.getByCredentialId(credentialId);
      if (passkey === undefined || passkey.userId !== userId)
        throw new ServerError('ERR_PASSKEY_INVALID', { cause: new Error('not a passkey of this person') });
      // Options for this person, or the discoverable ones of the sign-in page: both are single use.
      const challenge = await claimChallenge(ctx, proof.challenge, [userId, null]);
      // The password (or the live session) is the first factor: presence suffices here.
      await usePasskey(ctx, {
        passkey,
        response: proof.response,
        challenge,
        requireUserVerification: false,
        request,
      });
      return { factor: 'passkey' };
    }
  }
}
