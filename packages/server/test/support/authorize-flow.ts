// Helpers for the authorization-code tests: code-flow clients seeded through storage, a cookie
// jar of one, PKCE pairs, and the sign-in pages' JSON calls, all over real HTTP.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClientRecord, CreateServerOptions, KeycardConfigInput } from '../../src/index.js';
import { addUser, type Body, type Running, startServer, testClock } from '../helpers.js';

export const SSO_COOKIE = '__Host-keycard_sso';
export const REDIRECT = 'https://app.example.com/cb';

/** A web app directory with an index.html, so the server serves its pages. */
export function fakeWebApp(): { dir: string; remove(): void } {
  const root = mkdtempSync(join(tmpdir(), 'keycard-web-'));
  const dir = join(root, 'dist');
  mkdirSync(dir);
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>app</title>');
  return { dir, remove: () => rmSync(root, { recursive: true, force: true }) };
}

/** A server serving (fake) web pages, on a steppable clock, with alice and the doors seeded. */
export async function startAuthorizeServer(
  config: KeycardConfigInput = {},
  options: CreateServerOptions = {},
) {
  const web = fakeWebApp();
  const clock = testClock(Date.UTC(2030, 0, 1, 12));
  const running = await startServer({ ui: { staticDir: web.dir }, ...config }, { clock, ...options });
  const close = running.close.bind(running);
  running.close = async () => {
    await close();
    web.remove();
  };
  return { running, clock };
}

/**
 * Registers a code-flow client straight in storage (the admin API's validation of these fields is
 * not this suite's subject).
 */
export async function addCodeClient(
  running: Running,
  fields: Partial<ClientRecord> & { id: string },
): Promise<ClientRecord> {
  const client: ClientRecord = {
    name: `${fields.id} app`,
    type: 'public',
    secretHash: null,
    firstParty: false,
    grants: ['authorization_code', 'refresh_token'],
    audiences: [],
    scopes: [],
    multiAudience: false,
    requireDpop: false,
    tokenExchange: [],
    redirectUris: [REDIRECT],
    postLogoutRedirectUris: [],
    backchannelLogoutUri: null,
    jwks: null,
    createdAt: 0,
    ...fields,
  };
  await running.server.services.storage.clients.create(client);
  running.server.services.directory.invalidate();
  return client;
}

/** A PKCE verifier and its S256 challenge. */
export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** A well-formed authorization request's parameters for `clientId`. */
export function requestParams(clientId: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    response_type: 'code',
    client_id: clientId,
    redirect_uri: REDIRECT,
    scope: 'openid',
    state: 'st-123',
    nonce: 'n-456',
    code_challenge: pkce().challenge,
    code_challenge_method: 'S256',
    ...extra,
  };
}

/** One browser: the SSO cookie it holds. */
export class Browser {
  cookie: string | undefined;

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { ...(this.cookie === undefined ? {} : { cookie: `${SSO_COOKIE}=${this.cookie}` }), ...extra };
  }

  private keep(headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair?.indexOf('=') ?? -1;
      if (pair === undefined || at === -1 || pair.slice(0, at) !== SSO_COOKIE) continue;
      const value = pair.slice(at + 1);
      this.cookie = value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(line) ? undefined : value;
    }
  }

  /** GET /oauth/authorize (or any URL) without following redirects. */
  async authorize(
    base: string,
    params: Record<string, string> | [string, string][] | string,
  ): Promise<{ status: number; headers: Headers; location: string | null; body: string }> {
    const query = typeof params === 'string' ? params : new URLSearchParams(params).toString();
    const res = await fetch(`${base}/oauth/authorize?${query}`, {
      redirect: 'manual',
      headers: this.headers({ accept: 'text/html' }),
    });
    this.keep(res.headers);
    return {
      status: res.status,
      headers: res.headers,
      location: res.headers.get('location'),
      body: await res.text(),
    };
  }

  /** POST /api/authorize/<step> with JSON. */
  async call(
    base: string,
    step: 'details' | 'login' | 'consent' | 'continue' | 'mfa' | 'passkey/options' | 'passkey',
    body: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; headers: Headers; body: Body }> {
    const res = await fetch(`${base}/api/authorize/${step}`, {
      method: 'POST',
      headers: this.headers({ 'content-type': 'application/json', ...headers }),
      body: JSON.stringify(body),
    });
    this.keep(res.headers);
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text === '' ? undefined : JSON.parse(text) };
  }
}

/** The sealed interaction of a redirect to the pages (`…/#/authorize?i=…`). */
export function interactionOf(location: string | null): string {
  const match = /\/#\/authorize\?i=([A-Za-z0-9._-]+)$/.exec(location ?? '');
  if (match?.[1] === undefined) throw new Error(`not a redirect to the pages: ${location}`);
  return match[1];
}

/** The query parameters of a redirect to the client. */
export function answerOf(location: string | null): Record<string, string> {
  if (location === null || !location.startsWith(`${REDIRECT}?`))
    throw new Error(`not a redirect to the client: ${location}`);
  return Object.fromEntries(new URL(location).searchParams);
}

/** Signs `browser` in through the pages for a request; returns the login answer. */
export async function signInThroughPages(
  base: string,
  browser: Browser,
  params: Record<string, string>,
  username: string,
  password: string,
): Promise<Body> {
  const start = await browser.authorize(base, params);
  const interaction = interactionOf(start.location);
  const login = await browser.call(base, 'login', { interaction, username, password });
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${JSON.stringify(login.body)}`);
  return login.body;
}

export const PASSWORD = 'correct horse battery';

/**
 * The code-flow suites' server: doors `rooms` (resource URI https://rooms.example/) and `pool`,
 * guests may open both, the guest alice, and three clients: `spa` (third party: openid, profile,
 * rooms:open, offline_access for rooms), `desk` (first party: openid, rooms:open for rooms) and
 * `scripts-only` (password grant only).
 */
export async function startSeededAuthorizeServer(
  config: KeycardConfigInput = {},
  options: CreateServerOptions = {},
) {
  const started = await startAuthorizeServer(config, options);
  const r = started.running;
  const { storage } = r.server.services;
  const door = (id: string, name: string, scopes: string[], uri: string | null) =>
    storage.audiences.upsert({ id, name, scopes, uri, createdAt: 0 });
  await door('rooms', 'Rooms (Express)', ['rooms:open'], 'https://rooms.example/');
  await door('pool', 'Pool', ['pool'], null);
  await storage.roles.upsert({ name: 'guest', scopes: ['rooms:open', 'pool'], createdAt: 0 });
  await addUser(r, 'alice', PASSWORD);
  await addCodeClient(r, {
    id: 'spa',
    name: 'Room service app',
    scopes: ['openid', 'profile', 'rooms:open', 'offline_access'],
    audiences: ['rooms'],
  });
  await addCodeClient(r, {
    id: 'desk',
    firstParty: true,
    scopes: ['openid', 'rooms:open'],
    audiences: ['rooms'],
  });
  await addCodeClient(r, { id: 'scripts-only', grants: ['password'], firstParty: true });
  return started;
}

/** A browser signed in as alice through a first-party request, the clock then a second later. */
export async function signedInBrowser(r: Running, clock: { advance(ms: number): void }): Promise<Browser> {
  const browser = new Browser();
  const answer = await signInThroughPages(r.url, browser, requestParams('desk'), 'alice', PASSWORD);
  if (answer.redirect === undefined) throw new Error('a first-party sign-in should go straight back');
  clock.advance(1000);
  return browser;
}
