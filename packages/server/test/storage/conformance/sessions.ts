import { describe, expect, it } from 'vitest';
import { type Ctx, refreshToken, session } from './fixtures.js';

export function sessionTests(ctx: Ctx): void {
  describe('sessions', () => {
    it('creates and gets; rejects a duplicate id', async () => {
      const sessions = ctx.storage().sessions;
      const s1 = session('s1', { ip: null, userAgent: null });
      await sessions.create(s1);
      expect(await sessions.get('s1')).toEqual(s1);
      expect(await sessions.get('nope')).toBeUndefined();
      await expect(sessions.create(session('s1'))).rejects.toMatchObject({ code: 'ERR_STORAGE_CONFLICT' });
    });

    it('keeps the DPoP key thumbprint a session is bound to', async () => {
      const sessions = ctx.storage().sessions;
      const bound = session('bound', { dpopJkt: 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs' });
      await sessions.create(bound);
      expect(await sessions.get('bound')).toEqual(bound);
    });

    it('keeps where a code-flow session came from; a password session reads back null / false', async () => {
      const sessions = ctx.storage().sessions;
      const coded = session('coded', {
        browserSessionId: 'bs1',
        authTime: 900,
        amr: ['pwd', 'otp'],
        offline: true,
      });
      await sessions.create(coded);
      expect(await sessions.get('coded')).toEqual(coded);
      const { browserSessionId, authTime, amr, offline, ...plain } = session('plain');
      await sessions.create(plain);
      expect(await sessions.get('plain')).toMatchObject({
        browserSessionId: null,
        authTime: null,
        amr: null,
        offline: false,
      });
    });

    it('lists the live sessions of one browser session, oldest first', async () => {
      const sessions = ctx.storage().sessions;
      await sessions.create(session('b2', { browserSessionId: 'bs', createdAt: 2_000 }));
      await sessions.create(session('b1', { browserSessionId: 'bs', createdAt: 1_000, offline: true }));
      await sessions.create(
        session('gone', { browserSessionId: 'bs', revokedAt: 1_500, revokedReason: 'logout' }),
      );
      await sessions.create(session('old', { browserSessionId: 'bs', expiresAt: 4_000 }));
      await sessions.create(session('elsewhere', { browserSessionId: 'other' }));
      await sessions.create(session('password'));
      const live = await sessions.listByBrowserSession('bs', 5_000);
      expect(live.map((s) => s.id)).toEqual(['b1', 'b2']);
      expect(live[0]?.offline).toBe(true);
      expect(await sessions.listByBrowserSession('none', 5_000)).toEqual([]);
    });

    it('lists a user’s sessions newest first, revoked ones only on request', async () => {
      const sessions = ctx.storage().sessions;
      await sessions.create(session('a', { createdAt: 1_000 }));
      await sessions.create(session('b', { createdAt: 3_000, revokedAt: 3_500, revokedReason: 'logout' }));
      await sessions.create(session('c', { createdAt: 2_000 }));
      await sessions.create(session('other', { userId: 'u2' }));
      expect((await sessions.listByUser('u1')).map((s) => s.id)).toEqual(['c', 'a']);
      const all = await sessions.listByUser('u1', { includeRevoked: true });
      expect(all.map((s) => s.id)).toEqual(['b', 'c', 'a']);
      expect(all[0]).toMatchObject({ revokedAt: 3_500, revokedReason: 'logout' });
      expect(await sessions.listByUser('nobody')).toEqual([]);
    });

    it('lists active sessions (not revoked, not expired at `now`) newest first, paged', async () => {
      const sessions = ctx.storage().sessions;
      await sessions.create(session('live1', { createdAt: 1_000, expiresAt: 10_000 }));
      await sessions.create(session('live2', { createdAt: 2_000, expiresAt: 10_000, userId: 'u2' }));
      await sessions.create(session('expired', { createdAt: 3_000, expiresAt: 5_000 }));
      await sessions.create(
        session('revoked', { createdAt: 4_000, revokedAt: 4_500, revokedReason: 'admin' }),
      );
      expect((await sessions.listActive({ now: 6_000 })).map((s) => s.id)).toEqual(['live2', 'live1']);
      // A session whose expiresAt equals `now` has ended.
      expect((await sessions.listActive({ now: 5_000 })).map((s) => s.id)).toEqual(['live2', 'live1']);
      expect((await sessions.listActive({ now: 4_000 })).map((s) => s.id)).toEqual([
        'expired',
        'live2',
        'live1',
      ]);
      expect((await sessions.listActive({ now: 6_000, limit: 1 })).map((s) => s.id)).toEqual(['live2']);
      const after = { createdAt: 2_000, key: 'live2' };
      expect((await sessions.listActive({ now: 6_000, limit: 1, after })).map((s) => s.id)).toEqual([
        'live1',
      ]);
    });

    it('touches lastUsedAt; touching a missing session is a no-op', async () => {
      const sessions = ctx.storage().sessions;
      await sessions.create(session('s1'));
      await sessions.touch('s1', 7_000);
      expect(await sessions.get('s1')).toEqual(session('s1', { lastUsedAt: 7_000 }));
      await sessions.touch('missing', 7_000);
      expect(await sessions.get('missing')).toBeUndefined();
    });

    it('revokes once: true the first time, false after, and keeps the first reason', async () => {
      const sessions = ctx.storage().sessions;
      await sessions.create(session('s1'));
      expect(await sessions.revoke('s1', 5_000, 'logout')).toBe(true);
      expect(await sessions.revoke('s1', 6_000, 'admin')).toBe(false);
      expect(await sessions.revoke('missing', 6_000, 'admin')).toBe(false);
      expect(await sessions.get('s1')).toMatchObject({ revokedAt: 5_000, revokedReason: 'logout' });
    });

    it('revokes every live session of a user except one, returning the ids it revoked', async () => {
      const sessions = ctx.storage().sessions;
      await sessions.create(session('a', { createdAt: 1_000 }));
      await sessions.create(session('b', { createdAt: 2_000 }));
      await sessions.create(session('keep', { createdAt: 3_000 }));
      await sessions.create(session('old', { revokedAt: 500, revokedReason: 'logout' }));
      await sessions.create(session('theirs', { userId: 'u2' }));
      const revoked = await sessions.revokeByUser('u1', 9_000, 'logout_all', 'keep');
      expect([...revoked].sort()).toEqual(['a', 'b']);
      expect(await sessions.get('a')).toMatchObject({ revokedAt: 9_000, revokedReason: 'logout_all' });
      expect(await sessions.get('keep')).toMatchObject({ revokedAt: null, revokedReason: null });
      expect(await sessions.get('old')).toMatchObject({ revokedAt: 500, revokedReason: 'logout' });
      expect(await sessions.get('theirs')).toMatchObject({ revokedAt: null });
      expect(await sessions.revokeByUser('u1', 9_500, 'password_change')).toEqual(['keep']);
      expect(await sessions.revokeByUser('u1', 9_600, 'password_change')).toEqual([]);
    });

    it('deletes sessions that ended before the cutoff, with their refresh tokens', async () => {
      const { sessions, refreshTokens } = ctx.storage();
      await sessions.create(session('gone', { expiresAt: 5_000 }));
      await sessions.create(session('edge', { expiresAt: 6_000 }));
      await sessions.create(session('live', { expiresAt: 9_000 }));
      await refreshTokens.create(refreshToken('t-gone', { sessionId: 'gone', expiresAt: 90_000 }));
      await refreshTokens.create(refreshToken('t-live', { sessionId: 'live', expiresAt: 90_000 }));
      expect(await sessions.deleteExpired(6_000)).toBe(1);
      expect(await sessions.get('gone')).toBeUndefined();
      expect(await sessions.get('edge')).toBeDefined(); // `before` is exclusive
      expect(await refreshTokens.get('t-gone')).toBeUndefined();
      expect(await refreshTokens.get('t-live')).toBeDefined();
      expect(await sessions.deleteExpired(6_000)).toBe(0);
    });

    it('returns copies of stored sessions', async () => {
      const sessions = ctx.storage().sessions;
      const s1 = session('s1');
      await sessions.create(s1);
      s1.scopes.push('admin');
      const read = await sessions.get('s1');
      read?.audiences.push('other');
      expect(await sessions.get('s1')).toEqual(session('s1'));
    });
  });
}
