import {
  maxSealedLinkLength,
  openLink,
  type SealedLinkDeps,
  sealLink,
  WIDEST_JSON_CHAR,
} from '../authorize/sealed-link.js';
import type { ServerContext } from '../context.js';
import { safeEqual, sha256Hex } from '../crypto/index.js';
import { ServerError } from '../errors.js';
import type { UserRecord } from '../storage/index.js';
import { AMR_VALUES, type AmrValue, SECOND_FACTORS, type SecondFactor } from './amr.js';
import { MAX_USER_ID_LENGTH } from './types.js';

/**
 * A sign-in half done: the password was right, a second factor is still due (or must be set up
 * first). Nothing is stored and no session exists yet; the person's page holds this sealed
 * `mfa_token` for a few minutes and sends it back with the factor.
 */

/** The sealing context: a value sealed for anything else never opens as a pending sign-in. */
export const PENDING_CONTEXT = 'mfa-pending';
/** How long the second step may take after the password. */
export const PENDING_TTL_SECONDS = 300;

/** What a pending sign-in carries. */
export interface PendingSignInInput {
  userId: string;
  /**
   * The person's password hash when the password was checked: the token seals a short fingerprint
   * of it, so a password changed or reset since voids the pending sign-in.
   */
  passwordHash: string;
  /** Methods proven so far (`['pwd']` after the password). */
  amr: readonly AmrValue[];
  /** When the password was checked (ms): the sign-in's `auth_time` once it completes. */
  passwordAt: number;
  /**
   * What the sign-in is for, e.g. `authorize:${interaction}` or `api-login`: a token opens only
   * for the same purpose. Only its SHA-256 is sealed, so the token stays short.
   */
  purpose: string;
  /** Factors already proven during an enrolment in this sign-in (they count as the second factor). */
  proven?: readonly SecondFactor[];
  /** True when the person has no second factor yet and must set one up to continue. */
  enrol: boolean;
}

/** An opened pending sign-in. */
export interface PendingSignIn {
  userId: string;
  /** {@link passwordFingerprint} of the hash the password was checked against. */
  passwordFingerprint: string;
  amr: AmrValue[];
  passwordAt: number;
  proven: SecondFactor[];
  enrol: boolean;
  /** When the token stops opening (ms). */
  expiresAt: number;
}

interface Payload {
  v: 1;
  u: string;
  /** The password hash's fingerprint. */
  p: string;
  a: AmrValue[];
  t: number;
  /** SHA-256 hex of the purpose. */
  h: string;
  f: SecondFactor[];
  e: boolean;
}

/** Hex characters of a password hash's fingerprint (64 bits). */
const FINGERPRINT_LENGTH = 16;

/**
 * A short fingerprint of a password hash (the first 64 bits of its SHA-256, hex): enough to tell
 * that the hash changed (every new hash has a fresh salt), while the token never carries the
 * hash itself — it is sealed anyway.
 *
 * @example
 * ```ts
 * passwordFingerprint(user.passwordHash); // '3f9a…' (16 hex characters)
 * ```
 */
export function passwordFingerprint(passwordHash: string): string {
  return sha256Hex(passwordHash).slice(0, FINGERPRINT_LENGTH);
}

const MAX_TOKEN_LENGTH = maxSealedLinkLength({
  v: 1,
  u: WIDEST_JSON_CHAR.repeat(MAX_USER_ID_LENGTH),
  p: 'x'.repeat(FINGERPRINT_LENGTH),
  a: [...AMR_VALUES],
  t: Number.MAX_SAFE_INTEGER,
  h: 'x'.repeat(64),
  f: [...SECOND_FACTORS],
  e: false,
} satisfies Payload);

/** A list of distinct members of `allowed`, or undefined. */
function distinctOf<T extends string>(value: unknown, allowed: readonly T[]): T[] | undefined {
  if (!Array.isArray(value) || value.length > allowed.length) return undefined;
  if (!value.every((v) => allowed.includes(v as T)) || new Set(value).size !== value.length) return undefined;
  return [...(value as T[])];
}

