import type { ServerContext } from '../context.js';
import { sealedLength } from '../crypto/index.js';

/**
 * A pending request the server hands to its own web pages in their link — the sign-in and consent
 * pages' `#/authorize?i=…`, the sign-out page's `#/logout?l=…` — and takes back from their calls.
 * Nothing is stored: the request and its expiry are sealed (AES-256-GCM under the master key,
 * bound to a context naming the purpose), so the page cannot change it, a value sealed for another
 * purpose does not open, and an edited one does not either. URL-safe (base64url parts and dots).
 *
 * Each kind of link knows its longest value ({@link maxSealedLinkLength} of its largest valid
 * payload): the API accepts exactly the links the server can make.
 */

/** What sealing and opening read. */
export type SealedLinkDeps = Pick<ServerContext, 'sealer' | 'clock'>;

/** The JSON inside: the expiry (ms) and the payload. */
interface Wire {
  e: number;
  p: unknown;
}

/**
 * Seals `payload` (any JSON value) for `context`, valid for `ttlSeconds` from now.
 *
 * @example
 * ```ts
 * const l = sealLink(ctx, 'logout-request', request, ctx.config.authorize.interactionTtl);
 * ```
 */
export function sealLink(ctx: SealedLinkDeps, context: string, payload: unknown, ttlSeconds: number): string {
  const wire: Wire = { e: ctx.clock() + ttlSeconds * 1000, p: payload };
  return ctx.sealer.seal(JSON.stringify(wire), context);
}

/**
 * Opens a link sealed for `context`: its payload (to be checked by the caller) and expiry, or
 * undefined when it is empty, longer than `maxLength`, not sealed by this server for this context,
 * or past its time.
 *
 * @example
 * ```ts
 * const opened = openLink(ctx, 'logout-request', body.logout, MAX_LOGOUT_LINK_LENGTH);
 * if (opened === undefined) throw new ServerError('ERR_LOGOUT_EXPIRED');
 * ```
 */
export function openLink(
  ctx: SealedLinkDeps,
  context: string,
  sealed: string,
  maxLength: number,
): { payload: unknown; expiresAt: number } | undefined {
  if (sealed.length === 0 || sealed.length > maxLength) return undefined;
  let wire: Partial<Wire> | null;
  try {
    wire = JSON.parse(ctx.sealer.open(sealed, context)) as Partial<Wire> | null;
  } catch {
    return undefined;
  }
  if (typeof wire !== 'object' || wire === null || typeof wire.e !== 'number') return undefined;
  if (wire.e <= ctx.clock()) return undefined;
  return { payload: wire.p, expiresAt: wire.e };
}

/** A character whose JSON form is the longest (`\u0000`: six bytes for one UTF-16 unit). */
export const WIDEST_JSON_CHAR = '\u0000';

/**
 * The longest link sealed from `largest`, a payload at least as long in JSON as any valid one
 * (every string at its limit, made of the characters that take most room in JSON).
 *
 * @example
 * ```ts
 * const MAX = maxSealedLinkLength({ state: WIDEST_JSON_CHAR.repeat(1024) });
 * ```
 */
export function maxSealedLinkLength(largest: unknown): number {
  const wire: Wire = { e: Number.MAX_SAFE_INTEGER, p: largest };
  return sealedLength(Buffer.byteLength(JSON.stringify(wire), 'utf8'));
}
