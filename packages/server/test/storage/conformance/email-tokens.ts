import { describe, expect, it } from 'vitest';
import type { EmailTokenRecord } from '../../../src/storage/index.js';
import { type Ctx, emailToken, hash, user } from './fixtures.js';

export function emailTokenTests(ctx: Ctx, concurrency: number): void {
  describe('emailTokens', () => {
    const store = async () => {
      const s = ctx.storage();
      await s.users.create(user('u1', { username: 'alice' }));
      await s.users.create(user('u2', { username: 'bob' }));
      return s.emailTokens;
    };

    it('consumes a token once, returning the record with its consumption time', async () => {
      const et = await store();
      await et.create(emailToken(hash('t1')));
      expect(await et.consume(hash('t1'), 'password_reset', 2_000)).toEqual(
        emailToken(hash('t1'), { consumedAt: 2_000 }),
      );
      expect(await et.consume(hash('t1'), 'password_reset', 2_001)).toBeUndefined();
      expect(await et.consume(hash('unknown'), 'password_reset', 2_000)).toBeUndefined();
    });

    it('rejects a duplicate hash', async () => {
      const et = await store();
      await et.create(emailToken(hash('t1')));
      await expect(et.create(emailToken(hash('t1'), { userId: 'u2' }))).rejects.toMatchObject({
        code: 'ERR_STORAGE_CONFLICT',
      });
      expect(await et.consume(hash('t1'), 'password_reset', 2_000)).toMatchObject({ userId: 'u1' });
    });

    it('refuses a token at and after its expiry, and a token of another kind, leaving it unused', async () => {
      const et = await store();
      await et.create(emailToken(hash('t1'), { expiresAt: 5_000 }));
      await et.create(emailToken(hash('v1'), { kind: 'email_verify', email: 'new@example.com' }));
      expect(await et.consume(hash('t1'), 'password_reset', 5_000)).toBeUndefined();
      expect(await et.consume(hash('t1'), 'email_verify', 4_000)).toBeUndefined();
      expect(await et.consume(hash('v1'), 'password_reset', 4_000)).toBeUndefined();
      expect(await et.consume(hash('t1'), 'password_reset', 4_999)).toMatchObject({ consumedAt: 4_999 });
      expect(await et.consume(hash('v1'), 'email_verify', 4_000)).toMatchObject({
        kind: 'email_verify',
        email: 'new@example.com',
      });
    });

    it('deletes a user’s tokens of one kind only', async () => {
      const et = await store();
      await et.create(emailToken(hash('r1')));
      await et.create(emailToken(hash('r2')));
      await et.create(emailToken(hash('v1'), { kind: 'email_verify' }));
      await et.create(emailToken(hash('r3'), { userId: 'u2' }));
      expect(await et.deleteByUser('u1', 'password_reset')).toBe(2);
      expect(await et.deleteByUser('u1', 'password_reset')).toBe(0);
      expect(await et.consume(hash('r1'), 'password_reset', 2_000)).toBeUndefined();
      expect(await et.consume(hash('v1'), 'email_verify', 2_000)).toBeDefined();
      expect(await et.consume(hash('r3'), 'password_reset', 2_000)).toBeDefined();
    });

    it('deleteExpired removes tokens past their expiry, consumed or not, in batches', async () => {
      const et = await store();
      for (let i = 0; i < 5; i += 1) await et.create(emailToken(hash(`old-${i}`), { expiresAt: 2_000 + i }));
      await et.create(emailToken(hash('live'), { expiresAt: 9_000 }));
      expect(await et.consume(hash('old-0'), 'password_reset', 1_500)).toBeDefined();
      expect(await et.deleteExpired(2_004, { batchSize: 2 })).toBe(4);
      expect(await et.consume(hash('old-4'), 'password_reset', 2_003)).toBeDefined(); // expires at 2_004: kept
      expect(await et.deleteExpired(10_000)).toBe(2);
      expect(await et.consume(hash('live'), 'password_reset', 2_000)).toBeUndefined();
    });

    it(`lets exactly one of ${concurrency} concurrent consumes of one token win`, async () => {
      const et = await store();
      await et.create(emailToken(hash('race')));
      const results = await Promise.all(
        Array.from({ length: concurrency }, (_, i) => et.consume(hash('race'), 'password_reset', 2_000 + i)),
      );
      const winners = results.filter((r): r is EmailTokenRecord => r !== undefined);
      expect(winners).toHaveLength(1);
      expect(winners[0]).toMatchObject({ hash: hash('race'), userId: 'u1' });
    });
  });
}
