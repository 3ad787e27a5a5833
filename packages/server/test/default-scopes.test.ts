// OpenID Connect Core §11: offline_access (a session that outlives signing out) is granted only when
// asked for by name. A request without `scope` gets the client's other scopes, at the authorization
// endpoint (and its pages) and at every grant of the token endpoint that defaults to the client's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../src/crypto/index.js';
import { postForm, type Running } from './helpers.js';
import {
  addCodeClient,
  answerOf,
  Browser,
  interactionOf,
  PASSWORD,
  requestParams,
  signedInBrowser,
  startSeededAuthorizeServer,
} from './support/authorize-flow.js';

let r: Running;
let clock: Awaited<ReturnType<typeof startSeededAuthorizeServer>>['clock'];
const SCOPES = ['openid', 'rooms:open', 'offline_access'];

beforeAll(async () => {
  ({ running: r, clock } = await startSeededAuthorizeServer());
  await addCodeClient(r, {
    id: 'desk-offline',
    firstParty: true,
    grants: ['authorization_code', 'password', 'refresh_token'],
    scopes: SCOPES,
    audiences: ['rooms'],
  });
});
afterAll(async () => {
  await r?.close();
});

/** Without `scope`: every parameter of a well-formed request but that one. */
function withoutScope(clientId: string): Record<string, string> {
  const { scope: _scope, ...params } = requestParams(clientId);
  return params;
}

describe('a request without scope never gets offline_access', () => {
  it('authorization endpoint: the code carries the client’s scopes but offline_access', async () => {
    const browser = await signedInBrowser(r, clock);
    const res = await browser.authorize(r.url, withoutScope('desk-offline'));
    const code = answerOf(res.location).code!;
    const record = await r.server.services.storage.authorizationCodes.get(sha256Hex(code));
    expect(record?.scopes).toEqual(['openid', 'rooms:open']);
    // Asked for by name, it is granted.
    const asked = await browser.authorize(r.url, requestParams('desk-offline', { scope: SCOPES.join(' ') }));
    const offline = await r.server.services.storage.authorizationCodes.get(
      sha256Hex(answerOf(asked.location).code!),
    );
    expect(offline?.scopes).toEqual(SCOPES);
  });

  it('the pages show the same default', async () => {
    const browser = new Browser();
    const interaction = interactionOf((await browser.authorize(r.url, withoutScope('spa'))).location);
    const details = await browser.call(r.url, 'details', { interaction });
    expect(details.body.scopes).toEqual(['openid', 'profile', 'rooms:open']);
  });

  it('password grant: the session and the card without offline_access unless asked', async () => {
    const signIn = (extra: Record<string, string> = {}) =>
      postForm(`${r.url}/oauth/token`, {
        grant_type: 'password',
        client_id: 'desk-offline',
        username: 'alice',
        password: PASSWORD,
        ...extra,
      });
    const plain = await signIn();
    expect(plain.status).toBe(200);
    expect(plain.body.scope.split(' ')).not.toContain('offline_access');
    const claims = JSON.parse(Buffer.from(plain.body.access_token.split('.')[1], 'base64url').toString());
    const session = await r.server.services.storage.sessions.get(claims.sid);
    expect(session?.scopes).toEqual(['openid', 'rooms:open']);
    const asked = await signIn({ scope: SCOPES.join(' ') });
    expect(asked.body.scope.split(' ')).toContain('offline_access');
  });
});
