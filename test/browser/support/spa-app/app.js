// Photos: a single-page app that signs its users in with keycard — OpenID Connect authorization
// code flow with PKCE (S256), state and nonce, as a public client (no secret) — and keeps its tokens
// bound to a DPoP key that never leaves this browser. No build step: oauth4webapi's ESM build is
// served next to this file.
import * as oauth from './vendor/oauth4webapi.js';

const main = document.querySelector('main');
const $ = (testId) => document.querySelector(`[data-testid="${testId}"]`);
const show = (testId, text) => {
  $(testId).textContent = text;
};

let config; // ./config.json: { issuer, client_id, redirect_uri, post_logout_redirect_uri, scope }
let as; // keycard's metadata (OpenID Connect discovery)
let client;
let http; // plain http only for a keycard on this machine (development); https anywhere else
let session; // { tokens, idToken, claims, dpop, refreshes }: in memory only, gone on reload
let signedOutOfKeycard = false;
// A public client: a browser cannot keep a secret. PKCE ties the code to this tab, DPoP the tokens
// to this browser's key.
const clientAuth = oauth.None();

// The DPoP key pair is kept in IndexedDB, where it survives the trip to keycard and back. Its
// private key is not extractable: script can sign with it, nobody can read it.
let db;
function openKeyStore() {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open('photos', 1);
    open.onupgradeneeded = () => open.result.createObjectStore('keys');
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
}
function keyStore(mode, use) {
  return new Promise((resolve, reject) => {
    const request = use(db.transaction('keys', mode).objectStore('keys'));
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}
const loadKey = () => keyStore('readonly', (keys) => keys.get('dpop'));
const saveKey = (keyPair) => keyStore('readwrite', (keys) => keys.put(keyPair, 'dpop'));
const forgetKey = () => keyStore('readwrite', (keys) => keys.delete('dpop'));

async function start() {
  config = await (await fetch('./config.json')).json();
  const issuer = new URL(config.issuer);
  client = { client_id: config.client_id };
  const local = ['localhost', '127.0.0.1', '[::1]'].includes(issuer.hostname);
  http = { [oauth.allowInsecureRequests]: issuer.protocol === 'http:' && local };
  db = await openKeyStore();
  as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, http));
  show('issuer', as.issuer);

  const here = new URL(location.href);
  if (here.searchParams.has('code') || here.searchParams.has('error')) await finishSignIn(here);
  else if (here.searchParams.has('state')) finishSignOut(here);
}

async function signIn() {
  const keyPair = await oauth.generateKeyPair('ES256'); // the private key is not extractable
  await saveKey(keyPair);
  const pending = {
    verifier: oauth.generateRandomCodeVerifier(),
    state: oauth.generateRandomState(),
    nonce: oauth.generateRandomNonce(),
  };
  sessionStorage.setItem('sign-in', JSON.stringify(pending));
  const url = new URL(as.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: config.redirect_uri,
    scope: config.scope,
    state: pending.state,
    nonce: pending.nonce,
    code_challenge: await oauth.calculatePKCECodeChallenge(pending.verifier),
    code_challenge_method: 'S256',
    // RFC 9449 §10: keycard then exchanges the code only with a proof of this key.
    dpop_jkt: await oauth.DPoP(client, keyPair).calculateThumbprint(),
  }).toString();
  location.assign(url);
}

async function finishSignIn(callback) {
  const pending = JSON.parse(sessionStorage.getItem('sign-in') ?? 'null');
  sessionStorage.removeItem('sign-in');
  // The code leaves the address bar (and the history) before anything else happens.
  history.replaceState(null, '', config.redirect_uri);
  if (pending === null) throw new Error('No sign-in was started in this tab');
  // Checks state and iss (RFC 9207); an error answer (access_denied, login_required…) throws here.
  const params = oauth.validateAuthResponse(as, client, callback, pending.state);
  const dpop = oauth.DPoP(client, await loadKey());
  const response = await oauth.authorizationCodeGrantRequest(
    as,
    client,
    clientAuth,
    params,
    config.redirect_uri,
    pending.verifier,
    { DPoP: dpop, ...http },
  );
  // Checks the ID token: iss, aud, azp, exp, iat, and the nonce of this sign-in.
  const tokens = await oauth.processAuthorizationCodeResponse(as, client, response, {
    expectedNonce: pending.nonce,
    requireIdToken: true,
  });
  const claims = oauth.getValidatedIdTokenClaims(tokens);
  await useTokens(tokens, dpop, { claims, refreshes: 0 });
  show('sub', claims.sub);
  show('username', claims.preferred_username ?? claims.sub);
}

