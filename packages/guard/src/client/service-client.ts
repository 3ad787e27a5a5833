import { discoverIssuer } from '../core/discovery.js';
import { GuardError, optionError } from '../errors.js';
import { fetchWithToken, replayable } from './authorized-fetch.js';
import { DpopSigner } from './dpop-signer.js';
import { ExchangeCache, exchangeKey } from './token-exchange.js';
import type { TokenAnswer } from './token-request.js';
import { requestToken, TokenEndpointError } from './token-request.js';

export interface ServiceClientOptions {
  /** Issuer URL; the token endpoint comes from its discovery document. */
  issuer?: string;
  /** Token endpoint URL (skips discovery). */
  tokenEndpoint?: string;
  clientId: string;
  clientSecret: string;
  /** Space-separated scopes to ask for. */
  scope?: string;
  /** Audience (the service to call). */
  audience?: string;
  /**
   * DPoP (RFC 9449): an ES256 key is generated in memory; token requests carry a proof (so the issuer
   * binds the cards to the key) and so does every call (`Authorization: DPoP`). Default false.
   */
  dpop?: boolean;
  /** Refresh when this fraction of the lifetime has passed. Default 0.8. */
  refreshAt?: number;
  /** …or this many seconds before expiry, whichever comes first. Default 30. */
  refreshSkewSeconds?: number;
  /** Request timeout in ms. Default 5,000. */
  timeoutMs?: number;
  clock?: () => number;
}

/** A card obtained by token exchange, with a `fetch` that presents it (and its DPoP proofs). */
export interface ExchangedToken {
  readonly accessToken: string;
  readonly tokenType: 'Bearer' | 'DPoP';
  /** When the card expires, in ms since the epoch. */
  readonly expiresAtMs: number;
  /** The scope granted, when the issuer says. */
  readonly scope: string | undefined;
  fetch(input: string | URL | Request, init?: RequestInit): Promise<Response>;
}

/** A client_credentials client for calling other keycard-protected services. */
export interface ServiceClient {
  /** A valid access token: cached, refreshed before expiry, one request in flight at a time. */
  getToken(): Promise<string>;
  /**
   * `fetch` with `Authorization: Bearer` (or `DPoP` + proof with `dpop: true`); on 401 it retries once
   * with a fresh token (replayable bodies only).
   */
  fetch(input: string | URL | Request, init?: RequestInit): Promise<Response>;
  /**
   * RFC 8693 token exchange: trades a user's card (one this service received) for a card for
   * `audience`, acting on the user's behalf (`act: { sub: clientId }`). Cached per (subject `jti`,
   * audience, scope) until shortly before expiry. ERR_GUARD_EXCHANGE_REFUSED when the issuer refuses
   * (no rule, wider scope, wrong audience, bad subject card), ERR_GUARD_CLIENT_TOKEN_FAILED when it fails.
   */
  exchange(subjectToken: string, options: { audience: string; scope?: string }): Promise<ExchangedToken>;
  /** Forgets the cached tokens (the next call fetches new ones). */
  invalidate(): void;
}

interface CachedToken {
  token: string;
  tokenType: 'Bearer' | 'DPoP';
  refreshAtMs: number;
  expiresAtMs: number;
}

interface CachedExchange extends CachedToken {
  scope: string | undefined;
}

const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

/**
 * Creates a service-to-service client (OAuth 2.0 client_credentials and token exchange,
 * client_secret_basic, optionally DPoP-bound).
 * @example
 * const client = createServiceClient({ issuer: 'https://auth.example.com', clientId: 'rooms-service',
 *   clientSecret: process.env.ROOMS_SECRET!, audience: 'billing', scope: 'billing:read', dpop: true });
 * const res = await client.fetch('https://billing.internal/invoices');
 * // on a guest's behalf:
 * const card = await client.exchange(req.auth.token, { audience: 'billing', scope: 'billing:charge' });
 * await card.fetch('https://billing.internal/charges', { method: 'POST', body });
 */
