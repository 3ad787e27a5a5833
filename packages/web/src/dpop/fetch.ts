/**
 * `fetch` with a DPoP proof, and the one retry RFC 9449 §8/§9 allows: when the server answers
 * `use_dpop_nonce` with a `DPoP-Nonce` header, the request is signed again with that nonce.
 * The last nonce each origin sent is remembered (in memory) for the next proof.
 */

/** Makes the proof for one attempt of the request (a fresh `jti` each time). */
export type ProofFactory = (nonce: string | undefined) => Promise<string>;

const nonces = new Map<string, string>();

async function asksForNonce(response: Response): Promise<boolean> {
  if (response.status !== 400 && response.status !== 401) return false;
  if (/use_dpop_nonce/.test(response.headers.get('WWW-Authenticate') ?? '')) return true;
  try {
    const body = (await response.clone().json()) as { error?: unknown };
    const error = body.error;
    return error === 'use_dpop_nonce' || (error as { code?: unknown } | null)?.code === 'use_dpop_nonce';
  } catch {
    return false;
  }
}

/**
 * Sends `init` to `url` with a `DPoP` header made by `proof`; without `proof` it is a plain fetch.
 *
 * @example
 * const res = await fetchWithProof(url, { headers }, (nonce) => createDpopProof(key, { method: 'GET', url, nonce }));
 */
export async function fetchWithProof(
  url: string,
  init: RequestInit,
  proof: ProofFactory | undefined,
): Promise<Response> {
  if (!proof) return fetch(url, init);
  const origin = new URL(url, typeof location === 'undefined' ? undefined : location.href).origin;
  const send = async (nonce: string | undefined): Promise<Response> => {
    const headers = new Headers(init.headers);
    headers.set('DPoP', await proof(nonce));
    return fetch(url, { ...init, headers });
  };
  const first = await send(nonces.get(origin));
  const nonce = first.headers.get('DPoP-Nonce');
  if (nonce === null) return first;
  nonces.set(origin, nonce);
  return (await asksForNonce(first)) ? send(nonce) : first;
}