/** The access token's claims. A client need not read its token; this one checks the binding. */
function cardClaims(accessToken) {
  const base64 = accessToken.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))));
}

async function useTokens(tokens, dpop, previous) {
  const jkt = await dpop.calculateThumbprint();
  const bound = cardClaims(tokens.access_token).cnf?.jkt;
  // oauth4webapi gives token_type in lower case.
  if (tokens.token_type !== 'dpop' || bound !== jkt)
    throw new Error('The access token is not bound to our key');
  if (tokens.refresh_token === undefined) throw new Error('No refresh token');
  session = { ...previous, tokens, dpop, idToken: tokens.id_token ?? previous.idToken };
  show('token-type', 'DPoP');
  show('key-jkt', jkt);
  show('card-jkt', bound);
  show('refreshes', String(session.refreshes));
}

async function loadUserinfo() {
  const response = await oauth.userInfoRequest(as, client, session.tokens.access_token, {
    DPoP: session.dpop,
    ...http,
  });
  const info = await oauth.processUserInfoResponse(as, client, session.claims.sub, response);
  show('userinfo', JSON.stringify(info, null, 2));
}

async function refresh() {
  const { tokens, dpop } = session;
  try {
    const response = await oauth.refreshTokenGrantRequest(as, client, clientAuth, tokens.refresh_token, {
      DPoP: dpop,
      ...http,
    });
    const next = await oauth.processRefreshTokenResponse(as, client, response);
    // Rotation: each refresh token is good once; keycard answers with its successor.
    if (next.refresh_token === tokens.refresh_token) throw new Error('The refresh token was not rotated');
    await useTokens(next, dpop, { ...session, refreshes: session.refreshes + 1 });
  } catch (error) {
    // invalid_grant: the session is over (signed out elsewhere, revoked): sign in again.
    if (error instanceof oauth.ResponseBodyError && error.error === 'invalid_grant') session = undefined;
    throw error;
  }
}

async function signOut() {
  const { tokens, idToken } = session;
  session = undefined;
  // RFC 7009: the refresh token (and its session) ends now. Best effort: ending keycard's session
  // below ends it too, and a failure here must not keep the user signed in there.
  await oauth
    .revocationRequest(as, client, clientAuth, tokens.refresh_token, http)
    .then(oauth.processRevocationResponse)
    .catch(() => {});
  await forgetKey();
  // Then keycard's own session in this browser (OpenID Connect RP-Initiated Logout).
  const state = oauth.generateRandomState();
  sessionStorage.setItem('sign-out', state);
  const url = new URL(as.end_session_endpoint);
  url.search = new URLSearchParams({
    id_token_hint: idToken,
    client_id: client.client_id,
    post_logout_redirect_uri: config.post_logout_redirect_uri,
    state,
  }).toString();
  location.assign(url);
}

function finishSignOut(back) {
  const expected = sessionStorage.getItem('sign-out');
  sessionStorage.removeItem('sign-out');
  history.replaceState(null, '', config.post_logout_redirect_uri);
  signedOutOfKeycard = expected !== null && back.searchParams.get('state') === expected;
}

function describe(error) {
  if (error instanceof oauth.ResponseBodyError || error instanceof oauth.AuthorizationResponseError)
    return `${error.error}: ${error.error_description ?? error.message}`;
  if (error instanceof oauth.WWWAuthenticateChallengeError) {
    const { scheme, parameters } = error.cause[0] ?? {};
    return `${parameters?.error ?? 'unauthorized'} (${scheme}): ${parameters?.error_description ?? error.message}`;
  }
  return error.message;
}

function render() {
  $('sign-in').hidden = as === undefined || session !== undefined;
  $('session').hidden = session === undefined;
  if (session !== undefined) show('status', 'signed in');
  else show('status', signedOutOfKeycard ? 'signed out of keycard' : 'signed out');
}

/** Runs one step; `main[aria-busy]` is true meanwhile, and its error (if any) is shown. */
async function run(step) {
  main.setAttribute('aria-busy', 'true');
  show('error', '');
  try {
    await step();
  } catch (error) {
    show('error', describe(error));
  } finally {
    render();
    main.setAttribute('aria-busy', 'false');
  }
}

$('sign-in').addEventListener('click', () => run(signIn));
$('load-userinfo').addEventListener('click', () => run(loadUserinfo));
$('refresh').addEventListener('click', () => run(refresh));
$('sign-out').addEventListener('click', () => run(signOut));
await run(start);
