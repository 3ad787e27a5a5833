import {
  generateRegistrationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { CHALLENGE_TTL_SECONDS } from './challenge.js';
import type { NewPasskeyFields, PasskeyDescriptor } from './types.js';
import {
  bytesOf,
  knownTransports,
  passkeyInvalid,
  type RelyingParty,
  SUPPORTED_ALGORITHMS,
} from './webauthn.js';
import { parseRegistrationResponse } from './webauthn-response.js';

/**
 * The options of `navigator.credentials.create()` for a new passkey of `user`: a discoverable
 * credential (so it can sign in alone), user verification preferred (required only when it is
 * used alone), no attestation (keycard trusts no vendor list; the AAGUID is kept as a label), and
 * the person's passkeys excluded so one authenticator is not registered twice.
 *
 * @example
 * ```ts
 * const { challenge, token } = issueChallenge(ctx, { purpose: 'register', userId: user.id });
 * const options = await registrationOptions({
 *   rp, user: { id: user.id, username: user.username }, existing: await ctx.storage.passkeys.listByUser(user.id), challenge,
 * });
 * ```
 */
export async function registrationOptions(input: {
  rp: RelyingParty;
  user: { id: string; username: string };
  existing: readonly PasskeyDescriptor[];
  challenge: string;
}): Promise<PublicKeyCredentialCreationOptionsJSON> {
  return generateRegistrationOptions({
    rpName: input.rp.rpName,
    rpID: input.rp.rpID,
    userName: input.user.username,
    userDisplayName: input.user.username,
    userID: new Uint8Array(Buffer.from(input.user.id, 'utf8')),
    challenge: bytesOf(input.challenge),
    timeout: CHALLENGE_TTL_SECONDS * 1000,
    attestationType: 'none',
    excludeCredentials: input.existing.map((p) => ({
      id: p.credentialId,
      transports: knownTransports(p.transports),
    })),
    authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
    supportedAlgorithmIDs: [...SUPPORTED_ALGORITHMS],
  });
}

/** A verified registration: the new passkey's fields, and whether the person was verified on the authenticator. */
export interface RegisteredPasskey {
  passkey: NewPasskeyFields;
  userVerified: boolean;
}

/**
 * Verifies the authenticator's answer to {@link registrationOptions}: the challenge (from
 * `openChallenge`, already claimed with `useChallengeOnce`), the origin, the RP ID hash, user
 * presence, an accepted key algorithm, the attestation statement's own consistency. Returns the
 * fields of the passkey to store; every failure is ERR_PASSKEY_INVALID with the reason in `cause`.
 *
 * @example
 * ```ts
 * const { passkey } = await verifyRegistration({ response: body.response, expectedChallenge: challenge, rp });
 * await ctx.storage.passkeys.create({ ...passkey, id: randomId(), userId, name, createdAt: now, lastUsedAt: null });
 * ```
 */
export async function verifyRegistration(input: {
  response: unknown;
  expectedChallenge: string;
  rp: RelyingParty;
  /** Refuse an authenticator that did not verify the person (default false: a PIN-less key may be a second factor). */
  requireUserVerification?: boolean;
}): Promise<RegisteredPasskey> {
  try {
    const response = parseRegistrationResponse(input.response);
    const result = await verifyRegistrationResponse({
      response,
      expectedChallenge: input.expectedChallenge,
      expectedOrigin: input.rp.origins,
      expectedRPID: input.rp.rpID,
      requireUserPresence: true,
      requireUserVerification: input.requireUserVerification ?? false,
      supportedAlgorithmIDs: [...SUPPORTED_ALGORITHMS],
    });
    if (!result.verified) throw new Error('the attestation statement did not verify');
    const info = result.registrationInfo;
    // The id the page names must be the one the authenticator signed into its data.
    if (info.credential.id !== response.id) throw new Error('the credential id differs from the signed one');
    return {
      passkey: {
        credentialId: info.credential.id,
        publicKey: Buffer.from(info.credential.publicKey).toString('base64url'),
        counter: info.credential.counter,
        transports: knownTransports(response.response.transports),
        aaguid: info.aaguid,
        backedUp: info.credentialBackedUp,
        deviceType: info.credentialDeviceType,
      },
      userVerified: info.userVerified,
    };
  } catch (cause) {
    throw passkeyInvalid(cause);
  }
}
