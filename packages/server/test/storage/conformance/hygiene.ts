import { describe, expect, it } from 'vitest';
import type { ListCursor } from '../../../src/storage/index.js';
import { auditEvent, type Ctx, client, hash, refreshToken, session, user } from './fixtures.js';

/** Reads every page of `list` with `limit` rows each, following the last row's cursor. */
async function allPages<T extends { createdAt: number }>(
  list: (opts: { limit: number; after?: ListCursor }) => Promise<T[]>,
  key: (row: T) => string,
  limit: number,
): Promise<T[][]> {
  const pages: T[][] = [];
  let after: ListCursor | undefined;
  for (;;) {
    const page = await list({ limit, ...(after ? { after } : {}) });
    pages.push(page);
    const last = page.at(-1);
    if (page.length < limit || last === undefined) return pages;
    after = { createdAt: last.createdAt, key: key(last) };
  }
}

// Creation times with ties, so the unique key has to break them; ids out of creation order.
const TIMES: Array<[string, number]> = [
  ['m', 2],
  ['b', 1],
  ['z', 1],
  ['a', 3],
  ['k', 2],
  ['c', 2],
  ['y', 3],
];
const OLDEST_FIRST = ['b', 'z', 'c', 'k', 'm', 'a', 'y'];

/** Keyset paging, batched pruning and the maintenance lock. */
export function hygieneTests(ctx: Ctx): void {
  describe('keyset paging', () => {
    it('pages users, clients, audiences and roles oldest first by (createdAt, key), ties included', async () => {
      const s = ctx.storage();
      for (const [id, createdAt] of TIMES) {
        await s.users.create(user(id, { username: `user-${id}`, createdAt }));
        await s.clients.create(client(id, { createdAt }));
        await s.audiences.upsert({ id, name: id, scopes: [], uri: null, createdAt });
        await s.roles.upsert({ name: id, scopes: [], createdAt });
      }
      const lists = [
        [(o: { limit: number; after?: ListCursor }) => s.users.list(o), (u: { id: string }) => u.id],
        [(o: { limit: number; after?: ListCursor }) => s.clients.list(o), (c: { id: string }) => c.id],
        [(o: { limit: number; after?: ListCursor }) => s.audiences.list(o), (a: { id: string }) => a.id],
        [(o: { limit: number; after?: ListCursor }) => s.roles.list(o), (r: { name: string }) => r.name],
      ] as const;
      for (const [list, key] of lists) {
        const keyOf = key as (row: unknown) => string;
        const pages = await allPages(list as never, keyOf, 3);
        expect(pages.map((p) => p.map(keyOf))).toEqual([['b', 'z', 'c'], ['k', 'm', 'a'], ['y']]);
        expect((await list({ limit: 100 })).map(keyOf)).toEqual(OLDEST_FIRST);
      }
      // A cursor is a position, not a row: deleting the row it came from shifts nothing.
      await s.users.delete('c');
      const after = { createdAt: 2, key: 'c' };
      expect((await s.users.list({ limit: 2, after })).map((u) => u.id)).toEqual(['k', 'm']);
      expect(await s.users.list({ after: { createdAt: 3, key: 'y' } })).toEqual([]);
    });

    it('pages live sessions newest first by (createdAt, id) descending', async () => {
      const { sessions } = ctx.storage();
      for (const [id, createdAt] of TIMES)
        await sessions.create(session(id, { createdAt, expiresAt: 10_000 }));
      await sessions.create(
        session('dead', { createdAt: 2, expiresAt: 10_000, revokedAt: 5, revokedReason: 'x' }),
      );
      const pages = await allPages(
        (o) => sessions.listActive({ ...o, now: 100 }),
        (r) => r.id,
        3,
      );
      expect(pages.map((p) => p.map((r) => r.id))).toEqual([['y', 'a', 'm'], ['k', 'c', 'z'], ['b']]);
    });
  });

  describe('pruning in batches', () => {
    it('deletes expired revocation events a batch at a time, all of them, none of the live', async () => {
      const feed = ctx.storage().revocations;
      for (let i = 0; i < 7; i++)
        await feed.append({ type: 'token', jti: `j${i}`, at: 1, expiresAt: 100 + i });
      const live = await feed.append({ type: 'token', jti: 'live', at: 1, expiresAt: 5_000 });
      expect(await feed.deleteExpired(1_000, { batchSize: 3 })).toBe(7);
      expect(await feed.listAfter(0, 100)).toEqual([live]);
      expect(await feed.deleteExpired(1_000, { batchSize: 3 })).toBe(0);
    });

    it('deletes expired refresh tokens and sessions (with their tokens) a batch at a time', async () => {
      const { sessions, refreshTokens } = ctx.storage();
      for (let i = 0; i < 5; i++) {
        await sessions.create(session(`gone${i}`, { expiresAt: 500 }));
        await refreshTokens.create(refreshToken(hash(`t${i}`), { sessionId: `gone${i}`, expiresAt: 400 }));
        await refreshTokens.create(
          refreshToken(hash(`late${i}`), { sessionId: `gone${i}`, expiresAt: 9_000 }),
        );
      }
      await sessions.create(session('live', { expiresAt: 9_000 }));
      await refreshTokens.create(refreshToken(hash('live'), { sessionId: 'live', expiresAt: 9_000 }));
      expect(await refreshTokens.deleteExpired(1_000, { batchSize: 2 })).toBe(5);
      expect(await sessions.deleteExpired(1_000, { batchSize: 2 })).toBe(5);
      for (let i = 0; i < 5; i++) {
        expect(await sessions.get(`gone${i}`)).toBeUndefined();
        expect(await refreshTokens.get(hash(`late${i}`))).toBeUndefined(); // went with its session
      }
      expect(await sessions.get('live')).toBeDefined();
      expect(await refreshTokens.get(hash('live'))).toBeDefined();
    });

    it('keeps a used refresh token after its grace window until its own expiry (reuse detection)', async () => {
      const tokens = ctx.storage().refreshTokens;
      await tokens.create(refreshToken(hash('old'), { expiresAt: 50_000 }));
      await tokens.consume(hash('old'), 1_000, { hash: hash('new'), sealed: 'sealed' });
      expect(await tokens.clearSealedBefore(20_000, { batchSize: 1 })).toBe(1);
      expect(await tokens.deleteExpired(20_000)).toBe(0);
      expect(await tokens.get(hash('old'))).toMatchObject({ usedAt: 1_000, successorSealed: null });
      expect(await tokens.deleteExpired(60_000)).toBe(1);
    });

    it('clears sealed successors a batch at a time', async () => {
      const tokens = ctx.storage().refreshTokens;
      for (let i = 0; i < 5; i++) {
        await tokens.create(refreshToken(hash(`u${i}`)));
        await tokens.consume(hash(`u${i}`), 1_000 + i, { hash: hash(`n${i}`), sealed: `s${i}` });
      }
      expect(await tokens.clearSealedBefore(1_003, { batchSize: 2 })).toBe(3);
      expect(await tokens.get(hash('u3'))).toMatchObject({ successorSealed: 's3' });
      expect(await tokens.get(hash('u2'))).toMatchObject({ successorSealed: null });
    });

    it('deletes audit events recorded before the cutoff a batch at a time', async () => {
      const audit = ctx.storage().audit;
      await audit.appendMany(Array.from({ length: 7 }, (_, i) => auditEvent(100 + i, 'login.success')));
      await audit.append(auditEvent(1_000, 'login.failure'));
      expect(await audit.deleteBefore(1_000, { batchSize: 3 })).toBe(7);
      expect((await audit.list({ limit: 100 })).map((e) => e.type)).toEqual(['login.failure']);
      expect(await audit.deleteBefore(1_000)).toBe(0);
    });
  });

  describe('maintenance lock', () => {
    it('runs fn once at a time per name, releases after fn and after a throw', async () => {
      const storage = ctx.storage();
      let release = () => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      let started = () => {};
      const running = new Promise<void>((resolve) => {
        started = resolve;
      });
      const first = storage.withMaintenanceLock('prune', async () => {
        started();
        await held;
      });
      await running;
      expect(await storage.withMaintenanceLock('prune', async () => {})).toBe(false);
      expect(await storage.withMaintenanceLock('other', async () => {})).toBe(true);
      release();
      expect(await first).toBe(true);
      await expect(
        storage.withMaintenanceLock('prune', async () => {
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      let ran = false;
      expect(
        await storage.withMaintenanceLock('prune', async () => {
          ran = true;
        }),
      ).toBe(true);
      expect(ran).toBe(true);
    });
  });
}
