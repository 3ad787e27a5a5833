import { discoverIssuer } from '../core/discovery.js';
import { GuardError, optionError } from '../errors.js';
import { fetchJson } from '../http/fetch-json.js';

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
  /** Refresh when this fraction of the lifetime has passed. Default 0.8. */
  refreshAt?: number;
  /** …or this many seconds before expiry, whichever comes first. Default 30. */
  refreshSkew?: number;
  /** Request timeout in ms. Default 5,000. */
  timeoutMs?: number;
  clock?: () => number;
}

/** A client_credentials client for calling other keycard-protected services. */
export interface ServiceClient {
  /** A valid access token: cached, refreshed before expiry, one request in flight at a time. */
  getToken(): Promise<string>;
  /** `fetch` with `Authorization: Bearer`; on 401 it retries once with a fresh token (replayable bodies only). */
  fetch(input: string | URL | Request, init?: RequestInit): Promise<Response>;
  /** Forgets the cached token (the next call fetches a new one). */
  invalidate(): void;
}

interface CachedToken {
  token: string;
  refreshAtMs: number;
  expiresAtMs: number;
}

/** RFC 6749 §2.3.1: id and secret are form-urlencoded before the Basic encoding. */
function basicAuth(id: string, secret: string): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return `Basic ${btoa(`${enc(id)}:${enc(secret)}`)}`;
}

/**
 * Creates a service-to-service client (OAuth 2.0 client_credentials, client_secret_basic).
 * @example
 * const client = createServiceClient({ issuer: 'https://auth.example.com', clientId: 'billing',
 *   clientSecret: process.env.BILLING_SECRET!, audience: 'rooms', scope: 'rooms:read' });
 * const res = await client.fetch('https://rooms.internal/rooms/12');
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
  const refreshAt = options.refreshAt ?? 0.8;
  if (!(refreshAt > 0 && refreshAt <= 1)) throw optionError('refreshAt', 'must be in (0, 1]');
  const skewMs = (options.refreshSkew ?? 30) * 1000;
  const timeoutMs = options.timeoutMs ?? 5000;
  const clock = options.clock ?? Date.now;
  const issuer = options.issuer?.replace(/\/+$/, '');
  let endpoint = options.tokenEndpoint;
  let cached: CachedToken | undefined;
  let inflight: Promise<CachedToken> | undefined;

  async function request(): Promise<CachedToken> {
    try {
      if (endpoint === undefined) {
        const meta = await discoverIssuer(`${issuer}/.well-known/openid-configuration`, issuer, {
          timeoutMs,
        });
        if (meta.token_endpoint === undefined) throw new Error('the issuer publishes no token_endpoint');
        endpoint = meta.token_endpoint;
      }
      const form = new URLSearchParams({ grant_type: 'client_credentials' });
      if (options.scope !== undefined) form.set('scope', options.scope);
      if (options.audience !== undefined) form.set('audience', options.audience);
      const started = clock();
      const res = await fetchJson(endpoint, {
        method: 'POST',
        timeoutMs,
        maxBytes: 64 * 1024,
        headers: {
          authorization: basicAuth(options.clientId, options.clientSecret),
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: form.toString(),
        acceptStatus: [400, 401],
      });
      const body = res.body as { access_token?: unknown; expires_in?: unknown; error?: unknown } | undefined;
      if (res.status !== 200 || typeof body?.access_token !== 'string') {
        throw new Error(
          `token endpoint answered ${res.status}${typeof body?.error === 'string' ? ` ${body.error}` : ''}`,
        );
      }
      const lifetimeMs =
        (typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 60) * 1000;
      return {
        token: body.access_token,
        refreshAtMs: started + Math.max(0, Math.min(lifetimeMs * refreshAt, lifetimeMs - skewMs)),
        expiresAtMs: started + lifetimeMs,
      };
    } catch (cause) {
      throw cause instanceof GuardError
        ? new GuardError('ERR_GUARD_CLIENT_TOKEN_FAILED', { cause, reason: cause.code })
        : new GuardError('ERR_GUARD_CLIENT_TOKEN_FAILED', { cause, reason: (cause as Error).message });
    }
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

  async function getToken(): Promise<string> {
    const now = clock();
    const current = cached;
    if (current !== undefined && now < current.refreshAtMs) return current.token;
    if (current !== undefined && now < current.expiresAtMs - 1000) {
      // Due for refresh but still valid: a failing token endpoint should not break calls yet.
      return refresh().then(
        (t) => t.token,
        () => current.token,
      );
    }
    return (await refresh()).token;
  }

  function replayable(input: string | URL | Request, init?: RequestInit): boolean {
    if (input instanceof Request && input.body !== null) return false;
    const body = init?.body;
    return body === undefined || body === null || !(body instanceof ReadableStream);
  }

  async function authorizedFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    const send = async (token: string): Promise<Response> => {
      const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
      headers.set('authorization', `Bearer ${token}`);
      return fetch(input, { ...init, headers });
    };
    const token = await getToken();
    const response = await send(token);
    if (response.status !== 401 || !replayable(input, init)) return response;
    await response.body?.cancel().catch(() => {});
    if (cached?.token === token) cached = undefined;
    return send(await getToken());
  }

  return {
    getToken,
    fetch: authorizedFetch,
    invalidate: () => {
      cached = undefined;
    },
  };
}