/**
 * Seals a pending sign-in into an `mfa_token`, valid for {@link PENDING_TTL_SECONDS}.
 *
 * @example
 * ```ts
 * const token = sealPending(ctx, {
 *   userId: user.id, amr: passwordOnly(), passwordAt: now, purpose: `authorize:${interaction}`, enrol: false,
 * });
 * ```
 */
export function sealPending(ctx: SealedLinkDeps, input: PendingSignInInput): string {
  const amr = distinctOf(input.amr, AMR_VALUES);
  const proven = distinctOf(input.proven ?? [], SECOND_FACTORS);
  if (
    amr === undefined ||
    proven === undefined ||
    input.userId.length === 0 ||
    input.userId.length > MAX_USER_ID_LENGTH ||
    !Number.isSafeInteger(input.passwordAt)
  ) {
    throw new ServerError('ERR_INTERNAL', { cause: new Error('pending sign-in out of range') });
  }
  const payload: Payload = {
    v: 1,
    u: input.userId,
    p: passwordFingerprint(input.passwordHash),
    a: amr,
    t: input.passwordAt,
    h: sha256Hex(input.purpose),
    f: proven,
    e: input.enrol,
  };
  return sealLink(ctx, PENDING_CONTEXT, payload, PENDING_TTL_SECONDS);
}

/**
 * Opens an `mfa_token` sealed for `purpose` (and, when given, for `userId`). Anything else — not
 * sealed by this server as a pending sign-in, edited, expired, for another purpose or person — is
 * ERR_LOGIN_REQUIRED: the half-done sign-in is gone and the person starts again with the password.
 * Not ERR_MFA_INVALID, which tells the page to ask for the code again.
 *
 * @example
 * ```ts
 * const pending = openPending(ctx, body.mfa_token, `authorize:${body.interaction}`);
 * ```
 */
export function openPending(
  ctx: SealedLinkDeps,
  token: string,
  purpose: string,
  userId?: string,
): PendingSignIn {
  const opened =
    typeof token === 'string' ? openLink(ctx, PENDING_CONTEXT, token, MAX_TOKEN_LENGTH) : undefined;
  const p = opened?.payload as Partial<Payload> | null | undefined;
  const amr = distinctOf(p?.a, AMR_VALUES);
  const proven = distinctOf(p?.f, SECOND_FACTORS);
  if (
    opened === undefined ||
    typeof p !== 'object' ||
    p === null ||
    p.v !== 1 ||
    typeof p.u !== 'string' ||
    typeof p.p !== 'string' ||
    typeof p.t !== 'number' ||
    typeof p.h !== 'string' ||
    typeof p.e !== 'boolean' ||
    amr === undefined ||
    proven === undefined ||
    !safeEqual(p.h, sha256Hex(purpose)) ||
    (userId !== undefined && p.u !== userId)
  ) {
    throw new ServerError('ERR_LOGIN_REQUIRED', { cause: new Error('mfa_token refused') });
  }
  return {
    userId: p.u,
    passwordFingerprint: p.p,
    amr,
    passwordAt: p.t,
    proven,
    enrol: p.e,
    expiresAt: opened.expiresAt,
  };
}

/**
 * The person of an opened pending sign-in, while their account is enabled and their password is
 * still the one that was checked. A deleted or disabled account, or a password changed or reset
 * since (by its owner, who may be shutting an intruder out), is ERR_LOGIN_REQUIRED: start again.
 *
 * @example
 * ```ts
 * const user = await pendingUser(ctx, openPending(ctx, body.mfa_token, purpose));
 * ```
 */
export async function pendingUser(
  ctx: Pick<ServerContext, 'storage'>,
  pending: Pick<PendingSignIn, 'userId' | 'passwordFingerprint'>,
): Promise<UserRecord> {
  const user = await ctx.storage.users.getById(pending.userId);
  if (
    user === undefined ||
    user.disabled ||
    !safeEqual(passwordFingerprint(user.passwordHash), pending.passwordFingerprint)
  )
    throw new ServerError('ERR_LOGIN_REQUIRED', { cause: new Error('the pending sign-in is void') });
  return user;
}
