import { describe, expect, it } from 'vitest';
import type { BrowserSessionRecord } from '../../../src/storage/index.js';
import type { Ctx } from './fixtures.js';

function browser(id: string, overrides: Partial<BrowserSessionRecord> = {}): BrowserSessionRecord {
  return {
    id,
    userId: 'u1',
    authTime: 1_000,
    amr: ['pwd'],
    createdAt: 1_000,
    lastSeenAt: 1_000,
    expiresAt: 50_000,
    endedAt: null,
    endedReason: null,
    ...overrides,
  };
}

export function browserSessionTests(ctx: Ctx): void {
  describe('browserSessions', () => {
    it('creates and gets; rejects a duplicate id', async () => {
      const sessions = ctx.storage().browserSessions;
      await sessions.create(browser('b1'));
      expect(await sessions.get('b1')).toEqual(browser('b1'));
      expect(await sessions.get('nope')).toBeUndefined();
      await expect(sessions.create(browser('b1'))).rejects.toMatchObject({ code: 'ERR_STORAGE_CONFLICT' });
    });

    it('touches only a live session, optionally sliding its expiry', async () => {
      const sessions = ctx.storage().browserSessions;
      await sessions.create(browser('b1'));
      expect(await sessions.touch('b1', 2_000)).toBe(true);
      expect(await sessions.get('b1')).toMatchObject({ lastSeenAt: 2_000, expiresAt: 50_000 });
      expect(await sessions.touch('b1', 3_000, { expiresAt: 60_000 })).toBe(true);
      expect(await sessions.get('b1')).toMatchObject({ lastSeenAt: 3_000, expiresAt: 60_000 });
      expect(await sessions.touch('b1', 60_000)).toBe(false); // expired at its expiresAt
      expect(await sessions.touch('nope', 2_000)).toBe(false);
      await sessions.end('b1', 4_000, 'logout');
      expect(await sessions.touch('b1', 5_000, { expiresAt: 90_000 })).toBe(false);
      expect(await sessions.get('b1')).toMatchObject({ lastSeenAt: 3_000, expiresAt: 60_000 });
    });

    it('signs in again: a live session takes the new auth time and methods, keeping its id', async () => {
      const sessions = ctx.storage().browserSessions;
      await sessions.create(browser('b1'));
      expect(await sessions.reauthenticate('b1', 2_000, { authTime: 2_000, amr: ['pwd', 'mfa'] })).toBe(true);
      expect(await sessions.get('b1')).toEqual(
        browser('b1', { authTime: 2_000, amr: ['pwd', 'mfa'], lastSeenAt: 2_000 }),
      );
      const update = { authTime: 3_000, amr: ['pwd'], expiresAt: 80_000 };
      expect(await sessions.reauthenticate('b1', 3_000, update)).toBe(true);
      expect(await sessions.get('b1')).toMatchObject({ ...update, lastSeenAt: 3_000, createdAt: 1_000 });
      // Never brings back an expired, ended or unknown session.
      expect(await sessions.reauthenticate('b1', 80_000, { authTime: 80_000, amr: ['pwd'] })).toBe(false);
      expect(await sessions.reauthenticate('nope', 3_000, update)).toBe(false);
      await sessions.create(browser('b2'));
      await sessions.end('b2', 4_000, 'logout');
      const later = { authTime: 5_000, amr: ['otp'], expiresAt: 90_000 };
      expect(await sessions.reauthenticate('b2', 5_000, later)).toBe(false);
      expect(await sessions.get('b2')).toEqual(browser('b2', { endedAt: 4_000, endedReason: 'logout' }));
      expect(await sessions.get('b1')).toMatchObject({ authTime: 3_000, lastSeenAt: 3_000 });
    });

    it('ends once: true the first time, false after, keeping the first reason', async () => {
      const sessions = ctx.storage().browserSessions;
      await sessions.create(browser('b1'));
      const results = await Promise.all([
        sessions.end('b1', 2_000, 'logout'),
        sessions.end('b1', 2_000, 'logout'),
        sessions.end('b1', 2_000, 'logout'),
      ]);
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await sessions.end('b1', 3_000, 'admin')).toBe(false);
      expect(await sessions.end('nope', 3_000, 'admin')).toBe(false);
      expect(await sessions.get('b1')).toMatchObject({ endedAt: 2_000, endedReason: 'logout' });
    });

    it('ends every live session of a user, returning the ids it ended', async () => {
      const sessions = ctx.storage().browserSessions;
      await sessions.create(browser('b1'));
      await sessions.create(browser('b2', { createdAt: 2_000 }));
      await sessions.create(browser('b3', { endedAt: 1_500, endedReason: 'logout' }));
      await sessions.create(browser('b4', { userId: 'u2' }));
      expect(await sessions.endByUser('u1', 3_000, 'user_deleted')).toEqual(['b1', 'b2']);
      expect(await sessions.endByUser('u1', 4_000, 'user_deleted')).toEqual([]);
      expect(await sessions.get('b3')).toMatchObject({ endedAt: 1_500, endedReason: 'logout' });
      expect(await sessions.get('b4')).toMatchObject({ endedAt: null });
    });

    it('lists a user’s sessions newest first, ended ones only on request', async () => {
      const sessions = ctx.storage().browserSessions;
      await sessions.create(browser('b1', { createdAt: 1_000 }));
      await sessions.create(browser('b2', { createdAt: 3_000 }));
      await sessions.create(browser('b3', { createdAt: 2_000, endedAt: 2_500, endedReason: 'logout' }));
      await sessions.create(browser('b4', { userId: 'u2' }));
      expect((await sessions.listByUser('u1')).map((s) => s.id)).toEqual(['b2', 'b1']);
      const all = await sessions.listByUser('u1', { includeEnded: true });
      expect(all.map((s) => s.id)).toEqual(['b2', 'b3', 'b1']);
      expect(all[1]).toEqual(browser('b3', { createdAt: 2_000, endedAt: 2_500, endedReason: 'logout' }));
      expect(await sessions.listByUser('nobody')).toEqual([]);
    });

    it('deletes sessions that expired or ended before the cutoff (exclusive), in batches', async () => {
      const sessions = ctx.storage().browserSessions;
      for (let i = 0; i < 3; i += 1) await sessions.create(browser(`exp-${i}`, { expiresAt: 2_000 + i }));
      await sessions.create(browser('ended', { endedAt: 1_500, endedReason: 'logout' }));
      await sessions.create(browser('ended-late', { endedAt: 9_000, endedReason: 'logout' }));
      await sessions.create(browser('live'));
      expect(await sessions.deleteExpired(2_002, { batchSize: 2 })).toBe(3); // exp-0, exp-1, ended
      expect((await sessions.listByUser('u1', { includeEnded: true })).map((s) => s.id).sort()).toEqual([
        'ended-late',
        'exp-2',
        'live',
      ]);
    });
  });
}
