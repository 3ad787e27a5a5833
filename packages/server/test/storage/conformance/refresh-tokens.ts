import { describe, expect, it } from 'vitest';
import type { ConsumeResult } from '../../../src/storage/index.js';
import { type Ctx, hash, refreshToken, session } from './fixtures.js';

export function refreshTokenTests(ctx: Ctx, concurrency: number): void {
  describe('refreshTokens', () => {
    it('creates and gets; rejects a duplicate hash', async () => {
      const tokens = ctx.storage().refreshTokens;
      const t = refreshToken(hash('t1'));
      await tokens.create(t);
      expect(await tokens.get(hash('t1'))).toEqual(t);
      expect(await tokens.get(hash('missing'))).toBeUndefined();
      await expect(tokens.create(refreshToken(hash('t1')))).rejects.toMatchObject({
        code: 'ERR_STORAGE_CONFLICT',
      });
    });

    it('consumes once, then reports already_used with the successor; unknown is not_found', async () => {
      const tokens = ctx.storage().refreshTokens;
      await tokens.create(refreshToken(hash('t1')));
      const successor = { hash: hash('t2'), sealed: 'sealed-successor' };
      const used = { usedAt: 2_000, replacedBy: hash('t2'), successorSealed: 'sealed-successor' };
      expect(await tokens.consume(hash('t1'), 2_000, successor)).toEqual({
        status: 'consumed',
        token: refreshToken(hash('t1'), used),
      });
      expect(await tokens.consume(hash('t1'), 3_000, { hash: hash('t3'), sealed: null })).toEqual({
        status: 'already_used',
        token: refreshToken(hash('t1'), used),
      });
      expect(await tokens.consume(hash('missing'), 3_000, successor)).toEqual({ status: 'not_found' });
    });

    it(`lets exactly one of ${concurrency} concurrent consumes win`, async () => {
      const tokens = ctx.storage().refreshTokens;
      await tokens.create(refreshToken(hash('race')));
      const results: ConsumeResult[] = await Promise.all(
        Array.from({ length: concurrency }, (_, i) =>
          tokens.consume(hash('race'), 2_000 + i, { hash: hash(`succ-${i}`), sealed: `sealed-${i}` }),
        ),
      );
      const winners = results.filter((r) => r.status === 'consumed');
      const losers = results.filter((r) => r.status === 'already_used');
      expect(winners).toHaveLength(1);
      expect(losers).toHaveLength(concurrency - 1);
      const won = winners[0]?.status === 'consumed' ? winners[0].token : undefined;
      expect(won?.replacedBy).toMatch(/^[0-9a-f]+$/);
      for (const loser of losers) {
        // Every loser sees the winner's successor, so the grace window can hand it out again.
        expect(loser.status === 'already_used' && loser.token).toMatchObject({
          usedAt: won?.usedAt,
          replacedBy: won?.replacedBy,
          successorSealed: won?.successorSealed,
        });
      }
      expect(await tokens.get(hash('race'))).toEqual(won);
    });

    it('consume with a successor record creates it in the same step, for the winner only', async () => {
      const tokens = ctx.storage().refreshTokens;
      await tokens.create(refreshToken(hash('p1')));
      const next = refreshToken(hash('p2'), { createdAt: 2_000 });
      const result = await tokens.consume(hash('p1'), 2_000, { hash: hash('p2'), sealed: 's', record: next });
      expect(result.status).toBe('consumed');
      expect(await tokens.get(hash('p2'))).toEqual(next);
      const again = await tokens.consume(hash('p1'), 3_000, {
        hash: hash('p3'),
        sealed: null,
        record: refreshToken(hash('p3')),
      });
      expect(again.status).toBe('already_used');
      expect(await tokens.get(hash('p3'))).toBeUndefined();
      const missing = await tokens.consume(hash('nope'), 3_000, {
        hash: hash('p4'),
        sealed: null,
        record: refreshToken(hash('p4')),
      });
      expect(missing).toEqual({ status: 'not_found' });
      expect(await tokens.get(hash('p4'))).toBeUndefined();
    });

    it('a duplicate successor hash is a conflict and leaves the token unconsumed', async () => {
      const tokens = ctx.storage().refreshTokens;
      await tokens.create(refreshToken(hash('q1')));
      await tokens.create(refreshToken(hash('taken')));
      await expect(
        tokens.consume(hash('q1'), 2_000, {
          hash: hash('taken'),
          sealed: null,
          record: refreshToken(hash('taken')),
        }),
      ).rejects.toMatchObject({ code: 'ERR_STORAGE_CONFLICT' });
      expect(await tokens.get(hash('q1'))).toEqual(refreshToken(hash('q1')));
    });

    it(`of ${concurrency} concurrent consumes with successor records, only the winner's successor exists`, async () => {
      const tokens = ctx.storage().refreshTokens;
      await tokens.create(refreshToken(hash('race2')));
      const results: ConsumeResult[] = await Promise.all(
        Array.from({ length: concurrency }, (_, i) =>
          tokens.consume(hash('race2'), 2_000 + i, {
            hash: hash(`next-${i}`),
            sealed: `sealed-${i}`,
            record: refreshToken(hash(`next-${i}`)),
          }),
        ),
      );
      const winners = results.filter((r) => r.status === 'consumed');
      expect(winners).toHaveLength(1);
      const created = await Promise.all(
        Array.from({ length: concurrency }, (_, i) => tokens.get(hash(`next-${i}`))),
      );
      const existing = created.filter((t) => t !== undefined);
      expect(existing).toHaveLength(1);
      expect(existing[0]?.hash).toBe(
        winners[0]?.status === 'consumed' ? winners[0].token.replacedBy : 'none',
      );
    });

    it('clears sealed successors of tokens used before the cutoff only', async () => {
      const tokens = ctx.storage().refreshTokens;
      await tokens.create(refreshToken(hash('old')));
      await tokens.create(refreshToken(hash('recent')));
      await tokens.create(refreshToken(hash('unused')));
      await tokens.consume(hash('old'), 1_000, { hash: hash('old2'), sealed: 'sealed-old' });
      await tokens.consume(hash('recent'), 5_000, { hash: hash('recent2'), sealed: 'sealed-recent' });
      expect(await tokens.clearSealedBefore(5_000)).toBe(1);
      expect(await tokens.get(hash('old'))).toMatchObject({
        successorSealed: null,
        replacedBy: hash('old2'),
      });
      expect(await tokens.get(hash('recent'))).toMatchObject({ successorSealed: 'sealed-recent' });
      expect(await tokens.clearSealedBefore(5_000)).toBe(0);
      expect(await tokens.clearSealedBefore(10_000)).toBe(1);
    });

    it('deletes by session', async () => {
      const { refreshTokens: tokens, sessions } = ctx.storage();
      await sessions.create(session('s1'));
      await tokens.create(refreshToken(hash('a'), { sessionId: 's1' }));
      await tokens.create(refreshToken(hash('b'), { sessionId: 's1' }));
      await tokens.create(refreshToken(hash('c'), { sessionId: 's2' }));
      expect(await tokens.deleteBySession('s1')).toBe(2);
      expect(await tokens.get(hash('a'))).toBeUndefined();
      expect(await tokens.get(hash('c'))).toBeDefined();
      expect(await tokens.deleteBySession('s1')).toBe(0);
      expect(await sessions.get('s1')).toBeDefined(); // only tokens go
    });

    it('deletes tokens whose idle expiry is before the cutoff (exclusive)', async () => {
      const tokens = ctx.storage().refreshTokens;
      await tokens.create(refreshToken(hash('a'), { expiresAt: 1_000 }));
      await tokens.create(refreshToken(hash('b'), { expiresAt: 2_000 }));
      await tokens.create(refreshToken(hash('c'), { expiresAt: 3_000 }));
      expect(await tokens.deleteExpired(2_000)).toBe(1);
      expect(await tokens.get(hash('a'))).toBeUndefined();
      expect(await tokens.get(hash('b'))).toBeDefined();
      expect(await tokens.deleteExpired(10_000)).toBe(2);
    });

    it('deletes used tokens used before the cutoff (exclusive), a batch at a time, never an unused one', async () => {
      const tokens = ctx.storage().refreshTokens;
      for (let i = 0; i < 5; i++) {
        await tokens.create(refreshToken(hash(`used${i}`), { expiresAt: 9_000 }));
        await tokens.consume(hash(`used${i}`), 1_000 + i, {
          hash: hash(`next${i}`),
          sealed: `sealed-${i}`,
          record: refreshToken(hash(`next${i}`), { createdAt: 1_000 + i, expiresAt: 9_000 }),
        });
      }
      // Current tokens, one of them long past its idle expiry: only deleteExpired takes those.
      await tokens.create(refreshToken(hash('stale'), { expiresAt: 10 }));
      expect(await tokens.deleteUsedBefore(1_004, { batchSize: 2 })).toBe(4);
      for (let i = 0; i < 4; i++) expect(await tokens.get(hash(`used${i}`))).toBeUndefined();
      expect(await tokens.get(hash('used4'))).toMatchObject({ usedAt: 1_004 });
      expect(await tokens.deleteUsedBefore(1_004)).toBe(0);
      expect(await tokens.deleteUsedBefore(9e12)).toBe(1);
      for (let i = 0; i < 5; i++) expect(await tokens.get(hash(`next${i}`))).toMatchObject({ usedAt: null });
      expect(await tokens.get(hash('stale'))).toBeDefined();
    });
  });
}
