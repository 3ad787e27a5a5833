import type { RequestInfo, ServerContext } from '../context.js';
import { ServerError } from '../errors.js';
import type { UserRecord } from '../storage/index.js';
import { issueChallenge } from './challenge.js';
import { admitSecondFactor, type MfaThrottleDeps, settleSecondFactor } from './failure-throttle.js';
import { claimChallenge, type PasskeyUseDeps, usePasskey } from './passkey-use.js';
import { rpFromIssuer } from './webauthn.js';
import { authenticationOptions } from './webauthn-authenticate.js';
import { credentialIdOf } from './webauthn-response.js';

/**
 * Signing in with a passkey alone: the browser offers the person's discoverable credentials for
 * the issuer's host, the authenticator verifies them (PIN or biometric: required), and the
 * credential names the account. Two factors in one gesture: `amr` `['hwk', 'mfa']`.
 */

/** What {@link passkeySignInOptions} and {@link authenticateWithPasskey} read. */
export type PasskeySignInDeps = Pick<ServerContext, 'sealer' | 'coordinator' | 'throttle' | 'metrics'> &
  MfaThrottleDeps &
  PasskeyUseDeps;

/** The options of `navigator.credentials.get()` and the sealed challenge to send back. */
export interface PasskeyOptions {
  options: Awaited<ReturnType<typeof authenticationOptions>>;
  challenge: string;
}

/**
 * Options for a passkey sign-in (no allow list: the authenticator offers what it holds; user
 * verification required), or with `forUser` for that person's passkeys as a second factor.
 *
 * @example
 * ```ts
 * const { options, challenge } = await passkeySignInOptions(ctx);
 * ```
 */
export async function passkeySignInOptions(
  ctx: Pick<ServerContext, 'sealer' | 'clock' | 'config' | 'issuer' | 'storage'>,
  forUser?: string,
): Promise<PasskeyOptions> {
  const rp = rpFromIssuer(ctx.issuer, ctx.config.mfa.rpName);
  const issued = issueChallenge(ctx, { purpose: 'authenticate', userId: forUser ?? null });
  const options =
    forUser === undefined
      ? await authenticationOptions({ rp, userVerification: 'required', challenge: issued.challenge })
      : await authenticationOptions({
          rp,
          allow: await ctx.storage.passkeys.listByUser(forUser),
          userVerification: 'preferred',
          challenge: issued.challenge,
        });
  return { options, challenge: issued.token };
}

/**
 * The person a passkey sign-in proves: the credential's owner, once the challenge (from
 * {@link passkeySignInOptions}, single use), the signature with user verification and the counter
 * hold. One answer, ERR_PASSKEY_INVALID, for an unknown credential, a failed check and a disabled
 * or deleted account; counted per IP (`login`) and, for a known passkey, per source and account
 * like a passkey as second factor — never against the account's budget for codes, which junk
 * assertions must not be able to spend.
 *
 * @example
 * ```ts
 * const user = await authenticateWithPasskey(ctx, { challenge: body.challenge, response: body.response, request });
 * ```
 */
export async function authenticateWithPasskey(
  ctx: PasskeySignInDeps,
  input: { challenge: string; response: unknown; request: RequestInfo },
): Promise<UserRecord> {
  const { request } = input;
  await ctx.throttle.hitIp('login', request.ip).catch((error: unknown) => {
    ctx.metrics.logins.inc({ result: 'throttled' });
    throw error;
  });
  const credentialId = credentialIdOf(input.response);
  const passkey =
    credentialId === undefined ? undefined : await ctx.storage.passkeys.getByCredentialId(credentialId);
  if (passkey === undefined) {
    ctx.metrics.logins.inc({ result: 'failure' });
    await ctx.audit.record('login.failure', { request, detail: { reason: 'unknown_passkey' } });
    throw new ServerError('ERR_PASSKEY_INVALID', { cause: new Error('no such credential') });
  }
  const attempt = await admitSecondFactor(ctx, passkey.userId, 'passkey', request.ip);
  let user: UserRecord | undefined;
  try {
    const challenge = await claimChallenge(ctx, input.challenge, [null]);
    await usePasskey(ctx, {
      passkey,
      response: input.response,
      challenge,
      requireUserVerification: true,
      request,
    });
    user = await ctx.storage.users.getById(passkey.userId);
  } catch (error) {
    const refused = error instanceof ServerError && error.code === 'ERR_PASSKEY_INVALID';
    await settleSecondFactor(ctx, attempt, refused ? { failure: 'passkey', request } : 'aborted');
    throw error;
  }
  await settleSecondFactor(ctx, attempt, 'success');
  if (user === undefined || user.disabled) {
    ctx.metrics.logins.inc({ result: 'failure' });
    await ctx.audit.record('login.failure', {
      actor: passkey.userId,
      subject: passkey.userId,
      request,
      detail: { reason: 'disabled', via: 'passkey' },
    });
    throw new ServerError('ERR_PASSKEY_INVALID', { cause: new Error('the account is disabled') });
  }
  return user;
}
