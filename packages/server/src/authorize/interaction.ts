import { ACR_VALUES } from '@keycard/protocol';
import { MAX_CLIENT_ID_LENGTH } from '../clients/client-rules.js';
import { MAX_REDIRECT_URI_LENGTH } from '../clients/redirect-uri.js';
import type { ServerContext } from '../context.js';
import { MAX_AUDIENCE_ID_LENGTH } from '../directory/audiences.js';
import { ServerError } from '../errors.js';
import { MAX_SCOPES } from '../tokens/resolve-grant.js';
import type { AuthorizationRequest } from './request.js';
import { MAX_AGE_LIMIT, MAX_LENGTH, MAX_RESOURCES } from './request.js';
import { maxSealedLinkLength, openLink, sealLink, WIDEST_JSON_CHAR } from './sealed-link.js';

/**
 * A pending authorization request while the person signs in and consents, sealed into the link of
 * the pages (`/#/authorize?i=…`, see {@link sealLink}): the checked request, the audiences its
 * `resource` values named, and when it arrived.
 */
export interface Interaction {
  /** The request as checked; its `resource` values are kept as the audiences they named. */
  request: PendingRequest;
  /** Audience ids the request named (`resource`), or the client's when it named none. */
  audiences: string[];
  /** When the request reached /oauth/authorize (ms): a sign-in at or after it is fresh for it. */
  createdAt: number;
  /** The pages answer ERR_INTERACTION_EXPIRED from this time on (ms). */
  expiresAt: number;
}

/** An authorization request once its `resource` values are resolved to audiences. */
export type PendingRequest = Omit<AuthorizationRequest, 'resources'>;

/**
 * An opened interaction: `audiences` is null when the request named no `resource` (then it is
 * for the client's audiences as registered when the page calls, read by the caller).
 */
export type OpenedInteraction = Omit<Interaction, 'audiences'> & { audiences: string[] | null };

/** The sealing context: a value sealed for anything else never opens as an interaction. */
export const INTERACTION_CONTEXT = 'authorize-interaction';

/** What sealing and opening read. */
export type InteractionDeps = Pick<ServerContext, 'sealer' | 'clock' | 'config'>;

/** The JSON form of an interaction (a Set does not survive JSON). */
interface Payload {
  /** 3 since `acr_values`: an older instance refuses a link it would read without them. */
  v: 3;
  r: Omit<PendingRequest, 'prompt'> & { prompt: string[] };
  /** Audiences the `resource` values named; null for the client's (they may be many, and long). */
  a: string[] | null;
  c: number;
}

/** A link sealed by a release before `acr_values`: the same but for them. */
interface V2Payload extends Omit<Payload, 'v' | 'r'> {
  v: 2;
  r: Omit<Payload['r'], 'acrValues'>;
}

const widest = (length: number) => WIDEST_JSON_CHAR.repeat(length);
// Each string at its limit, in the characters its rules allow that take most room in JSON.
const LARGEST: Payload = {
  v: 3,
  r: {
    clientId: 'x'.repeat(MAX_CLIENT_ID_LENGTH),
    // Registered URIs are canonical (ASCII, `"` escaped); a loopback one may add any port.
    redirectUri: '\\'.repeat(MAX_REDIRECT_URI_LENGTH + ':65535'.length),
    // Scope tokens are visible ASCII without `"` or `\`.
    scopes: Array.from({ length: MAX_SCOPES }, () => 'x'.repeat(Math.ceil(MAX_LENGTH.scope / MAX_SCOPES))),
    state: widest(MAX_LENGTH.state),
    codeChallenge: 'x'.repeat(43),
    nonce: widest(MAX_LENGTH.nonce),
    prompt: ['login', 'consent'],
    maxAgeSeconds: MAX_AGE_LIMIT,
    loginHint: widest(MAX_LENGTH.login_hint),
    dpopJkt: 'x'.repeat(43),
    // Only known values are kept, each once.
    acrValues: [...ACR_VALUES],
  },
  // Audience ids are visible ASCII: `"` and `\` take two bytes.
  a: Array.from({ length: MAX_RESOURCES }, () => '"'.repeat(MAX_AUDIENCE_ID_LENGTH)),
  c: Number.MAX_SAFE_INTEGER,
};

/** Longest sealed interaction: the one of the largest request the authorization endpoint takes. */
export const MAX_INTERACTION_LENGTH = maxSealedLinkLength(LARGEST);

/**
 * Seals a new interaction for `request`, valid for `authorize.interactionTtl` from now.
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
  const { resources, ...pending } = request;
  const payload: Payload = {
    v: 3,
    r: { ...pending, prompt: [...request.prompt] },
    a: resources.length > 0 ? [...audiences] : null,
    c: ctx.clock(),
  };
  return sealLink(ctx, INTERACTION_CONTEXT, payload, ctx.config.authorize.interactionTtl);
}

/**
 * Opens a sealed interaction. Anything that is not one this server sealed, or one past its
 * expiry, is ERR_INTERACTION_EXPIRED (one answer: the pages tell the person to start again).
 *
 * @example
 * ```ts
 * const { request, audiences } = openInteraction(ctx, body.interaction);
 * ```
 */
export function openInteraction(ctx: InteractionDeps, sealed: string): OpenedInteraction {
  const opened = openLink(ctx, INTERACTION_CONTEXT, sealed, MAX_INTERACTION_LENGTH);
  const payload = opened?.payload as Payload | V2Payload | undefined;
  if (opened === undefined || (payload?.v !== 3 && payload?.v !== 2))
    throw new ServerError('ERR_INTERACTION_EXPIRED');
  const { prompt, ...request } = payload.r;
  return {
    request: {
      ...request,
      prompt: new Set(prompt as ('none' | 'login' | 'consent')[]),
      // A link sealed before acr_values (v2) asked for none.
      acrValues: payload.v === 3 ? payload.r.acrValues : [],
    },
    audiences: payload.a,
    createdAt: payload.c,
    expiresAt: opened.expiresAt,
  };
}
