import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server';
import type { RequestInfo, ServerContext } from '../context.js';
import { randomId } from '../crypto/index.js';
import { ServerError } from '../errors.js';
import { type PasskeyRecord, StorageConflictError, type UserRecord } from '../storage/index.js';
import { issueChallenge, openChallenge, useChallengeOnce } from './challenge.js';
import { factorsOf, hasFactor, issueRecoveryCodes, MAX_PASSKEYS_PER_USER } from './factors.js';
import { passkeyName } from './passkey-name.js';
import { rpFromIssuer } from './webauthn.js';
import { registrationOptions, verifyRegistration } from './webauthn-register.js';

/**
 * Registering a passkey: options with a sealed single-use challenge, then the authenticator's
 * answer verified and stored. The relying party is the issuer (its host name and origin).
 */

/** What the passkey enrolment services read. */
export type EnrolPasskeyDeps = Pick<
  ServerContext,
  'storage' | 'sealer' | 'clock' | 'config' | 'audit' | 'coordinator' | 'issuer' | 'directory'
>;

/** The options for `navigator.credentials.create()` and the sealed challenge to send back. */
export interface PasskeyCreation {
  options: PublicKeyCredentialCreationOptionsJSON;
  /** Sealed (5 minutes, this user, registration only): the page posts it back with the answer. */
  challenge: string;
}

function tooMany(): ServerError {
  return new ServerError('ERR_CONFLICT', {
    message: `An account holds at most ${MAX_PASSKEYS_PER_USER} passkeys: remove one first`,
  });
}

/**
 * Registration options for a new passkey of `user`: a discoverable credential, the person's
 * passkeys excluded, no attestation. ERR_CONFLICT when they hold {@link MAX_PASSKEYS_PER_USER}.
 *
 * @example
 * ```ts
 * const { options, challenge } = await passkeyCreationOptions(ctx, user);
 * ```
 */
export async function passkeyCreationOptions(
  ctx: EnrolPasskeyDeps,
  user: Pick<UserRecord, 'id' | 'username'>,
): Promise<PasskeyCreation> {
  const existing = await ctx.storage.passkeys.listByUser(user.id);
  if (existing.length >= MAX_PASSKEYS_PER_USER) throw tooMany();
  const issued = issueChallenge(ctx, { purpose: 'register', userId: user.id });
  const rp = rpFromIssuer(ctx.issuer, ctx.config.mfa.rpName);
  const options = await registrationOptions({
    rp,
    user: { id: user.id, username: user.username },
    existing,
    challenge: issued.challenge,
  });
  return { options, challenge: issued.token };
}

/** A passkey registered. */
export interface PasskeyRegistered {
  passkey: PasskeyRecord;
  /** New recovery codes when this was the person's first factor (shown this once); else undefined. */
  recoveryCodes: string[] | undefined;
}

/**
 * Verifies the authenticator's answer to {@link passkeyCreationOptions} and stores the passkey
 * under `name` (trimmed, 1–64 characters; "Passkey" when left out). The challenge must be the
 * one issued to this user for a registration, unexpired and unused (it is used up here, before
 * the answer is checked). A credential already registered, to anyone, is ERR_PASSKEY_INVALID.
 * The first factor of the account comes with ten recovery codes. Audited `passkey.registered`.
 *
 * @example
 * ```ts
 * const { passkey, recoveryCodes } = await registerPasskey(ctx, user.id, body, { actor: user.id, request });
 * ```
 */
export async function registerPasskey(
  ctx: EnrolPasskeyDeps,
  userId: string,
  input: { name?: string | undefined; challenge: string; response: unknown },
  opts: { actor: string; request?: RequestInfo | undefined },
): Promise<PasskeyRegistered> {
  const name = input.name === undefined ? 'Passkey' : passkeyName(input.name);
  const challenge = openChallenge(ctx, input.challenge, 'register', userId);
  if (!(await useChallengeOnce(ctx, challenge)))
    throw new ServerError('ERR_PASSKEY_INVALID', { cause: new Error('challenge used before') });
  const rp = rpFromIssuer(ctx.issuer, ctx.config.mfa.rpName);
  const verified = await verifyRegistration({ response: input.response, expectedChallenge: challenge, rp });
  const factors = await factorsOf(ctx, userId);
  if (factors.passkeys.length >= MAX_PASSKEYS_PER_USER) throw tooMany();
  const record: PasskeyRecord = {
    ...verified.passkey,
    id: randomId(),
    userId,
    name,
    createdAt: ctx.clock(),
    lastUsedAt: null,
  };
  try {
    await ctx.storage.passkeys.create(record);
  } catch (error) {
    // Another account's credential id (or this one's again): never overwrite, never say whose.
    if (error instanceof StorageConflictError)
      throw new ServerError('ERR_PASSKEY_INVALID', { cause: new Error('credential already registered') });
    throw error;
  }
  await ctx.audit.record('passkey.registered', {
    actor: opts.actor,
    subject: userId,
    request: opts.request,
    detail: { passkey: record.id, deviceType: record.deviceType, backedUp: record.backedUp },
  });
  const recoveryCodes = hasFactor(factors)
    ? undefined
    : await issueRecoveryCodes(ctx, userId, 'first_factor', opts);
  return { passkey: record, recoveryCodes };
}
