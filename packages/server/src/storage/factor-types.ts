/**
 * Records of a user's second factors (TOTP, recovery codes, passkeys) and of the single-use links
 * mailed for account recovery and email verification. Re-exported by types.ts.
 *
 * Every record names a user; deleting the user deletes them (a foreign key with ON DELETE CASCADE
 * in SQL, the same in memory), and creating one for a user that does not exist throws
 * StorageConflictError. No secret is stored in the clear: the TOTP secret is sealed with the master
 * key, recovery codes and email tokens are SHA-256 hashes.
 */

import type { PruneOptions } from './paging.js';

/** A user's TOTP authenticator (RFC 6238): at most one per user. */
export interface TotpRecord {
  userId: string;
  /** The shared secret sealed with the master key (context `totp-secret`), never plaintext. */
  secretSealed: string;
  createdAt: number;
  /** When the user proved the authenticator with a first code; null while enrolment is pending. */
  confirmedAt: number | null;
  /** The last time step a code was accepted for: a step at or before it is a replay. */
  lastUsedStep: number | null;
}

export interface TotpStore {
  /** Stores the user's record, replacing any earlier one (an enrolment started again). */
  put(record: TotpRecord): Promise<void>;
  get(userId: string): Promise<TotpRecord | undefined>;
  /**
   * Confirms a pending enrolment: sets `confirmedAt = at` and `lastUsedStep = step`, only while
   * unconfirmed. True when this call confirmed it.
   */
  confirm(userId: string, at: number, step: number): Promise<boolean>;
  /**
   * Atomically accepts a code's time step: true only if the record is confirmed and `step` is
   * after `lastUsedStep` (or none was used), and then stores it. Of concurrent calls with the same
   * step, on any connection or instance, exactly one gets true: a code is never accepted twice.
   */
  useStep(userId: string, step: number): Promise<boolean>;
  delete(userId: string): Promise<boolean>;
}

/** One recovery code of a user, stored by its SHA-256 only. */
export interface RecoveryCodeRecord {
  userId: string;
  hash: string; // SHA-256 hex of the normalised code
  createdAt: number;
  usedAt: number | null;
}

export interface RecoveryCodeStore {
  /**
   * Replaces the user's codes with `hashes` (created at `at`) in one transaction: afterwards only
   * these exist, even when replacements race. A duplicate hash throws StorageConflictError and
   * leaves the old codes as they were.
   */
  replace(userId: string, hashes: string[], at: number): Promise<void>;
  /** Atomic single use: true for the one call that marked this unused code used. */
  consume(userId: string, hash: string, at: number): Promise<boolean>;
  countUnused(userId: string): Promise<number>;
  /** Deletes every code of the user, used or not; returns how many. */
  deleteByUser(userId: string): Promise<number>;
}

/** A WebAuthn credential (passkey) registered by a user. */
export interface PasskeyRecord {
  id: string; // random, ours: the id the account and admin APIs name it by
  userId: string;
  /** The authenticator's credential id, base64url; unique. */
  credentialId: string;
  /** The credential's COSE public key, base64url. */
  publicKey: string;
  /** The signature counter last seen (0 for authenticators that do not count). */
  counter: number;
  transports: string[];
  name: string;
  /** The authenticator model's AAGUID (all zeros when attestation is `none`). */
  aaguid: string;
  backedUp: boolean;
  deviceType: 'singleDevice' | 'multiDevice';
  createdAt: number;
  lastUsedAt: number | null;
}

export interface PasskeyStore {
  /** StorageConflictError on a duplicate `id` or `credentialId`. */
  create(record: PasskeyRecord): Promise<void>;
  get(id: string): Promise<PasskeyRecord | undefined>;
  getByCredentialId(credentialId: string): Promise<PasskeyRecord | undefined>;
  /** The user's passkeys, oldest first (createdAt, then id). */
  listByUser(userId: string): Promise<PasskeyRecord[]>;
  /**
   * Compare-and-set of the signature counter: sets `counter = newCounter` and `lastUsedAt = at`
   * only if the stored counter is still `oldCounter`. False when it is not (a concurrent use got
   * there first) or the passkey is gone.
   */
  recordUse(id: string, oldCounter: number, newCounter: number, at: number): Promise<boolean>;
  /** Renames the user's passkey; false when the user has no passkey with this id. */
  rename(id: string, userId: string, name: string): Promise<boolean>;
  /** Deletes the user's passkey; false when the user has no passkey with this id. */
  delete(id: string, userId: string): Promise<boolean>;
  deleteByUser(userId: string): Promise<number>;
}

export type EmailTokenKind = 'password_reset' | 'email_verify';

/** A single-use link mailed to a user, stored by the SHA-256 of its token only. */
export interface EmailTokenRecord {
  hash: string; // SHA-256 hex of the ≥256-bit token
  kind: EmailTokenKind;
  userId: string;
  /** The address it was sent to (for `email_verify`, the address being verified). */
  email: string;
  createdAt: number;
  expiresAt: number;
  consumedAt: number | null;
}

export interface EmailTokenStore {
  /** StorageConflictError when the hash exists. */
  create(record: EmailTokenRecord): Promise<void>;
  /**
   * Atomic single use: returns the record (with `consumedAt = now`) to the one call that used an
   * unconsumed token of this kind with `now < expiresAt`; undefined for unknown, used, expired or
   * another kind's tokens, and for every other concurrent call.
   */
  consume(hash: string, kind: EmailTokenKind, now: number): Promise<EmailTokenRecord | undefined>;
  /** Deletes the user's tokens of one kind (a new reset link voids older ones); returns how many. */
  deleteByUser(userId: string, kind: EmailTokenKind): Promise<number>;
  /** Deletes tokens whose expiry is before `before`, consumed or not, in bounded batches. */
  deleteExpired(before: number, opts?: PruneOptions): Promise<number>;
}
