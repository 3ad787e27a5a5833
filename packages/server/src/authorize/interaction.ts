import type { ServerContext } from '../context.js';
import { ServerError } from '../errors.js';
import type { AuthorizationRequest } from './request.js';

/**
 * A pending authorization request while the person signs in and consents: the checked request,
 * the audiences it resolved to, and its lifetime, sealed (AES-256-GCM under the master key, bound to
 * the context {@link INTERACTION_CONTEXT}) into an opaque value the pages carry in their URL
 * (`/#/authorize?i=…`). Nothing is stored: the server trusts only what it sealed itself, and an
 * edited or foreign value does not open.
 */
export interface Interaction {
  request: AuthorizationRequest;
  /** Audience ids the request named (`resource`), or the client's when it named none. */
  audiences: string[];
  /** When the request reached /oauth/authorize (ms): a sign-in at or after it is fresh for it. */
  createdAt: number;
  /** The pages answer ERR_INTERACTION_EXPIRED from this time on (ms). */
  expiresAt: number;
}

/** The sealing context: a value sealed for anything else never opens as an interaction. */
export const INTERACTION_CONTEXT = 'authorize-interaction';
/** Longest sealed value accepted (a request's own limits keep real ones far below). */
export const MAX_INTERACTION_LENGTH = 32_768;

/** What sealing and opening read. */
export type InteractionDeps = Pick<ServerContext, 'sealer' | 'clock' | 'config'>;

/** The JSON form of an interaction (a Set does not survive JSON). */
interface Wire {
  v: 1;
  r: Omit<AuthorizationRequest, 'prompt'> & { prompt: string[] };
  a: string[];
  c: number;
  e: number;
}

/**
 * Seals a new interaction for `request`, valid for `authorize.interactionTtl` from now. The result is
 * URL-safe (base64url parts joined by dots).
 *
 * @example
 * ```ts
 * const i = sealInteraction(ctx, request, ['rooms']);
 * reply.redirect(`${ctx.issuer}/#/authorize?i=${i}`, 303);
 * ```
 */
export function sealInteraction(
  ctx: InteractionDeps,
  request: AuthorizationRequest,
  audiences: readonly string[],
): string {
  const now = ctx.clock();
  const wire: Wire = {
    v: 1,
    r: { ...request, prompt: [...request.prompt] },
    a: [...audiences],
    c: now,
    e: now + ctx.config.authorize.interactionTtl * 1000,
  };
  return ctx.sealer.seal(JSON.stringify(wire), INTERACTION_CONTEXT);
}

/**
 * Opens a sealed interaction. Anything that is not one this server sealed, or one past its
 * expiry, is ERR_INTERACTION_EXPIRED (one answer: the pages tell the person to start again).
 */
export function openInteraction(ctx: InteractionDeps, sealed: string): Interaction {
  const expired = (cause?: unknown) => new ServerError('ERR_INTERACTION_EXPIRED', { cause });
  if (sealed.length === 0 || sealed.length > MAX_INTERACTION_LENGTH) throw expired();
  let wire: Wire;
  try {
    wire = JSON.parse(ctx.sealer.open(sealed, INTERACTION_CONTEXT)) as Wire;
  } catch (error) {
    throw expired(error);
  }
  if (wire?.v !== 1 || typeof wire.e !== 'number' || ctx.clock() >= wire.e) throw expired();
  const { prompt, ...request } = wire.r;
  return {
    request: { ...request, prompt: new Set(prompt as ('none' | 'login' | 'consent')[]) },
    audiences: wire.a,
    createdAt: wire.c,
    expiresAt: wire.e,
  };
}
