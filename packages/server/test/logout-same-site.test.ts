// /api/logout ends the browser's single sign-on only for the server's own pages: the SSO cookie is
// SameSite=Lax, so a form posted by another page of the same site (a sibling subdomain) carries it
// too, and such a page must not sign the user out of every app with a made-up refresh token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserRecord } from '../src/index.js';
import { addUser, postJson, type Running, startServer } from './helpers.js';
import { addBrowserSession } from './support/sign-out-fixtures.js';

const LISTED = 'https://desk.example.com';
let r: Running;
let alice: UserRecord;

beforeAll(async () => {
  r = await startServer({ cors: { origins: [LISTED] } });
  alice = await addUser(r, 'alice', 'correct horse battery');
});
afterAll(async () => {
  await r?.close();
});

const live = async (id: string) =>
  (await r.server.services.storage.browserSessions.get(id))?.endedAt === null;

/** The form a page would post: a simple request (no preflight), the cookie attached by the browser. */
function postedForm(cookie: string, origin?: string, base = r.url, refreshToken = 'made-up') {
  return fetch(`${base}/api/logout`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      cookie,
      ...(origin === undefined ? {} : { origin }),
    },
    body: new URLSearchParams({ refresh_token: refreshToken }).toString(),
  });
}

describe('/api/logout and the browser session', () => {
  it('a page of another origin cannot end it, whatever it posts', async () => {
    const browser = await addBrowserSession(r, alice.id);
    for (const origin of ['https://sibling.example.com', 'null']) {
      const res = await postedForm(browser.cookie, origin);
      expect(res.status).toBe(204);
      expect(res.headers.getSetCookie().some((c) => c.startsWith('__Host-keycard_sso='))).toBe(false);
      expect(await live(browser.id), origin).toBe(true);
    }
  });

  it("the server's own pages (as issued or as reached), a listed origin and a call from no page still end it, with the person's own refresh token", async () => {
    const reached = `http://localhost:${new URL(r.url).port}`;
    for (const [origin, base] of [
      [new URL(r.url).origin, r.url],
      [reached, reached],
      [LISTED, r.url],
      [undefined, r.url],
    ] as const) {
      const browser = await addBrowserSession(r, alice.id);
      // The person's own refresh token: only a live session of the browser's user proves who signs out.
      const login = await postJson(`${r.url}/api/login`, {
        username: 'alice',
        password: 'correct horse battery',
      });
      const res = await postedForm(browser.cookie, origin, base, login.body.refresh_token);
      expect(res.status).toBe(204);
      expect(await live(browser.id), String(origin)).toBe(false);
    }
  });
});
