import {
  maxSealedLinkLength,
  openLink,
  type SealedLinkDeps,
  sealLink,
  WIDEST_JSON_CHAR,
} from '../authorize/sealed-link.js';
import type { ServerContext } from '../context.js';
import { randomToken, sha256Hex } from '../crypto/index.js';
import { ServerError } from '../errors.js';
import { MAX_USER_ID_LENGTH } from './types.js';

/**
 * WebAuthn challenges without server state: 32 random bytes, sealed with what they are for (to
 * register a passkey or to sign in, and for whom) and an expiry, handed to the page with the
 * options and taken back with the authenticator's answer. A cluster-wide one-hit counter makes
 * each challenge good for one ceremony ({@link useChallengeOnce}).
 */

/** The sealing context: a value sealed for anything else never opens as a challenge. */
export const CHALLENGE_CONTEXT = 'webauthn-challenge';
/** How long a ceremony may take, from the options to the answer. */
export const CHALLENGE_TTL_SECONDS = 300;
const CHALLENGE_BYTES = 32;

/** What the ceremony is for. */
export type ChallengePurpose = 'register' | 'authenticate';

/** A challenge for the authenticator and the sealed token that carries it back. */
export interface IssuedChallenge {
  /** base64url of 32 random bytes: goes into the WebAuthn options. */
  challenge: string;
  /** Sealed challenge, purpose, user and expiry: the page sends it back with the answer. */
  token: string;
}

interface Payload {
  v: 1;
  c: string;
  p: ChallengePurpose;
  u: string | null;
}

const MAX_TOKEN_LENGTH = maxSealedLinkLength({
  v: 1,
  c: 'x'.repeat(43),
  p: 'authenticate',
  u: WIDEST_JSON_CHAR.repeat(MAX_USER_ID_LENGTH),
} satisfies Payload);

/**
 * A new challenge for a ceremony of `purpose`: for `userId` (registration, or a passkey as second
 * factor), or null for a passkey sign-in where the authenticator says who it is.
 *
 * @example
 * ```ts
 * const { challenge, token } = issueChallenge(ctx, { purpose: 'register', userId: user.id });
 * return { options: await registrationOptions({ rp, user, existing, challenge }), challenge: token };
 * ```
 */
export function issueChallenge(
  ctx: SealedLinkDeps,
  input: { purpose: ChallengePurpose; userId: string | null },
): IssuedChallenge {
  if (input.userId !== null && (input.userId.length === 0 || input.userId.length > MAX_USER_ID_LENGTH)) {
    throw new ServerError('ERR_INTERNAL', { cause: new Error('user id out of range for a challenge') });
  }
  const challenge = randomToken(CHALLENGE_BYTES);
  const payload: Payload = { v: 1, c: challenge, p: input.purpose, u: input.userId };
  return { challenge, token: sealLink(ctx, CHALLENGE_CONTEXT, payload, CHALLENGE_TTL_SECONDS) };
}

/**
 * The challenge sealed in `token` when it was issued by this server for `purpose` and `userId`
 * and has not expired; else ERR_PASSKEY_INVALID (one answer for every reason). Opening does not
 * use it up: call {@link useChallengeOnce} before verifying the answer.
 *
 * @example
 * ```ts
 * const challenge = openChallenge(ctx, body.challenge, 'authenticate', null);
 * if (!(await useChallengeOnce(ctx, challenge))) throw new ServerError('ERR_PASSKEY_INVALID');
 * ```
 */
export function openChallenge(
  ctx: SealedLinkDeps,
  token: string,
  purpose: ChallengePurpose,
  userId: string | null,
): string {
  const opened =
    typeof token === 'string' ? openLink(ctx, CHALLENGE_CONTEXT, token, MAX_TOKEN_LENGTH) : undefined;
  const payload = opened?.payload as Partial<Payload> | null | undefined;
  if (
    typeof payload !== 'object' ||
    payload === null ||
    payload.v !== 1 ||
    typeof payload.c !== 'string' ||
    payload.p !== purpose ||
    payload.u !== userId
  ) {
    throw new ServerError('ERR_PASSKEY_INVALID', { cause: new Error('challenge token refused') });
  }
  return payload.c;
}

/**
 * Claims `challenge` for one ceremony across the cluster: true the first time, false after (a
 * one-hit window on the coordinator's counters, shared through Redis when configured, atomic so
 * two instances racing on one answer let one through). `ttlMs` must cover the challenge's life; the
default adds a minute to it for clocks that differ between instances.
 *
 * @example
 * ```ts
 * if (!(await useChallengeOnce(ctx, challenge))) throw new ServerError('ERR_PASSKEY_INVALID');
 * ```
 */
export async function useChallengeOnce(
  ctx: Pick<ServerContext, 'coordinator'>,
  challenge: string,
  ttlMs: number = (CHALLENGE_TTL_SECONDS + 60) * 1000,
): Promise<boolean> {
  const key = `webauthn-challenge:${sha256Hex(challenge)}`;
  return (await ctx.coordinator.rateLimit(key, 1, ttlMs)).allowed;
}
