// The authorization-code flow with a second factor: the seeded authorize server plus a role that
// requires MFA, a request whose PKCE verifier the test keeps, and the code exchanged for the card
// and ID token whose amr/acr the tests read.
import type { KeycardConfigInput } from '../../src/index.js';
import { type Body, postForm, type Running } from '../helpers.js';
import {
  answerOf,
  type Browser,
  interactionOf,
  pkce,
  REDIRECT,
  requestParams,
  startSeededAuthorizeServer,
} from './authorize-flow.js';
import { payloadOf } from './mfa-fixtures.js';

/** The seeded authorize server (alice, doors, spa/desk clients) and a `staff` role with requireMfa. */
export async function startMfaAuthorizeServer(config: KeycardConfigInput = {}) {
  const started = await startSeededAuthorizeServer(config);
  await started.running.server.services.storage.roles.upsert({
    name: 'staff',
    scopes: ['rooms:open'],
    requireMfa: true,
    createdAt: 0,
  });
  started.running.server.services.directory.invalidate();
  return started;
}

/** A request for `clientId` (default the first-party `desk`) and the verifier of its code. */
export function mfaRequest(clientId = 'desk', extra: Record<string, string> = {}) {
  const { verifier, challenge } = pkce();
  return { params: requestParams(clientId, { code_challenge: challenge, ...extra }), verifier };
}

/** Opens the request in `browser` and returns its sealed interaction. */
export async function openRequest(
  r: Running,
  browser: Browser,
  params: Record<string, string>,
): Promise<string> {
  return interactionOf((await browser.authorize(r.url, params)).location);
}

/** The code of a redirect to the client exchanged at /oauth/token: the card's and ID token's claims. */
export async function exchangeRedirect(
  r: Running,
  redirect: string,
  verifier: string,
  clientId = 'desk',
): Promise<{ card: Body; idToken: Body | undefined; body: Body }> {
  const { code } = answerOf(redirect);
  if (code === undefined) throw new Error(`no code in ${redirect}`);
  const res = await postForm(`${r.url}/oauth/token`, {
    grant_type: 'authorization_code',
    client_id: clientId,
    code,
    redirect_uri: REDIRECT,
    code_verifier: verifier,
  });
  if (res.status !== 200) throw new Error(`exchange failed: ${res.status} ${JSON.stringify(res.body)}`);
  return {
    card: payloadOf(res.body.access_token),
    idToken: res.body.id_token === undefined ? undefined : payloadOf(res.body.id_token),
    body: res.body,
  };
}
