// The calls that change how an account signs in or is recovered (factors, password, address) take
// only cards of first-party clients: a third-party app an admin gave the keycard audience gets a
// keycard card through the code flow, which still reads /api/me but changes none of these.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MailSink, startMailSink } from '../../../test/support/mail-sink.js';
import type { Running } from './helpers.js';
import {
  addCodeClient,
  answerOf,
  Browser,
  interactionOf,
  PASSWORD,
  pkce,
  requestParams,
  startSeededAuthorizeServer,
} from './support/authorize-flow.js';
import { MAIL_FROM } from './support/email-flow.js';
import { type Answer, call, login } from './support/mfa-account.js';
import { exchangeRedirect } from './support/mfa-flow.js';

let r: Running;
let sink: MailSink;

beforeAll(async () => {
  sink = await startMailSink();
  ({ running: r } = await startSeededAuthorizeServer({
    mail: { smtp: { host: '127.0.0.1', port: sink.port }, from: MAIL_FROM },
  }));
  await addCodeClient(r, {
    id: 'widget',
    name: 'Weather widget',
    audiences: ['keycard'],
    scopes: ['openid'],
  });
});
afterAll(async () => {
  await r?.close();
  await sink?.close();
});

/** Alice's keycard card for the third-party `widget`, through the pages and her consent. */
async function widgetCard(): Promise<string> {
  const browser = new Browser();
  const { verifier, challenge } = pkce();
  const start = await browser.authorize(r.url, requestParams('widget', { code_challenge: challenge }));
  const interaction = interactionOf(start.location);
  const signedIn = await browser.call(r.url, 'login', { interaction, username: 'alice', password: PASSWORD });
  expect(signedIn.status).toBe(200);
  const consent = await browser.call(
    r.url,
    'consent',
    { interaction, allow: true },
    { 'x-csrf-token': signedIn.body.details.csrf },
  );
  expect(answerOf(consent.body.redirect).code).toEqual(expect.any(String));
  const { card, body } = await exchangeRedirect(r, consent.body.redirect, verifier, 'widget');
  expect(card).toMatchObject({ aud: 'keycard', client_id: 'widget' });
  return body.access_token;
}

/** Every call the account page alone may make, with a well-formed body. */
const sensitive: [string, string, unknown][] = [
  ['GET', '/api/account/mfa', undefined],
  ['PATCH', '/api/account/passkeys/pk-1', { name: 'Mine now' }],
  ['DELETE', '/api/account/passkeys/pk-1', undefined],
  ['DELETE', '/api/account/mfa/totp', undefined],
  ['POST', '/api/account/mfa/recovery-codes', undefined],
  ['POST', '/api/mfa/totp/start', {}],
  ['POST', '/api/mfa/totp/confirm', { code: '123456' }],
  ['POST', '/api/mfa/passkeys/options', {}],
  ['POST', '/api/mfa/passkeys', { name: 'x', challenge: 'x', response: {} }],
  ['PUT', '/api/account/email', { email: 'alice@widget.example' }],
  ['POST', '/api/password', { currentPassword: PASSWORD, newPassword: 'the widget owns this now' }],
];

describe('a keycard card of a third-party client', () => {
  it('reads /api/me but is refused (403 ERR_FORBIDDEN) every factor, address and password call', async () => {
    const card = await widgetCard();
    expect((await call(r, 'GET', '/api/me', { card })).status).toBe(200);
    for (const [method, path, json] of sensitive) {
      const res: Answer = await call(r, method, path, { card, ...(json === undefined ? {} : { json }) });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.error.code, `${method} ${path}`).toBe('ERR_FORBIDDEN');
    }
    expect(sink.messages).toEqual([]);
  });

  it('a first-party card of the same person still gets through', async () => {
    const { card } = await login(r, 'alice');
    expect((await call(r, 'GET', '/api/account/mfa', { card })).status).toBe(200);
    expect((await call(r, 'POST', '/api/mfa/totp/start', { card, json: {} })).status).toBe(200);
    expect(
      (await call(r, 'PUT', '/api/account/email', { card, json: { email: 'a@hotel.example' } })).status,
    ).toBe(202);
  });
});
