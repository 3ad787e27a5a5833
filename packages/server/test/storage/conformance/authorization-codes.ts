import { describe, expect, it } from 'vitest';
import type { CodeConsumeResult } from '../../../src/storage/index.js';
import { authorizationCode, type Ctx, hash } from './fixtures.js';

const unused = { consumedAt: null, issuedSessionId: null, replayedAt: null };

export function authorizationCodeTests(ctx: Ctx, concurrency: number): void {
  describe('authorizationCodes', () => {
    it('creates and gets by hash; rejects a duplicate hash', async () => {
      const codes = ctx.storage().authorizationCodes;
      await codes.create(authorizationCode(hash('c1')));
      await codes.create(authorizationCode(hash('c2'), { nonce: null, dpopJkt: 'jkt', amr: [] }));
      expect(await codes.get(hash('c1'))).toEqual({ ...authorizationCode(hash('c1')), ...unused });
      expect(await codes.get(hash('c2'))).toMatchObject({ nonce: null, dpopJkt: 'jkt', amr: [] });
      expect(await codes.get(hash('missing'))).toBeUndefined();
      await expect(codes.create(authorizationCode(hash('c1')))).rejects.toMatchObject({
        code: 'ERR_STORAGE_CONFLICT',
      });
    });

    it('consumes once; later calls are replays carrying the record; unknown is missing', async () => {
      const codes = ctx.storage().authorizationCodes;
      await codes.create(authorizationCode(hash('c1')));
      const first = await codes.consume(hash('c1'), 2_000);
      expect(first).toEqual({
        status: 'ok',
        record: { ...authorizationCode(hash('c1')), ...unused, consumedAt: 2_000 },
      });
      const replay = await codes.consume(hash('c1'), 3_000);
      expect(replay).toEqual({
        status: 'replayed',
        record: { ...authorizationCode(hash('c1')), ...unused, consumedAt: 2_000, replayedAt: 3_000 },
      });
      // The first replay's time stays; a replay after the expiry is still a replay.
      const late = await codes.consume(hash('c1'), 100_000);
      expect(late).toMatchObject({ status: 'replayed', record: { consumedAt: 2_000, replayedAt: 3_000 } });
      expect(await codes.consume(hash('missing'), 2_000)).toEqual({ status: 'missing' });
    });

    it('refuses an unused code at and after its expiry, leaving it unused', async () => {
      const codes = ctx.storage().authorizationCodes;
      await codes.create(authorizationCode(hash('c1'), { expiresAt: 5_000 }));
      expect(await codes.consume(hash('c1'), 5_000)).toEqual({ status: 'expired' });
      expect(await codes.consume(hash('c1'), 9_000)).toEqual({ status: 'expired' });
      expect(await codes.get(hash('c1'))).toMatchObject(unused);
      await codes.create(authorizationCode(hash('c2'), { expiresAt: 5_000 }));
      expect((await codes.consume(hash('c2'), 4_999)).status).toBe('ok');
    });

    it('markIssued records the session, which a later replay returns', async () => {
      const codes = ctx.storage().authorizationCodes;
      await codes.create(authorizationCode(hash('c1')));
      expect(await codes.markIssued(hash('c1'), 'sess-1')).toBe('missing'); // not consumed yet
      expect(await codes.markIssued(hash('nope'), 'sess-1')).toBe('missing');
      expect((await codes.consume(hash('c1'), 2_000)).status).toBe('ok');
      expect(await codes.markIssued(hash('c1'), 'sess-1')).toBe('ok');
      expect(await codes.consume(hash('c1'), 3_000)).toMatchObject({
        status: 'replayed',
        record: { issuedSessionId: 'sess-1', replayedAt: 3_000 },
      });
    });

    it('markIssued after a replay says so, so the exchange revokes what it just issued', async () => {
      const codes = ctx.storage().authorizationCodes;
      await codes.create(authorizationCode(hash('c1')));
      expect((await codes.consume(hash('c1'), 2_000)).status).toBe('ok');
      expect(await codes.consume(hash('c1'), 2_001)).toMatchObject({
        status: 'replayed',
        record: { issuedSessionId: null },
      });
      expect(await codes.markIssued(hash('c1'), 'sess-1')).toBe('replayed');
      expect(await codes.get(hash('c1'))).toMatchObject({ issuedSessionId: 'sess-1', replayedAt: 2_001 });
    });

    it(`lets exactly one of ${concurrency} concurrent consumes win; the rest are replays`, async () => {
      const codes = ctx.storage().authorizationCodes;
      await codes.create(authorizationCode(hash('race')));
      const results: CodeConsumeResult[] = await Promise.all(
        Array.from({ length: concurrency }, (_, i) => codes.consume(hash('race'), 2_000 + i)),
      );
      const winners = results.filter((r) => r.status === 'ok');
      const replays = results.filter((r) => r.status === 'replayed');
      expect(winners).toHaveLength(1);
      expect(replays).toHaveLength(concurrency - 1);
      const won = winners[0]?.status === 'ok' ? winners[0].record : undefined;
      for (const r of replays) {
        expect(r.status === 'replayed' && r.record).toMatchObject({
          codeHash: hash('race'),
          consumedAt: won?.consumedAt,
        });
      }
    });

    it('deleteByClient and deleteByUser remove exactly the codes of that client or user', async () => {
      const codes = ctx.storage().authorizationCodes;
      await codes.create(authorizationCode(hash('a1')));
      await codes.create(authorizationCode(hash('a2'), { clientId: 'other' }));
      await codes.create(authorizationCode(hash('a3'), { userId: 'u2' }));
      await codes.consume(hash('a1'), 2_000);
      expect(await codes.deleteByClient('spa')).toBe(2);
      expect(await codes.get(hash('a1'))).toBeUndefined();
      expect(await codes.get(hash('a3'))).toBeUndefined();
      expect(await codes.get(hash('a2'))).toBeDefined();
      expect(await codes.deleteByUser('u1')).toBe(1);
      expect(await codes.get(hash('a2'))).toBeUndefined();
      expect(await codes.deleteByUser('u1')).toBe(0);
    });

    it('deleteExpired removes codes past their expiry, used or not, in batches', async () => {
      const codes = ctx.storage().authorizationCodes;
      for (let i = 0; i < 5; i += 1) {
        await codes.create(authorizationCode(hash(`old-${i}`), { expiresAt: 2_000 + i }));
      }
      await codes.create(authorizationCode(hash('live'), { expiresAt: 9_000 }));
      expect((await codes.consume(hash('old-0'), 1_500)).status).toBe('ok');
      expect(await codes.deleteExpired(2_004, { batchSize: 2 })).toBe(4);
      expect(await codes.get(hash('old-4'))).toBeDefined(); // expires at 2_004: not before it
      expect(await codes.get(hash('old-0'))).toBeUndefined();
      expect(await codes.deleteExpired(10_000)).toBe(2);
      expect(await codes.consume(hash('live'), 2_000)).toEqual({ status: 'missing' });
    });
  });
}
