import type { RequestInfo, ServerContext } from '../context.js';
import { ServerError } from '../errors.js';
import type { PasskeyRecord } from '../storage/index.js';
import { openChallenge, useChallengeOnce } from './challenge.js';
import { rpFromIssuer } from './webauthn.js';
import { verifyAuthentication } from './webauthn-authenticate.js';

/**
 * One use of a stored passkey to sign in, alone or as a second factor: the assertion verified
 * against the issuer's relying party, a counter that did not move refused as a possible clone
 * (audited `passkey.clone_suspected`), and the new counter stored by compare-and-set so two
 * concurrent uses of one assertion-producing key cannot both pass.
 */

/** What a passkey use reads. */
export type PasskeyUseDeps = Pick<ServerContext, 'storage' | 'clock' | 'config' | 'issuer' | 'audit'>;

/**
 * Opens the sealed `token` of an authentication challenge for `userId` (or, for a passkey
 * offered without knowing the person, for nobody) and claims it for this one ceremony across the
 * cluster. ERR_PASSKEY_INVALID when it is not such a challenge, expired, or used before.
 *
 * @example
 * ```ts
 * const challenge = await claimChallenge(ctx, body.challenge, [user.id, null]);
 * ```
 */
export async function claimChallenge(
  ctx: Pick<ServerContext, 'sealer' | 'clock' | 'coordinator'>,
  token: string,
  userIds: readonly (string | null)[],
): Promise<string> {
  let challenge: string | undefined;
  for (const userId of userIds) {
    try {
      challenge = openChallenge(ctx, token, 'authenticate', userId);
      break;
    } catch {
      // Not sealed for this user; try the next one (the last failure answers below).
    }
  }
  if (challenge === undefined || !(await useChallengeOnce(ctx, challenge)))
    throw new ServerError('ERR_PASSKEY_INVALID', { cause: new Error('challenge refused or used') });
  return challenge;
}

/**
 * Verifies `response` as an assertion of `passkey` over `challenge` (already claimed) and records
 * the use. ERR_PASSKEY_INVALID for a bad assertion, a suspected clone or a lost counter race.
 *
 * @example
 * ```ts
 * await usePasskey(ctx, { passkey, response: body.response, challenge, requireUserVerification: true, request });
 * ```
 */
export async function usePasskey(
  ctx: PasskeyUseDeps,
  input: {
    passkey: PasskeyRecord;
    response: unknown;
    challenge: string;
    requireUserVerification: boolean;
    request: RequestInfo;
  },
): Promise<void> {
  const { passkey } = input;
  const assertion = await verifyAuthentication({
    response: input.response,
    expectedChallenge: input.challenge,
    rp: rpFromIssuer(ctx.issuer, ctx.config.mfa.rpName),
    passkey,
    requireUserVerification: input.requireUserVerification,
  });
  if (assertion.cloneSuspected) {
    await ctx.audit.record('passkey.clone_suspected', {
      actor: passkey.userId,
      subject: passkey.id,
      request: input.request,
      detail: { storedCounter: passkey.counter, presentedCounter: assertion.newCounter },
    });
    throw new ServerError('ERR_PASSKEY_INVALID', {
      cause: new Error('the signature counter did not increase'),
    });
  }
  const recorded = await ctx.storage.passkeys.recordUse(
    passkey.id,
    passkey.counter,
    assertion.newCounter,
    ctx.clock(),
  );
  // Another use read the same counter and stored first: one of the two answers is a replay.
  if (!recorded) throw new ServerError('ERR_PASSKEY_INVALID', { cause: new Error('a concurrent use won') });
}
