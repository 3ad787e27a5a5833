import { fetchJson } from '../http/fetch-json.js';
import type { DpopSigner } from './dpop-signer.js';

export interface TokenAnswer {
  accessToken: string;
  tokenType: 'Bearer' | 'DPoP';
  /** Lifetime in ms (from `expires_in`; 60 s when absent). */
  lifetimeMs: number;
  scope: string | undefined;
}

/** The token endpoint refused (an OAuth error) or failed; `error` is the RFC 6749 error code when given. */
export class TokenEndpointError extends Error {
  constructor(
    readonly status: number,
    readonly error: string | undefined,
  ) {
    super(`token endpoint answered ${status}${error === undefined ? '' : ` ${error}`}`);
    this.name = 'TokenEndpointError';
  }
}

/** RFC 6749 §2.3.1: id and secret are form-urlencoded before the Basic encoding. */
function basicAuth(id: string, secret: string): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return `Basic ${btoa(`${enc(id)}:${enc(secret)}`)}`;
}

/**
 * POSTs a token request (client_secret_basic). With a DPoP signer the request carries a proof, and an
 * answer `use_dpop_nonce` with a new `DPoP-Nonce` is retried once with it (RFC 9449 §8).
 */
export async function requestToken(
  endpoint: string,
  form: URLSearchParams,
  client: { clientId: string; clientSecret: string; timeoutMs: number },
  signer: DpopSigner | undefined,
): Promise<TokenAnswer> {
  for (let attempt = 0; ; attempt++) {
    const headers: Record<string, string> = {
      authorization: basicAuth(client.clientId, client.clientSecret),
      'content-type': 'application/x-www-form-urlencoded',
    };
    if (signer !== undefined) headers['dpop'] = await signer.proof('POST', endpoint);
    const res = await fetchJson(endpoint, {
      method: 'POST',
      timeoutMs: client.timeoutMs,
      maxBytes: 64 * 1024,
      headers,
      body: form.toString(),
      acceptStatus: [400, 401],
    });
    const body = res.body as Record<string, unknown> | undefined;
    const error = typeof body?.['error'] === 'string' ? body['error'] : undefined;
    const newNonce = signer?.remember(endpoint, res.headers) === true;
    if (res.status === 400 && error === 'use_dpop_nonce' && newNonce && attempt === 0) continue;
    if (res.status !== 200 || typeof body?.['access_token'] !== 'string') {
      throw new TokenEndpointError(res.status, error?.slice(0, 100));
    }
    const expiresIn = body['expires_in'];
    const tokenType = typeof body['token_type'] === 'string' ? body['token_type'].toLowerCase() : 'bearer';
    return {
      accessToken: body['access_token'],
      tokenType: tokenType === 'dpop' && signer !== undefined ? 'DPoP' : 'Bearer',
      lifetimeMs: (typeof expiresIn === 'number' && expiresIn > 0 ? expiresIn : 60) * 1000,
      scope: typeof body['scope'] === 'string' ? body['scope'] : undefined,
    };
  }
}
