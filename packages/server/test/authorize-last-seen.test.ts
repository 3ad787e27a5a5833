// A browser session's `lastSeenAt` when codes are issued through it: moved at most once a minute,
// so a signed-in browser's every authorization request does not cost a storage write.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Running } from './helpers.js';
import {
  answerOf,
  requestParams,
  signedInBrowser,
  startSeededAuthorizeServer,
} from './support/authorize-flow.js';

let r: Running;
let clock: Awaited<ReturnType<typeof startSeededAuthorizeServer>>['clock'];

beforeAll(async () => {
  ({ running: r, clock } = await startSeededAuthorizeServer());
});
afterAll(async () => {
  await r?.close();
});

describe("a browser session's last-seen time", () => {
  it('moves when a code is issued a minute or more after it was last set, not before', async () => {
    const signedInAt = clock();
    const browser = await signedInBrowser(r, clock);
    const id = (browser.cookie ?? '').slice(0, (browser.cookie ?? '').lastIndexOf('.'));
    const lastSeen = async () => (await r.server.services.storage.browserSessions.get(id))?.lastSeenAt;
    expect(await lastSeen()).toBe(signedInAt);

    clock.advance(58_000); // 59 s after the sign-in
    const early = await browser.authorize(r.url, requestParams('desk'));
    expect(answerOf(early.location).code).toBeTruthy();
    expect(await lastSeen()).toBe(signedInAt);

    clock.advance(1000); // a minute after the sign-in
    const late = await browser.authorize(r.url, requestParams('desk'));
    expect(answerOf(late.location).code).toBeTruthy();
    expect(await lastSeen()).toBe(clock());

    clock.advance(30_000);
    await browser.authorize(r.url, requestParams('desk'));
    expect(await lastSeen()).toBe(clock() - 30_000);
  });
});
