/**
 * The rooms door's confidential client at the front desk, used for one thing: exchanging a guest's
 * card for a card for another door (RFC 8693 token exchange), so the rooms service can call billing
 * on the guest's behalf. The secret comes from the environment (the demo makes it at start-up) and
 * is never logged; errors name the OAuth error code only.
 */

export interface ExchangeClientEnv {
  issuer: string;
  clientId: string;
  clientSecret: string;
}

/** Reads ROOMS_SERVICE_ID / ROOMS_SERVICE_SECRET; undefined when the door runs without them. */
export function readExchangeEnv(issuer: string): ExchangeClientEnv | undefined {
  const clientId = process.env.ROOMS_SERVICE_ID;
  const clientSecret = process.env.ROOMS_SERVICE_SECRET;
  if (!clientId || !clientSecret) return undefined;
  return { issuer: issuer.replace(/\/+$/, ''), clientId, clientSecret };
}

/** RFC 6749 §2.3.1: id and secret are form-urlencoded before the Basic encoding. */
function basicAuth(id: string, secret: string): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${enc(id)}:${enc(secret)}`).toString('base64')}`;
}

/**
 * Exchanges `subjectToken` (a card this service received) for a card for `audience` with at most
 * `scope`; its `act` claim names this client. Throws an Error naming the OAuth error on refusal.
 *
 * @example
 * const billingCard = await exchangeCard(env, req.auth.token, { audience: 'billing', scope: 'billing:charge' });
 */
export async function exchangeCard(
  env: ExchangeClientEnv,
  subjectToken: string,
  target: { audience: string; scope: string },
): Promise<string> {
  const form = new URLSearchParams({
    grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
    subject_token: subjectToken,
    subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    audience: target.audience,
    scope: target.scope,
  });
  const res = await fetch(`${env.issuer}/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: basicAuth(env.clientId, env.clientSecret),
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    },
    body: form.toString(),
    signal: AbortSignal.timeout(5000),
  });
  const body = (await res.json().catch(() => ({}))) as { access_token?: unknown; error?: unknown };
  if (res.status !== 200 || typeof body.access_token !== 'string') {
    throw new Error(
      `token exchange refused (${res.status} ${typeof body.error === 'string' ? body.error : ''})`,
    );
  }
  return body.access_token;
}
