// The authorization-code flow's secrets against the server's own records, over real HTTP: what a
// request line, the audit log and the metrics may carry.
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import { addUser, postForm, postJson, type Running, startServer } from './helpers.js';
import {
  answerOf,
  Browser,
  interactionOf,
  PASSWORD,
  pkce,
  REDIRECT,
  requestParams,
  startSeededAuthorizeServer,
} from './support/authorize-flow.js';
import { ASSERTION_TYPE, addClient, clientKey, signAssertion } from './support/client-assertions.js';
import { idTokenFor } from './support/sign-out-fixtures.js';

describe('request lines in the log', () => {
  let r: Running | undefined;
  afterEach(async () => {
    await r?.close();
    r = undefined;
  });

  it('never carry an id_token_hint (a whole ID token) or a login_hint', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    r = await startServer({ databaseUrl: 'memory' }, { logger: createLogger('info', sink) });
    const user = await addUser(r, 'mallory-victim', 'correct horse battery');
    const idToken = await idTokenFor(r, user, 'keycard-web', 'bs-1');
    const signature = idToken.split('.')[2]!;
    await fetch(`${r.url}/oauth/logout?id_token_hint=${idToken}&state=s1`, { redirect: 'manual' });
    await fetch(`${r.url}/oauth/logout?id%5Ftoken%5Fhint=${idToken}`, { redirect: 'manual' });
    await fetch(`${r.url}/oauth/authorize?client_id=x&login_hint=victim%40mail.example`, {
      redirect: 'manual',
    });
    const log = lines.join('');
    // The line names the parameters, never their values (a harmless client_id excepted).
    expect(log).toContain('/oauth/logout?id_token_hint&state"');
    expect(log).toContain('/oauth/authorize?client_id=x&login_hint"');
    expect(log).not.toContain(signature);
    expect(log).not.toContain('victim%40mail.example');
  });
});

