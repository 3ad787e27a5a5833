// Shared by the factor tests: a signed-in person's cards (fresh, stale or of a stronger sign-in),
// calls to the factor API, and TOTP codes as an authenticator app computes them.
import { createDpopProof, type PrivateKey } from '@keycard/jwt';
import { HOTP, Secret } from 'otpauth';
import { issueAccessToken, type UserRecord } from '../../src/index.js';
import { type Body, postJson, type Running } from '../helpers.js';

export const PASSWORD = 'correct horse battery';

/** A TOTP code of `secret` (base32) for time step `step`. */
export function totpAt(secret: string, step: number): string {
  return HOTP.generate({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, counter: step });
}

/** The 30-second step at `ms`. */
export const stepOf = (ms: number) => Math.floor(ms / 30_000);

/** A password sign-in at `/api/login`: a card for the keycard API, its refresh token and session. */
export async function login(
  r: Running,
  username: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<{ card: string; refresh: string; sessionId: string; body: Body }> {
  const res = await postJson(`${r.url}/api/login`, { username, password: PASSWORD, ...extra }, headers);
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${JSON.stringify(res.body)}`);
  return {
    card: res.body.access_token,
    refresh: res.body.refresh_token,
    sessionId: res.body.session_id,
    body: res.body,
  };
}

/** A new card from the refresh token: same sign-in, so the same (ageing) `auth_time`. */
export async function refreshed(r: Running, refresh: string): Promise<{ card: string; refresh: string }> {
  const res = await postJson(`${r.url}/api/refresh`, { refresh_token: refresh });
  if (res.status !== 200) throw new Error(`refresh: ${res.status} ${JSON.stringify(res.body)}`);
  return { card: res.body.access_token, refresh: res.body.refresh_token };
}

/**
 * A keycard API card of `user`'s session `sessionId` as if its sign-in used `amr` at `authTime`
 * (ms): the cards a second-factor sign-in gives, minted without one.
 */
export async function cardOf(
  r: Running,
  user: UserRecord,
  sessionId: string,
  authentication: { amr: string[]; authTime: number },
  scopes: string[] = [],
): Promise<string> {
  const issued = await issueAccessToken(r.server.services, {
    grant: 'password',
    clientId: 'keycard-web',
    audiences: ['keycard'],
    scopes,
    user,
    sessionId,
    authentication,
  });
  return issued.accessToken;
}

/** The parsed answer of a call. */
export interface Answer {
  status: number;
  headers: Headers;
  body: Body;
}

/**
 * A call to `path` with a card (Bearer, or DPoP with a proof of `dpop.key` made at `dpop.clock`)
 * and an optional JSON body.
 */
export async function call(
  r: Running,
  method: string,
  path: string,
  opts: { card?: string; json?: unknown; dpop?: { key: PrivateKey; clock: () => number } } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (opts.json !== undefined) headers['content-type'] = 'application/json';
  if (opts.card !== undefined && opts.dpop === undefined) headers['authorization'] = `Bearer ${opts.card}`;
  if (opts.card !== undefined && opts.dpop !== undefined) {
    headers['authorization'] = `DPoP ${opts.card}`;
    headers['dpop'] = createDpopProof(opts.dpop.key, {
      method,
      url: `${r.url}${path}`,
      accessToken: opts.card,
      clock: opts.dpop.clock,
    });
  }
  const res = await fetch(`${r.url}${path}`, {
    method,
    headers,
    ...(opts.json !== undefined ? { body: JSON.stringify(opts.json) } : {}),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text === '' ? undefined : JSON.parse(text) };
}

/** Audit events of `type` about `subject`, after the log is flushed. */
export async function auditOf(r: Running, type: string, subject?: string) {
  await r.server.services.audit.flush();
  return r.server.services.storage.audit.list({
    type,
    limit: 100,
    ...(subject === undefined ? {} : { subject }),
  });
}
