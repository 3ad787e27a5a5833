import { EMAIL_LINK_ROUTES } from '@keycard/protocol';
import type { ServerContext } from '../context.js';
import { randomToken, sha256Hex } from '../crypto/index.js';
import { ServerError } from '../errors.js';
import type { EmailTokenKind, EmailTokenRecord } from '../storage/index.js';

/** A mailed token: 32 random bytes in base64url, nothing else. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** What issuing and consuming email tokens read. */
export type EmailTokenDeps = Pick<ServerContext, 'storage' | 'clock'>;

/**
 * Issues a single-use link token (256 bits) for `userId` and `email`, valid `ttlSeconds`. Only its
 * SHA-256 is stored; the user's older tokens of the same kind are deleted first, so the newest
 * link is the only one that works.
 *
 * @example
 * ```ts
 * const token = await issueEmailToken(ctx, { kind: 'password_reset', userId, email, ttlSeconds: 1800 });
 * ```
 */
export async function issueEmailToken(
  ctx: EmailTokenDeps,
  input: { kind: EmailTokenKind; userId: string; email: string; ttlSeconds: number },
): Promise<string> {
  const token = randomToken(32);
  const now = ctx.clock();
  await ctx.storage.emailTokens.deleteByUser(input.userId, input.kind);
  await ctx.storage.emailTokens.create({
    hash: sha256Hex(token),
    kind: input.kind,
    userId: input.userId,
    email: input.email,
    createdAt: now,
    expiresAt: now + input.ttlSeconds * 1000,
    consumedAt: null,
  });
  return token;
}

/**
 * Uses a token once (atomic: of concurrent uses, one wins). Unknown, malformed, used, expired and
 * another kind's tokens all throw the one ERR_EMAIL_TOKEN_INVALID.
 *
 * @example
 * ```ts
 * const record = await consumeEmailToken(ctx, body.token, 'email_verify');
 * ```
 */
export async function consumeEmailToken(
  ctx: EmailTokenDeps,
  token: string,
  kind: EmailTokenKind,
): Promise<EmailTokenRecord> {
  if (!TOKEN_SHAPE.test(token)) throw new ServerError('ERR_EMAIL_TOKEN_INVALID');
  const record = await ctx.storage.emailTokens.consume(sha256Hex(token), kind, ctx.clock());
  if (record === undefined) throw new ServerError('ERR_EMAIL_TOKEN_INVALID');
  return record;
}

/**
 * The mailed link: the web app's page for `kind` at the issuer, with the token in the fragment's
 * query (a fragment never reaches a server log, a proxy or a `Referer`).
 *
 * @example
 * ```ts
 * emailLink('https://id.example', 'password_reset', token); // 'https://id.example/#/reset?token=…'
 * ```
 */
export function emailLink(issuer: string, kind: EmailTokenKind, token: string): string {
  const route = kind === 'password_reset' ? EMAIL_LINK_ROUTES.reset : EMAIL_LINK_ROUTES.verifyEmail;
  return `${issuer}/#${route}?${EMAIL_LINK_ROUTES.token}=${token}`;
}
