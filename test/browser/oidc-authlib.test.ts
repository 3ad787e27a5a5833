// A second relying-party library: Python's Authlib (Debian's python3-authlib) signs in through
// keycard in a real Chromium. test/browser/support/authlib_rp.py builds the authorization URL
// (PKCE S256, state, nonce), the browser signs in and consents at keycard (http://localhost),
// the script (on http://127.0.0.1) exchanges the code with client_secret_basic, validates the ID
// token against the JWKS (iss, aud, exp, nonce) and reads userinfo. With another nonce, Authlib
// refuses the ID token.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { browserSkipReason, newPerson } from './support/browser.js';
import { ROOT } from './support/hotel.js';
import { GUIDE_USER, type OidcHotel, openOidcHotelAndBrowser } from './support/oidc-hotel.js';
import { signInAtKeycard } from './support/oidc-pages.js';
import { PYTHON } from './support/python-authlib.js';

const FILE = 'test/browser/oidc-authlib.test.ts';
const SCRIPT = join(ROOT, 'test', 'browser', 'support', 'authlib_rp.py');
const skip =
  browserSkipReason(FILE) ||
  (() => {
    const reason = inject('authlibSkipReason');
    if (reason !== '') console.warn(`${FILE} skipped: ${reason}`);
    return reason;
  })();

interface Outcome {
  claims?: Record<string, unknown>;
  userinfo?: Record<string, unknown>;
  header_alg?: string;
  error?: string;
}

/** The script's JSON lines, one at a time; its exit code at the end. */
function lines(child: ChildProcess) {
  let buffer = '';
  let stderr = '';
  const waiting: ((line: string) => void)[] = [];
  const ready: string[] = [];
  child.stderr?.on('data', (d) => (stderr += d));
  child.stdout?.on('data', (d) => {
    buffer += d;
    for (let at = buffer.indexOf('\n'); at !== -1; at = buffer.indexOf('\n')) {
      const line = buffer.slice(0, at);
      buffer = buffer.slice(at + 1);
      const next = waiting.shift();
      if (next === undefined) ready.push(line);
      else next(line);
    }
  });
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  return {
    async next(): Promise<Record<string, unknown>> {
      const line =
        ready.shift() ??
        (await Promise.race([
          new Promise<string>((resolve) => waiting.push(resolve)),
          exited.then((code) => {
            throw new Error(`authlib_rp.py exited (${code}):\n${stderr}`);
          }),
        ]));
      return JSON.parse(line);
    },
    exited,
  };
}

describe.skipIf(skip !== '')('Authlib (Python) as the relying party, in Chromium', () => {
  let hotel: OidcHotel;
  let browser: Browser;
  let page: Page;
  let secret: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    ({ hotel, browser } = await openOidcHotelAndBrowser());
    const created = await hotel.addClient({
      id: 'python-app',
      name: 'Python app',
      type: 'confidential',
      grants: ['authorization_code'],
      audiences: ['rooms'],
      scopes: ['openid', 'profile', 'email'],
      redirectUris: ['http://127.0.0.1/callback'],
    });
    secret = created.secret!;
    page = await (await newPerson(browser)).newPage();
  }, 60_000);

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await browser?.close();
    await hotel?.close();
  });

  /** Starts the script; resolves with its authorization URL and what it finds at the callback. */
  async function startRp(...flags: string[]) {
    const child = spawn(PYTHON, [SCRIPT, hotel.issuer, 'python-app', 'openid profile email', ...flags], {
      env: { ...process.env, CLIENT_SECRET: secret },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    const out = lines(child);
    const { authorize } = (await out.next()) as { authorize: string };
    return {
      authorize: new URL(authorize),
      async outcome(): Promise<Outcome> {
        const result = (await out.next()) as Outcome;
        expect(await out.exited).toBe(0);
        return result;
      },
    };
  }

  it('signs in with PKCE, validates the ID token against the JWKS and reads userinfo', async () => {
    const rp = await startRp();
    expect(rp.authorize.origin + rp.authorize.pathname).toBe(`${hotel.issuer}/oauth/authorize`);
    expect(rp.authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(rp.authorize.searchParams.get('nonce')).toBeTruthy();

    await page.goto(rp.authorize.href);
    await page.getByTestId('authorize-signin-form').waitFor();
    await signInAtKeycard(page, GUIDE_USER.username, GUIDE_USER.password);
    await page.getByTestId('authorize-consent').waitFor();
    expect(await page.locator('h1').textContent()).toBe('Allow Python app?');
    await page.getByTestId('authorize-allow').click();
    await page.locator('#result').waitFor();
    expect(new URL(page.url()).hostname).toBe('127.0.0.1');

    const outcome = await rp.outcome();
    expect(outcome.error).toBeUndefined();
    expect(outcome.header_alg).toBe('ES256');
    expect(outcome.claims).toMatchObject({
      iss: hotel.issuer,
      aud: 'python-app',
      nonce: rp.authorize.searchParams.get('nonce'),
      preferred_username: 'alice',
      email: 'alice@example.com',
    });
    expect(outcome.userinfo).toMatchObject({ sub: outcome.claims?.['sub'], preferred_username: 'alice' });
    expect(JSON.parse((await page.locator('#result').textContent()) ?? '{}')).toEqual(outcome);
  });

  it('refuses an ID token whose nonce is not the one it expects', async () => {
    const rp = await startRp('--wrong-nonce');
    // Signed in and allowed already: keycard answers at once.
    await page.goto(rp.authorize.href);
    await page.locator('#result').waitFor();
    const outcome = await rp.outcome();
    expect(outcome.claims).toBeUndefined();
    expect(outcome.error).toMatch(/^InvalidClaimError: .*nonce/);
  });
});
