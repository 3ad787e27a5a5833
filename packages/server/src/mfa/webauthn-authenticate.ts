import {
  generateAuthenticationOptions,
  type PublicKeyCredentialRequestOptionsJSON,
  verifyAuthenticationResponse,
} from '@simplewebauthn/server';
import { CHALLENGE_TTL_SECONDS } from './challenge.js';
import type { PasskeyDescriptor, PasskeyForAuthentication } from './types.js';
import { bytesOf, knownTransports, passkeyInvalid, type RelyingParty, userHandleOf } from './webauthn.js';
import { parseAuthenticationResponse } from './webauthn-response.js';

/**
 * The options of `navigator.credentials.get()`: with `allow` (the person's passkeys) for a passkey
 * as second factor; without it for a passkey sign-in, where the authenticator offers its
 * discoverable credentials for this RP ID.
 *
 * @example
 * ```ts
 * const { challenge, token } = issueChallenge(ctx, { purpose: 'authenticate', userId: null });
 * const options = await authenticationOptions({ rp, userVerification: 'required', challenge });
 * ```
 */
export async function authenticationOptions(input: {
  rp: RelyingParty;
  allow?: readonly PasskeyDescriptor[];
  userVerification: 'required' | 'preferred' | 'discouraged';
  challenge: string;
}): Promise<PublicKeyCredentialRequestOptionsJSON> {
  return generateAuthenticationOptions({
    rpID: input.rp.rpID,
    allowCredentials: input.allow?.map((p) => ({
      id: p.credentialId,
      transports: knownTransports(p.transports),
    })),
    userVerification: input.userVerification,
    challenge: bytesOf(input.challenge),
    timeout: CHALLENGE_TTL_SECONDS * 1000,
  });
}

/** A verified assertion. */
export interface PasskeyAssertion {
  /** The authenticator's signature counter: store it (compare-and-set on the old one). */
  newCounter: number;
  userVerified: boolean;
  backedUp: boolean;
  /**
   * The stored counter was not zero and this one is not above it: another copy of the key may
   * exist. The signature is genuine, but the caller must refuse the sign-in and audit
   * `passkey.clone_suspected`.
   */
  cloneSuspected: boolean;
}

/**
 * Verifies an assertion made with the stored `passkey`: the challenge (from `openChallenge`,
 * already claimed with `useChallengeOnce`), the origin, the RP ID hash, user presence, user
 * verification when `requireUserVerification` (always for a passkey alone), the credential id and
 * user handle it names, and the signature over the authenticator data. Every failure is
 * ERR_PASSKEY_INVALID with the reason in `cause`.
 *
 * The counter is judged here, after the signature: the library refuses a counter that does not
 * increase before it checks the signature, so anyone could raise a clone alarm with a made-up
 * answer; here {@link PasskeyAssertion.cloneSuspected} is only ever said of a signed one.
 *
 * @example
 * ```ts
 * const result = await verifyAuthentication({
 *   response: body.response, expectedChallenge: challenge, rp, passkey, requireUserVerification: true,
 * });
 * if (result.cloneSuspected) { await audit('passkey.clone_suspected'); throw new ServerError('ERR_PASSKEY_INVALID'); }
 * ```
 */
export async function verifyAuthentication(input: {
  response: unknown;
  expectedChallenge: string;
  rp: RelyingParty;
  passkey: PasskeyForAuthentication;
  requireUserVerification: boolean;
}): Promise<PasskeyAssertion> {
  const { passkey } = input;
  try {
    const response = parseAuthenticationResponse(input.response);
    if (response.id !== passkey.credentialId) throw new Error('the answer names another credential');
    const handle = response.response.userHandle;
    if (handle !== undefined && handle !== userHandleOf(passkey.userId)) {
      throw new Error('the answer names another user');
    }
    const result = await verifyAuthenticationResponse({
      response,
      expectedChallenge: input.expectedChallenge,
      expectedOrigin: input.rp.origins,
      expectedRPID: input.rp.rpID,
      requireUserVerification: input.requireUserVerification,
      // Counter 0: the library then lets any counter through and we judge it after the signature.
      credential: {
        id: passkey.credentialId,
        publicKey: bytesOf(passkey.publicKey),
        counter: 0,
        transports: knownTransports(passkey.transports),
      },
    });
    if (!result.verified) throw new Error('the signature did not verify');
    const info = result.authenticationInfo;
    return {
      newCounter: info.newCounter,
      userVerified: info.userVerified,
      backedUp: info.credentialBackedUp,
      cloneSuspected: passkey.counter > 0 && info.newCounter <= passkey.counter,
    };
  } catch (cause) {
    throw passkeyInvalid(cause);
  }
}
