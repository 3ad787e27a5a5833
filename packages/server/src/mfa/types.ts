/**
 * The stored shapes this module reads and produces, declared here with the field names of the
 * storage contract (issue 13 §3) so the second-factor core compiles without the storage layer:
 * a `PasskeyRecord` or `TotpRecord` from storage satisfies them as it is.
 */

/** A passkey as storage keeps it (`PasskeyRecord`). */
export interface PasskeyShape {
  /** Random, ours. */
  id: string;
  userId: string;
  /** The authenticator's credential id, base64url; unique. */
  credentialId: string;
  /** The credential's COSE public key, base64url. */
  publicKey: string;
  counter: number;
  transports: string[];
  name: string;
  aaguid: string;
  backedUp: boolean;
  deviceType: 'singleDevice' | 'multiDevice';
  createdAt: number;
  lastUsedAt: number | null;
}

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
