/** The stored shapes the second-factor core reads and produces: views of storage's `PasskeyRecord`. */

import type { PasskeyRecord } from '../storage/index.js';

/** A passkey as storage keeps it. */
export type PasskeyShape = PasskeyRecord;

/** What a verified registration yields: the fields of a new passkey the authenticator decides. */
export type NewPasskeyFields = Pick<
  PasskeyShape,
  'credentialId' | 'publicKey' | 'counter' | 'transports' | 'aaguid' | 'backedUp' | 'deviceType'
>;

/** What an authentication reads of the stored passkey. */
export type PasskeyForAuthentication = Pick<
  PasskeyShape,
  'userId' | 'credentialId' | 'publicKey' | 'counter' | 'transports'
>;

/** A passkey a registration must not create again, or an authentication may use. */
export type PasskeyDescriptor = Pick<PasskeyShape, 'credentialId' | 'transports'>;

/**
 * Longest user id sealed into a challenge or a pending sign-in, and the WebAuthn user handle's
 * limit (64 bytes): user ids are 22 base64url characters.
 */
export const MAX_USER_ID_LENGTH = 64;
