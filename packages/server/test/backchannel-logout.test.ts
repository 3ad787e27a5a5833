import { LOGOUT_TOKEN_TYP } from '@keycard/protocol';
import { createLocalJWKSet, decodeJwt, type JSONWebKeySet, jwtVerify } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { closeWaitMs } from '../src/authorize/backchannel-logout.js';
import { createStorage, type UserRecord } from '../src/index.js';
import {
  addAudience,
  addUser,
  type Body,
  getJson,
  postJson,
  type Running,
  startServer,
  tempDir,
} from './helpers.js';
import {
  addAppSession,
  addBrowserSession,
  addCodeClient,
  fakeWebApp,
  idTokenFor,
  type Receiver,
  startReceiver,
} from './support/sign-out-fixtures.js';

const PASSWORD = 'correct horse battery';
const EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/**
 * OpenID Connect Back-Channel Logout 1.0: a real HTTP receiver on loopback stands in for each
 * client's `backchannel_logout_uri`. Retries use short configured delays and are awaited with
 * `backchannelLogout.idle()`, never with sleeps.
 */
describe('back-channel logout', () => {
  const web = tempDir();
  let r: Running | undefined;
  const receivers: Receiver[] = [];
  afterEach(async () => {
    await r?.close();
    r = undefined;
    for (const receiver of receivers.splice(0)) await receiver.close();
  });

  async function setup(backchannelLogout: Record<string, number> = {}) {
    r = await startServer(
      {
        ui: { staticDir: fakeWebApp(web.dir) },
        backchannelLogout: { retryDelayMs: 20, ...backchannelLogout },
      },
      {},
    );
    await addAudience(r, 'rooms', ['rooms:read']);
    const alice = await addUser(r, 'alice', PASSWORD);
    return { r, alice };
  }
  async function receiver(answer: Parameters<typeof startReceiver>[0]) {
    const started = await startReceiver(answer);
    receivers.push(started);
    return started;
  }
  const audited = async (run: Running) => {
    await run.server.services.audit.flush();
    const events = await run.server.services.storage.audit.list({ type: 'logout.backchannel', limit: 100 });
    return events.reverse().map((e): Record<string, unknown> => ({ subject: e.subject, ...e.detail }));
  };
  const tokenOf = (body: string) => new URLSearchParams(body).get('logout_token') ?? '';
  const logoutWith = async (
    run: Running,
    alice: UserRecord,
    clientId: string,
    browser: { id: string; cookie: string },
  ) =>
    fetch(`${run.url}/oauth/logout?id_token_hint=${await idTokenFor(run, alice, clientId, browser.id)}`, {
      redirect: 'manual',
      headers: { cookie: browser.cookie },
    });

  it('each client with a session from the browser session gets a valid logout token; the redirect never waits', async () => {
    const { r: run, alice } = await setup();
    let release!: () => void;
    const held = new Promise<number>((resolve) => {
      release = () => resolve(200);
    });
    const travel = await receiver(() => held);
    const spa = await receiver(() => 200);
    const unrelated = await receiver(() => 200);
    await addCodeClient(run, 'travel', { backchannelLogoutUri: travel.url });
    await addCodeClient(run, 'spa', { backchannelLogoutUri: spa.url });
    await addCodeClient(run, 'quiet'); // registered no back-channel URI
    await addCodeClient(run, 'unrelated', { backchannelLogoutUri: unrelated.url });
    const browser = await addBrowserSession(run, alice.id);
    await addAppSession(run, { userId: alice.id, clientId: 'travel', browserSessionId: browser.id });
    await addAppSession(run, { userId: alice.id, clientId: 'travel', browserSessionId: browser.id });
    // An offline_access grant survives, but its client still hears that the user signed out.
    await addAppSession(run, {
      userId: alice.id,
      clientId: 'spa',
      browserSessionId: browser.id,
      offline: true,
    });
    await addAppSession(run, { userId: alice.id, clientId: 'quiet', browserSessionId: browser.id });
    await addAppSession(run, { userId: alice.id, clientId: 'unrelated', browserSessionId: null });

    const res = await logoutWith(run, alice, 'travel', browser);
    // The travel receiver is still holding its answer: the browser was not kept waiting for it.
    expect(res.status).toBe(303);
    expect(travel.received.length).toBeLessThanOrEqual(1);
    release();
    await run.server.services.backchannelLogout.idle();

    expect(travel.received).toHaveLength(1); // one token per client, however many sessions
    expect(spa.received).toHaveLength(1);
    expect(unrelated.received).toHaveLength(0);
    const jwks = createLocalJWKSet((await getJson(`${run.url}/.well-known/jwks.json`)).body as JSONWebKeySet);
    for (const [got, clientId] of [
      [travel, 'travel'],
      [spa, 'spa'],
    ] as const) {
      const request = got.received[0]!;
      expect(request.method).toBe('POST');
      expect(request.contentType).toBe('application/x-www-form-urlencoded');
      const { payload, protectedHeader } = await jwtVerify(tokenOf(request.body), jwks, {
        issuer: run.server.services.issuer,
        audience: clientId,
        typ: LOGOUT_TOKEN_TYP,
        maxTokenAge: '2 minutes',
      });
      expect(protectedHeader.typ).toBe(LOGOUT_TOKEN_TYP);
      expect(LOGOUT_TOKEN_TYP).toBe('logout+jwt');
      expect(payload).toMatchObject({ sub: alice.id, sid: browser.id, events: { [EVENT]: {} } });
      expect(Object.keys(payload).sort()).toEqual([
        'aud',
        'events',
        'exp',
        'iat',
        'iss',
        'jti',
        'sid',
        'sub',
      ]);
      expect(payload).not.toHaveProperty('nonce');
      expect(payload.exp! - payload.iat!).toBe(120);
    }
    const events = await audited(run);
    expect(events).toEqual(
      expect.arrayContaining([
        { subject: 'travel', sid: browser.id, attempt: 1, result: 'delivered', status: 200 },
        { subject: 'spa', sid: browser.id, attempt: 1, result: 'delivered', status: 200 },
      ]),
    );
    expect(events).toHaveLength(2);
    const metrics = await run.server.services.metrics.registry.getSingleMetricAsString(
      'keycard_backchannel_logout_total',
    );
    expect(metrics).toContain('keycard_backchannel_logout_total{result="delivered"} 2');
  });

  it('a client failing twice gets the token on the third attempt, after growing delays; every attempt audited', async () => {
    const { r: run, alice } = await setup({ retryDelayMs: 20, attempts: 4 });
    const travel = await receiver((n) => (n <= 2 ? 503 : 200));
    await addCodeClient(run, 'travel', { backchannelLogoutUri: travel.url });
    const browser = await addBrowserSession(run, alice.id);
    await addAppSession(run, { userId: alice.id, clientId: 'travel', browserSessionId: browser.id });
    expect((await logoutWith(run, alice, 'travel', browser)).status).toBe(303);
    await run.server.services.backchannelLogout.idle();

    expect(travel.received).toHaveLength(3);
    const [a, b, c] = travel.received as [Body, Body, Body];
    expect(b.at - a.at).toBeGreaterThanOrEqual(19);
    expect(c.at - b.at).toBeGreaterThanOrEqual(39);
    // Each attempt is a complete token of its own.
    const jtis = travel.received.map((x) => decodeJwt(tokenOf(x.body)).jti);
    expect(new Set(jtis).size).toBe(3);
    expect(await audited(run)).toEqual([
      { subject: 'travel', sid: browser.id, attempt: 1, result: 'failed', status: 503, retryInMs: 20 },
      { subject: 'travel', sid: browser.id, attempt: 2, result: 'failed', status: 503, retryInMs: 40 },
      { subject: 'travel', sid: browser.id, attempt: 3, result: 'delivered', status: 200 },
    ]);
  });

  it('gives up after the configured attempts; a refusal (4xx) is final; a hung client times out', async () => {
    const { r: run, alice } = await setup({ retryDelayMs: 10, attempts: 2, timeoutMs: 200 });
    const down = await receiver(() => 500);
    const refusing = await receiver(() => 400);
    const hung = await receiver(() => 'hang');
    await addCodeClient(run, 'down', { backchannelLogoutUri: down.url });
    await addCodeClient(run, 'refusing', { backchannelLogoutUri: refusing.url });
    await addCodeClient(run, 'hung', { backchannelLogoutUri: hung.url });
    const browser = await addBrowserSession(run, alice.id);
    for (const clientId of ['down', 'refusing', 'hung']) {
      await addAppSession(run, { userId: alice.id, clientId, browserSessionId: browser.id });
    }
    expect((await logoutWith(run, alice, 'down', browser)).status).toBe(303);
    await run.server.services.backchannelLogout.idle();

    expect(down.received).toHaveLength(2);
    expect(refusing.received).toHaveLength(1);
    expect(hung.received).toHaveLength(2);
    const events = await audited(run);
    const of = (subject: string) => events.filter((e) => e.subject === subject).map((e) => e['result']);
    expect(of('down')).toEqual(['failed', 'failed']);
    expect(of('refusing')).toEqual(['refused']);
    expect(of('hung')).toEqual(['timeout', 'timeout']);
  });

  /** The back-channel audit events stored in a closed server's database, per client. */
  const storedResults = async (run: Running) => {
    const storage = await createStorage({ driver: 'sqlite', file: `${run.dir}/keycard.db` });
    try {
      const events = (await storage.audit.list({ type: 'logout.backchannel', limit: 20 })).reverse();
      return (subject: string) =>
        events.filter((e) => e.subject === subject).map((e) => [e.detail['attempt'], e.detail['result']]);
    } finally {
      await storage.close();
    }
  };

  it('closing the server lets deliveries under way finish, retries included', async () => {
    const { r: run, alice } = await setup({ retryDelayMs: 20, attempts: 3, timeoutMs: 2000 });
    // Answers only after a while: still in flight when the close begins.
    const slow = await receiver(() => new Promise<number>((resolve) => setTimeout(() => resolve(200), 150)));
    const flaky = await receiver((n) => (n === 1 ? 503 : 200));
    await addCodeClient(run, 'slow', { backchannelLogoutUri: slow.url });
    await addCodeClient(run, 'flaky', { backchannelLogoutUri: flaky.url });
    const browser = await addBrowserSession(run, alice.id);
    await addAppSession(run, { userId: alice.id, clientId: 'slow', browserSessionId: browser.id });
    await addAppSession(run, { userId: alice.id, clientId: 'flaky', browserSessionId: browser.id });
    expect((await logoutWith(run, alice, 'slow', browser)).status).toBe(303);
    await run.server.close();
    r = undefined;
    const of = await storedResults(run);
    expect(of('slow')).toEqual([[1, 'delivered']]);
    expect(of('flaky')).toEqual([
      [1, 'failed'],
      [2, 'delivered'],
    ]);
  });

  it('the wait is bounded: a retry due later is dropped at once, an attempt still running is aborted, audited', async () => {
    const { r: run, alice } = await setup({ retryDelayMs: 60_000, attempts: 3, timeoutMs: 30_000 });
    const down = await receiver(() => 503);
    const hung = await receiver(() => 'hang');
    await addCodeClient(run, 'down', { backchannelLogoutUri: down.url });
    await addCodeClient(run, 'hung', { backchannelLogoutUri: hung.url });
    const browser = await addBrowserSession(run, alice.id);
    await addAppSession(run, { userId: alice.id, clientId: 'down', browserSessionId: browser.id });
    await addAppSession(run, { userId: alice.id, clientId: 'hung', browserSessionId: browser.id });
    expect((await logoutWith(run, alice, 'down', browser)).status).toBe(303);
    // The first attempt is answered and audited (the next one is a minute away); the hung one is in flight.
    while ((await audited(run)).length === 0 || hung.received.length === 0) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    // 3 × 30 s would be the wait: it is 10 s at most, and here a short one is asked for.
    expect(closeWaitMs(run.server.config)).toBe(10_000);
    const started = performance.now();
    await run.server.services.backchannelLogout.close(50);
    await run.server.close();
    r = undefined;
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(down.received).toHaveLength(1);
    const of = await storedResults(run);
    expect(of('down')).toEqual([
      [1, 'failed'],
      [2, 'aborted'],
    ]);
    expect(of('hung')).toEqual([[1, 'aborted']]);
  });

  it('sign out everywhere and a disabled account tell the clients of every browser session', async () => {
    const { r: run, alice } = await setup();
    const travel = await receiver(() => 200);
    await addCodeClient(run, 'travel', { backchannelLogoutUri: travel.url });
    const first = await addBrowserSession(run, alice.id);
    const second = await addBrowserSession(run, alice.id);
    await addAppSession(run, { userId: alice.id, clientId: 'travel', browserSessionId: first.id });
    await addAppSession(run, { userId: alice.id, clientId: 'travel', browserSessionId: second.id });
    const login = await postJson(`${run.url}/api/login`, { username: 'alice', password: PASSWORD });
    const out = await fetch(`${run.url}/api/logout-all`, {
      method: 'POST',
      headers: { authorization: `Bearer ${login.body.access_token}` },
    });
    expect(out.status).toBe(204);
    await run.server.services.backchannelLogout.idle();
    const sids = travel.received.map((x) => decodeJwt(tokenOf(x.body))['sid']);
    expect(sids.sort()).toEqual([first.id, second.id].sort());

    const third = await addBrowserSession(run, alice.id);
    await addAppSession(run, { userId: alice.id, clientId: 'travel', browserSessionId: third.id });
    const { updateUser } = await import('../src/index.js');
    await updateUser(
      run.server.services,
      alice.id,
      { disabled: true },
      { actor: 'admin', request: { ip: null, userAgent: null } },
    );
    await run.server.services.backchannelLogout.idle();
    expect(decodeJwt(tokenOf(travel.received.at(-1)!.body))['sid']).toBe(third.id);
    expect((await run.server.services.storage.browserSessions.get(third.id))?.endedReason).toBe('disabled');
  });
});
