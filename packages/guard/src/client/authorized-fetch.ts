import type { DpopSigner } from './dpop-signer.js';

/** A request body that can be sent twice (not a stream). */
export function replayable(input: string | URL | Request, init?: RequestInit): boolean {
  if (input instanceof Request && input.body !== null) return false;
  const body = init?.body;
  return body === undefined || body === null || !(body instanceof ReadableStream);
}

function targetOf(input: string | URL | Request, init?: RequestInit): { method: string; url: string } {
  const url = input instanceof Request ? input.url : String(input);
  const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
  // fetch upper-cases the standard methods on the wire; htm must match what is sent.
  return {
    method: /^(get|head|post|put|delete|options|patch)$/i.test(method) ? method.toUpperCase() : method,
    url,
  };
}

/**
 * `fetch` with an access token: `Authorization: Bearer`, or for a DPoP card `Authorization: DPoP` plus a
 * fresh proof (method, URL, `ath`). A 401 `use_dpop_nonce` with a new `DPoP-Nonce` is retried once with
 * it when the body can be sent again (RFC 9449 §9).
 */
export async function fetchWithToken(
  token: string,
  tokenType: 'Bearer' | 'DPoP',
  signer: DpopSigner | undefined,
  input: string | URL | Request,
  init?: RequestInit,
): Promise<Response> {
  const dpop = tokenType === 'DPoP' && signer !== undefined;
  const target = targetOf(input, init);
  for (let attempt = 0; ; attempt++) {
    const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
    headers.set('authorization', `${dpop ? 'DPoP' : 'Bearer'} ${token}`);
    if (dpop) headers.set('dpop', await signer.proof(target.method, target.url, token));
    const response = await fetch(input, { ...init, headers });
    if (!dpop) return response;
    const newNonce = signer.remember(target.url, response.headers);
    const askedForNonce =
      response.status === 401 &&
      /error="use_dpop_nonce"/.test(response.headers.get('www-authenticate') ?? '');
    if (!askedForNonce || !newNonce || attempt > 0 || !replayable(input, init)) return response;
    await response.body?.cancel().catch(() => {});
  }
}