describe('the flow’s secrets in the log, the audit log and the metrics', () => {
  let r: Running | undefined;
  afterEach(async () => {
    await r?.close();
    r = undefined;
  });

  it('never a password, interaction, cookie, CSRF token, code, verifier, assertion or token', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const METRICS_TOKEN = 'scrape-Token_0123456789abcdefghijklmnopqrstuvwxyz';
    ({ running: r } = await startSeededAuthorizeServer(
      { metrics: { token: METRICS_TOKEN } },
      { logger: createLogger('trace', sink) },
    ));
    const url = r.url;
    const secrets = new Set<string>([PASSWORD]);
    const keep = (value: string | undefined) => {
      if (value === undefined || value.length < 16) return;
      secrets.add(value);
      // Each part of a JWS or a sealed value is enough to tell it.
      for (const part of value.split('.')) if (part.length >= 16) secrets.add(part);
    };

    // The whole flow for the third-party `spa`: sign-in, consent, code, exchange, refresh, userinfo.
    const { verifier, challenge } = pkce();
    keep(verifier);
    const browser = new Browser();
    const params = requestParams('spa', {
      scope: 'openid profile offline_access',
      code_challenge: challenge,
    });
    const interaction = interactionOf((await browser.authorize(url, params)).location);
    keep(interaction);
    const wrong = await browser.call(url, 'login', {
      interaction,
      username: 'alice',
      password: `${PASSWORD}!`,
    });
    expect(wrong.status).toBe(401);
    keep(`${PASSWORD}!`);
    const login = await browser.call(url, 'login', { interaction, username: 'alice', password: PASSWORD });
    // The cookie is `{id}.{mac}`: the id is the ID tokens' (public) sid, the MAC is the secret.
    secrets.add(browser.cookie!);
    secrets.add(browser.cookie!.slice(browser.cookie!.lastIndexOf('.') + 1));
    const csrf = login.body.details.csrf as string;
    keep(csrf);
    const allow = await browser.call(url, 'consent', { interaction, allow: true }, { 'x-csrf-token': csrf });
    const { code } = answerOf(allow.body.redirect);
    keep(code);
    const form = { grant_type: 'authorization_code', client_id: 'spa', code: code!, redirect_uri: REDIRECT };
    const bad = await postForm(`${url}/oauth/token`, { ...form, code_verifier: `${verifier}x` });
    expect(bad.body.error).toBe('invalid_grant');
    const spent = await postForm(`${url}/oauth/token`, { ...form, code_verifier: verifier });
    expect(spent.status).toBe(400); // the wrong verifier used the code up
    const again = pkce();
    keep(again.verifier);
    // Allowed before: the code comes straight back in the 303 (its Location is never logged).
    const direct = await browser.authorize(url, { ...params, code_challenge: again.challenge });
    const next = answerOf(direct.location).code;
    keep(next);
    const issued = await postForm(`${url}/oauth/token`, {
      ...form,
      code: next!,
      code_verifier: again.verifier,
    });
    expect(issued.status).toBe(200);
    keep(issued.body.access_token);
    keep(issued.body.id_token);
    // A refresh token is `rt1.<session id>.<random>.<mac>`: the session id is in every card.
    const [, , random, mac] = (issued.body.refresh_token as string).split('.');
    for (const part of [issued.body.refresh_token, random, mac]) secrets.add(part as string);
    const replay = await postForm(`${url}/oauth/token`, {
      ...form,
      code: next!,
      code_verifier: again.verifier,
    });
    expect(replay.body.error).toBe('invalid_grant');
    const refreshed = await postForm(`${url}/oauth/token`, {
      grant_type: 'refresh_token',
      client_id: 'spa',
      refresh_token: issued.body.refresh_token,
    });
    expect(refreshed.status).toBe(400); // the replay revoked the session
    await fetch(`${url}/oauth/userinfo`, {
      headers: { authorization: `Bearer ${issued.body.access_token}` },
    });

    // Sign-out through the confirmation page, with the ID token as hint.
    const start = await fetch(`${url}/oauth/logout?id_token_hint=${issued.body.id_token}`, {
      redirect: 'manual',
    });
    expect(start.status).toBe(303);
    const cookie = `__Host-keycard_sso=${browser.cookie}`;
    const noHint = await fetch(`${url}/oauth/logout`, { redirect: 'manual', headers: { cookie } });
    const logout = /l=([A-Za-z0-9._-]+)$/.exec(noHint.headers.get('location') ?? '')?.[1];
    keep(logout);
    const out = await postJson(
      `${url}/api/authorize/logout`,
      { logout, confirm: true },
      { cookie, 'x-csrf-token': csrf },
    );
    expect(out.status).toBe(200);

    // private_key_jwt: an assertion accepted, then replayed.
    const key = await clientKey('ES256', 'svc-key-1');
    await addClient(r.server.services.storage, 'svc', {
      keys: [key],
      audiences: ['rooms'],
      scopes: ['rooms:open'],
    });
    r.server.services.directory.invalidate();
    const assertion = await signAssertion(key, 'svc', url, r.server.services.clock());
    keep(assertion);
    const assertionForm = {
      grant_type: 'client_credentials',
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: assertion,
    };
    const served = await postForm(`${url}/oauth/token`, assertionForm);
    expect(served.status).toBe(200);
    keep(served.body.access_token);
    expect((await postForm(`${url}/oauth/token`, assertionForm)).status).toBe(401);

    await r.server.services.audit.flush();
    const audit = JSON.stringify(await r.server.services.storage.audit.list({ limit: 1000 }));
    const metrics = await (
      await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
    ).text();
    const log = lines.join('');
    // The server did log and audit this flow (so an empty record cannot pass).
    expect(log).toMatch(/\/api\/authorize\/consent/);
    expect(audit).toMatch(/authorize\.code/);
    expect(audit).toMatch(/code\.replayed/);
    expect(metrics).toMatch(/keycard_authorizations_total/);
    expect(secrets.size).toBeGreaterThan(25);
    for (const secret of secrets) {
      expect(log.includes(secret), `log contains ${secret.slice(0, 8)}…`).toBe(false);
      expect(audit.includes(secret), `audit contains ${secret.slice(0, 8)}…`).toBe(false);
      expect(metrics.includes(secret), `metrics contain ${secret.slice(0, 8)}…`).toBe(false);
    }
  });
});