export function createServiceClient(options: ServiceClientOptions): ServiceClient {
  if (typeof options.clientId !== 'string' || options.clientId === '')
    throw optionError('clientId', 'is required');
  if (typeof options.clientSecret !== 'string' || options.clientSecret === '') {
    throw optionError('clientSecret', 'is required');
  }
  if (options.issuer === undefined && options.tokenEndpoint === undefined) {
    throw optionError('issuer', 'or tokenEndpoint is required');
  }
  if (options.dpop !== undefined && typeof options.dpop !== 'boolean')
    throw optionError('dpop', 'must be a boolean');
  const refreshAt = options.refreshAt ?? 0.8;
  if (!(refreshAt > 0 && refreshAt <= 1)) throw optionError('refreshAt', 'must be in (0, 1]');
  if (Object.hasOwn(options, 'refreshSkew'))
    throw optionError('refreshSkew', 'was renamed: use refreshSkewSeconds');
  const skewSeconds = options.refreshSkewSeconds ?? 30;
  if (typeof skewSeconds !== 'number' || !(skewSeconds >= 0))
    throw optionError('refreshSkewSeconds', 'must be a number of seconds, 0 or more');
  const skewMs = skewSeconds * 1000;
  const timeoutMs = options.timeoutMs ?? 5000;
  const clock = options.clock ?? Date.now;
  const issuer = options.issuer?.replace(/\/+$/, '');
  const signer = options.dpop === true ? new DpopSigner(clock) : undefined;
  const client = { clientId: options.clientId, clientSecret: options.clientSecret, timeoutMs };
  const exchanges = new ExchangeCache<CachedExchange>();
  let endpoint = options.tokenEndpoint;
  let cached: CachedToken | undefined;
  let inflight: Promise<CachedToken> | undefined;

  async function tokenEndpoint(): Promise<string> {
    if (endpoint === undefined) {
      const meta = await discoverIssuer(`${issuer}/.well-known/openid-configuration`, issuer, { timeoutMs });
      if (meta.token_endpoint === undefined) throw new Error('the issuer publishes no token_endpoint');
      endpoint = meta.token_endpoint;
    }
    return endpoint;
  }

  function cache(answer: TokenAnswer, started: number): CachedToken {
    const lifetimeMs = answer.lifetimeMs;
    return {
      token: answer.accessToken,
      tokenType: answer.tokenType,
      refreshAtMs: started + Math.max(0, Math.min(lifetimeMs * refreshAt, lifetimeMs - skewMs)),
      expiresAtMs: started + lifetimeMs,
    };
  }

  /** Runs a token request; failures become GuardErrors that never carry a token or the secret. */
  async function obtain(form: URLSearchParams, refusal: 'ERR_GUARD_EXCHANGE_REFUSED' | undefined) {
    try {
      const started = clock();
      return { answer: await requestToken(await tokenEndpoint(), form, client, signer), started };
    } catch (cause) {
      if (refusal !== undefined && cause instanceof TokenEndpointError && cause.status < 500 && cause.error)
        throw new GuardError(refusal, { cause, reason: cause.error });
      const reason = cause instanceof GuardError ? cause.code : (cause as Error).message;
      throw new GuardError('ERR_GUARD_CLIENT_TOKEN_FAILED', { cause, reason });
    }
  }

  async function request(): Promise<CachedToken> {
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (options.scope !== undefined) form.set('scope', options.scope);
    if (options.audience !== undefined) form.set('audience', options.audience);
    const { answer, started } = await obtain(form, undefined);
    return cache(answer, started);
  }

  function refresh(): Promise<CachedToken> {
    inflight ??= request()
      .then((t) => {
        cached = t;
        return t;
      })
      .finally(() => {
        inflight = undefined;
      });
    return inflight;
  }

  async function current(): Promise<CachedToken> {
    const now = clock();
    const token = cached;
    if (token !== undefined && now < token.refreshAtMs) return token;
    if (token !== undefined && now < token.expiresAtMs - 1000) {
      // Due for refresh but still valid: a failing token endpoint should not break calls yet.
      return refresh().catch(() => token);
    }
    return refresh();
  }

  async function authorizedFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    const token = await current();
    const response = await fetchWithToken(token.token, token.tokenType, signer, input, init);
    if (response.status !== 401 || !replayable(input, init)) return response;
    await response.body?.cancel().catch(() => {});
    if (cached?.token === token.token) cached = undefined;
    const fresh = await current();
    return fetchWithToken(fresh.token, fresh.tokenType, signer, input, init);
  }

  async function exchange(
    subjectToken: string,
    target: { audience: string; scope?: string },
  ): Promise<ExchangedToken> {
    if (typeof subjectToken !== 'string' || subjectToken === '')
      throw new GuardError('ERR_GUARD_EXCHANGE_REFUSED', { reason: 'no subject token' });
    if (typeof target?.audience !== 'string' || target.audience === '')
      throw new GuardError('ERR_GUARD_EXCHANGE_REFUSED', { reason: 'no audience' });
    const key = exchangeKey({ subjectToken, audience: target.audience, scope: target.scope });
    const now = clock();
    const entry =
      exchanges.get(key, now) ??
      (await exchanges.load(key, now, async () => {
        const form = new URLSearchParams({
          grant_type: TOKEN_EXCHANGE,
          subject_token: subjectToken,
          subject_token_type: ACCESS_TOKEN_TYPE,
          requested_token_type: ACCESS_TOKEN_TYPE,
          audience: target.audience,
        });
        if (target.scope !== undefined) form.set('scope', target.scope);
        const { answer, started } = await obtain(form, 'ERR_GUARD_EXCHANGE_REFUSED');
        return { ...cache(answer, started), scope: answer.scope };
      }));
    return Object.freeze({
      accessToken: entry.token,
      tokenType: entry.tokenType,
      expiresAtMs: entry.expiresAtMs,
      scope: entry.scope,
      fetch: (input: string | URL | Request, init?: RequestInit) =>
        fetchWithToken(entry.token, entry.tokenType, signer, input, init),
    });
  }

  return {
    getToken: async () => (await current()).token,
    fetch: authorizedFetch,
    exchange,
    invalidate: () => {
      cached = undefined;
      exchanges.clear();
    },
  };
}
