// A DPoP client for tests, the way the web app behaves but from Node: a P-256 key, sign-in with a
// proof (the session is bound to the key), one card per audience minted with /api/refresh, and
// door calls with `Authorization: DPoP` plus a fresh proof each time.
import { createDpopProof, generateKeyPair, type PrivateKey } from '@keycard/jwt';
import { PASSWORDS } from './hotel.js';

export interface TokenAnswer {
  access_token: string;
  token_type: string;
  refresh_token?: string;
  audience?: string;
  scope?: string;
}

export interface DpopClient {
  key: PrivateKey;
  /** The API card (`keycard`) from the sign-in. */
  apiCard: string;
  /** A card for one audience, minted from the session (rotates its refresh token). */
  mint(audience: string): Promise<TokenAnswer>;
  /** Calls `url` with `card` as `DPoP` and a proof of `key` (default: this client's key). */
  call(
    url: string,
    card: string,
    opts?: { method?: string; proof?: string | null; key?: PrivateKey },
  ): Promise<Response>;
  /** A proof for one request, to replay or to send elsewhere. */
  proof(method: string, url: string, card?: string, key?: PrivateKey): string;
}

async function post(url: string, proof: string, body: unknown): Promise<TokenAnswer> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', dpop: proof },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const answer = (await res.json()) as TokenAnswer;
  if (res.status !== 200)
    throw new Error(`${new URL(url).pathname}: HTTP ${res.status} ${JSON.stringify(answer)}`);
  return answer;
}

/** Signs `username` in at the hotel with a new DPoP key (and a second factor, for an account with one). */
export async function dpopLogin(
  issuer: string,
  username: keyof typeof PASSWORDS,
  factor: { totp?: string } = {},
): Promise<DpopClient> {
  const key = await generateKeyPair('ES256');
  const proof = (method: string, url: string, card?: string, withKey: PrivateKey = key) =>
    createDpopProof(withKey, { method, url, ...(card === undefined ? {} : { accessToken: card }) });
  const login = await post(`${issuer}/api/login`, proof('POST', `${issuer}/api/login`), {
    username,
    password: PASSWORDS[username],
    ...factor,
  });
  let refreshToken = login.refresh_token;
  return {
    key,
    apiCard: login.access_token,
    proof,
    async mint(audience) {
      const url = `${issuer}/api/refresh`;
      const answer = await post(url, proof('POST', url), { refresh_token: refreshToken, audience });
      refreshToken = answer.refresh_token ?? refreshToken;
      return answer;
    },
    call(url, card, opts = {}) {
      const method = opts.method ?? 'GET';
      const headers: Record<string, string> = { authorization: `DPoP ${card}` };
      const p = opts.proof === undefined ? proof(method, url, card, opts.key ?? key) : opts.proof;
      if (p !== null) headers.dpop = p;
      return fetch(url, { method, headers, signal: AbortSignal.timeout(10_000) });
    },
  };
}
