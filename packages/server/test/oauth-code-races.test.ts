// A code exchanged while its person signs out or takes back their consent: the sign-out (or the
// revocation) runs between the exchange's checks and the session's creation, so it finds no
// session to revoke; the exchange must see it afterwards, revoke what it created and refuse, on
// every storage driver.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endBrowserSession } from '../src/authorize/end-browser-session.js';
import { revokeConsent } from '../src/authorize/revoke-consent.js';
import type { ServerContext } from '../src/index.js';
import { probePostgres } from './storage/postgres-helper.js';
import { type Backend, type CodeFlowHotel, codeFlowHotel } from './support/code-flow.js';

const pgSkip = await probePostgres();
if (pgSkip) console.log(`authorization code races on PostgreSQL skipped: ${pgSkip}`);
const backends: Backend[] = ['memory', 'sqlite', ...(pgSkip === undefined ? (['postgres'] as const) : [])];

const request = { ip: '127.0.0.1', userAgent: 'test' };

/** Runs `meanwhile` once, just before the next session is stored (after the code was used and checked). */
function beforeNextSession(ctx: ServerContext, meanwhile: () => Promise<unknown>) {
  const store = ctx.storage.sessions;
  const original = store.create;
  store.create = async (session) => {
    store.create = original;
    await meanwhile();
    return original(session);
  };
}

describe.each(backends)(
  'authorization code exchange racing a sign-out or a consent revocation on %s',
  (backend) => {
    let h: CodeFlowHotel;
    beforeAll(async () => {
      h = await codeFlowHotel(backend);
    });
    afterAll(() => h?.close());

    const ctx = () => h.r.server.services;
    const codeFor = async (username: string) => {
      const user = await h.signedInUser(`${username}-${backend}`);
      const issued = await h.issueCode({ userId: user.userId, sid: user.browserSessionId });
      return { ...user, form: h.spaForm(issued) };
    };
    /** The one session the exchange created: revoked for `reason`, on the feed too. */
    const expectRevoked = async (userId: string, reason: string) => {
      const sessions = await ctx().storage.sessions.listByUser(userId, { includeRevoked: true });
      expect(sessions).toHaveLength(1);
      expect(sessions[0]).toMatchObject({ revokedReason: reason, revokedAt: expect.any(Number) });
      expect(await h.feedRevokes(sessions[0]!.id)).toBe(true);
      expect(await ctx().storage.refreshTokens.deleteBySession(sessions[0]!.id)).toBe(0);
    };

    it('signed out meanwhile: invalid_grant, and the session it created is revoked', async () => {
      const { form, userId, browserSessionId } = await codeFor('olga');
      let found = -1;
      beforeNextSession(ctx(), async () => {
        await endBrowserSession(ctx(), browserSessionId, 'logout', { actor: userId, request });
        // The sign-out saw nothing to revoke: the exchange's session did not exist yet.
        found = (await ctx().storage.sessions.listByBrowserSession(browserSessionId, h.clock())).length;
      });
      const res = await h.exchange(form);
      expect(found).toBe(0);
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('invalid_grant');
      expect(res.body.access_token).toBeUndefined();
      await expectRevoked(userId, 'browser_session_ended');
    });

    it('consent taken back meanwhile: invalid_grant, and the session it created is revoked', async () => {
      const { form, userId } = await codeFor('pia');
      beforeNextSession(ctx(), () =>
        revokeConsent(ctx(), { userId, clientId: 'spa' }, { actor: userId, request }),
      );
      const res = await h.exchange(form);
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('invalid_grant');
      await expectRevoked(userId, 'consent_revoked');
    });

    it('consent narrowed meanwhile (a scope of the code no longer allowed): refused the same way', async () => {
      const { form, userId } = await codeFor('quin');
      beforeNextSession(ctx(), async () => {
        const now = h.clock();
        const narrower = { scopes: ['openid', 'rooms:read'], audiences: ['keycard', 'rooms'] };
        const consent = { userId, clientId: 'spa', ...narrower, createdAt: now, updatedAt: now };
        await ctx().storage.consents.put(consent, { mode: 'replace' });
      });
      const res = await h.exchange(form);
      expect(res.body.error).toBe('invalid_grant');
      await expectRevoked(userId, 'consent_revoked');
    });

    it('nothing meanwhile: the exchange goes through and its session lives', async () => {
      const { form, userId } = await codeFor('ravi');
      beforeNextSession(ctx(), async () => {});
      const res = await h.exchange(form);
      expect(res.status).toBe(200);
      const sessions = await ctx().storage.sessions.listByUser(userId, { includeRevoked: true });
      expect(sessions.map((s) => s.revokedAt)).toEqual([null]);
    });
  },
);
