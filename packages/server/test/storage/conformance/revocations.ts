import { describe, expect, it } from 'vitest';
import type { RevocationEvent } from '../../../src/storage/index.js';
import type { Ctx } from './fixtures.js';

export function revocationTests(ctx: Ctx): void {
  describe('revocations', () => {
    it('starts empty with cursor 0', async () => {
      const feed = ctx.storage().revocations;
      expect(await feed.latestCursor()).toBe(0);
      expect(await feed.listAfter(0, 10)).toEqual([]);
    });

    it('appends every event kind with strictly increasing cursors and reads them back', async () => {
      const feed = ctx.storage().revocations;
      const a = await feed.append({ type: 'session', sid: 's1', at: 1_000, expiresAt: 5_000 });
      const b = await feed.append({ type: 'token', jti: 'j1', at: 1_100, expiresAt: 6_000 });
      const c = await feed.append({
        type: 'subject',
        sub: 'u1',
        notBefore: 1_200,
        at: 1_200,
        expiresAt: 7_000,
      });
      expect(a).toEqual({ cursor: a.cursor, type: 'session', sid: 's1', at: 1_000, expiresAt: 5_000 });
      expect(b).toMatchObject({ type: 'token', jti: 'j1', at: 1_100, expiresAt: 6_000 });
      expect(c).toMatchObject({ type: 'subject', sub: 'u1', notBefore: 1_200 });
      expect(Number.isInteger(a.cursor) && a.cursor > 0).toBe(true);
      expect(b.cursor).toBeGreaterThan(a.cursor);
      expect(c.cursor).toBeGreaterThan(b.cursor);
      expect(await feed.listAfter(0, 10)).toEqual([a, b, c]);
      expect(await feed.latestCursor()).toBe(c.cursor);
    });

    it('stores role events (role name and not-before) and reads them back among the others', async () => {
      const feed = ctx.storage().revocations;
      const a = await feed.append({
        type: 'subject',
        sub: 'u1',
        notBefore: 1_000,
        at: 1_000,
        expiresAt: 7_000,
      });
      const b = await feed.append({
        type: 'role',
        role: 'housekeeping',
        notBefore: 1_234,
        at: 1_234,
        expiresAt: 8_000,
      });
      const c = await feed.append({ type: 'key', kid: 'k1', at: 1_300, expiresAt: 9_000 });
      expect(b).toEqual({
        cursor: b.cursor,
        type: 'role',
        role: 'housekeeping',
        notBefore: 1_234,
        at: 1_234,
        expiresAt: 8_000,
      });
      expect(await feed.listAfter(0, 10)).toEqual([a, b, c]);
      expect(await feed.deleteExpired(8_001)).toBe(2);
      expect(await feed.listAfter(0, 10)).toEqual([c]);
    });

    it('pages with listAfter: after is exclusive, limit caps, oldest first', async () => {
      const feed = ctx.storage().revocations;
      const events: RevocationEvent[] = [];
      for (let i = 0; i < 7; i++) {
        events.push(await feed.append({ type: 'token', jti: `j${i}`, at: 1_000 + i, expiresAt: 9_000 }));
      }
      const seen: RevocationEvent[] = [];
      let after = 0;
      for (;;) {
        const page = await feed.listAfter(after, 3);
        if (page.length === 0) break;
        expect(page.length).toBeLessThanOrEqual(3);
        seen.push(...page);
        after = page[page.length - 1]?.cursor ?? after;
      }
      expect(seen).toEqual(events);
      expect(await feed.listAfter(events[6]?.cursor ?? 0, 10)).toEqual([]);
      expect(await feed.listAfter(events[4]?.cursor ?? 0, 10)).toEqual(events.slice(5));
    });

    it('appends concurrently without reusing a cursor', async () => {
      const feed = ctx.storage().revocations;
      const appended = await Promise.all(
        Array.from({ length: 25 }, (_, i) =>
          feed.append({ type: 'session', sid: `s${i}`, at: i, expiresAt: 9_000 }),
        ),
      );
      const cursors = appended.map((e) => e.cursor);
      expect(new Set(cursors).size).toBe(25);
      const listed = await feed.listAfter(0, 100);
      expect(listed.map((e) => e.cursor)).toEqual([...cursors].sort((x, y) => x - y));
    });

    it('deletes events that expired before the cutoff and never reuses their cursors', async () => {
      const feed = ctx.storage().revocations;
      const a = await feed.append({ type: 'session', sid: 's1', at: 1_000, expiresAt: 2_000 });
      const b = await feed.append({ type: 'session', sid: 's2', at: 1_000, expiresAt: 3_000 });
      expect(await feed.deleteExpired(3_000)).toBe(1);
      expect(await feed.listAfter(0, 10)).toEqual([b]);
      expect(await feed.deleteExpired(10_000)).toBe(1);
      expect(await feed.latestCursor()).toBe(b.cursor); // the highest cursor ever handed out
      const c = await feed.append({ type: 'token', jti: 'j', at: 4_000, expiresAt: 9_000 });
      expect(c.cursor).toBeGreaterThan(b.cursor);
      expect(c.cursor).toBeGreaterThan(a.cursor);
    });
  });
}
