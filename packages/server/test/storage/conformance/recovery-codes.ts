import { describe, expect, it } from 'vitest';
import { type Ctx, hash, user } from './fixtures.js';

const codes = (label: string, n = 10) => Array.from({ length: n }, (_, i) => hash(`${label}-${i}`));

export function recoveryCodeTests(ctx: Ctx, concurrency: number): void {
  describe('recoveryCodes', () => {
    const store = async () => {
      const s = ctx.storage();
      await s.users.create(user('u1', { username: 'alice' }));
      await s.users.create(user('u2', { username: 'bob' }));
      return s.recoveryCodes;
    };

    it('replaces a user’s codes: the old ones, used or not, are gone', async () => {
      const rc = await store();
      expect(await rc.countUnused('u1')).toBe(0);
      await rc.replace('u1', codes('first'), 1_000);
      await rc.replace('u2', codes('bob', 3), 1_000);
      expect(await rc.countUnused('u1')).toBe(10);
      expect(await rc.consume('u1', hash('first-0'), 2_000)).toBe(true);
      expect(await rc.countUnused('u1')).toBe(9);
      await rc.replace('u1', codes('second', 4), 3_000);
      expect(await rc.countUnused('u1')).toBe(4);
      expect(await rc.consume('u1', hash('first-1'), 4_000)).toBe(false);
      expect(await rc.consume('u1', hash('second-1'), 4_000)).toBe(true);
      expect(await rc.countUnused('u2')).toBe(3);
      await rc.replace('u1', [], 5_000);
      expect(await rc.countUnused('u1')).toBe(0);
    });

    it('consumes a code once, only for its own user', async () => {
      const rc = await store();
      await rc.replace('u1', codes('a', 2), 1_000);
      await rc.replace('u2', codes('b', 2), 1_000);
      expect(await rc.consume('u2', hash('a-0'), 2_000)).toBe(false); // another user's code
      expect(await rc.consume('u1', hash('a-0'), 2_000)).toBe(true);
      expect(await rc.consume('u1', hash('a-0'), 2_001)).toBe(false);
      expect(await rc.consume('u1', hash('unknown'), 2_000)).toBe(false);
      expect(await rc.countUnused('u1')).toBe(1);
      expect(await rc.countUnused('u2')).toBe(2);
    });

    it('refuses a replacement with a duplicate hash and keeps the old codes', async () => {
      const rc = await store();
      await rc.replace('u1', codes('old', 3), 1_000);
      await expect(rc.replace('u1', [hash('x'), hash('y'), hash('x')], 2_000)).rejects.toMatchObject({
        code: 'ERR_STORAGE_CONFLICT',
      });
      expect(await rc.countUnused('u1')).toBe(3);
      expect(await rc.consume('u1', hash('old-0'), 3_000)).toBe(true);
      expect(await rc.consume('u1', hash('y'), 3_000)).toBe(false);
    });

    it('deletes every code of a user, used or not', async () => {
      const rc = await store();
      await rc.replace('u1', codes('a', 3), 1_000);
      await rc.replace('u2', codes('b', 2), 1_000);
      await rc.consume('u1', hash('a-0'), 2_000);
      expect(await rc.deleteByUser('u1')).toBe(3);
      expect(await rc.deleteByUser('u1')).toBe(0);
      expect(await rc.consume('u1', hash('a-1'), 3_000)).toBe(false);
      expect(await rc.countUnused('u2')).toBe(2);
    });

    it(`lets exactly one of ${concurrency} concurrent consumes of one code win`, async () => {
      const rc = await store();
      await rc.replace('u1', codes('race', 2), 1_000);
      const results = await Promise.all(
        Array.from({ length: concurrency }, (_, i) => rc.consume('u1', hash('race-0'), 2_000 + i)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await rc.countUnused('u1')).toBe(1);
    });

    it(`leaves exactly one set after ${concurrency} concurrent replacements`, async () => {
      const rc = await store();
      await rc.replace('u1', codes('before', 10), 1_000);
      await Promise.all(
        Array.from({ length: concurrency }, (_, i) => rc.replace('u1', codes(`set${i}`, 3), 2_000 + i)),
      );
      expect(await rc.countUnused('u1')).toBe(3);
      // The surviving set is whole: its three codes all work, and no other set's code does.
      const winners: number[] = [];
      for (let i = 0; i < concurrency; i += 1) {
        if (await rc.consume('u1', hash(`set${i}-0`), 3_000)) winners.push(i);
      }
      expect(winners).toHaveLength(1);
      const [won] = winners;
      expect(await rc.consume('u1', hash(`set${won}-1`), 3_000)).toBe(true);
      expect(await rc.consume('u1', hash(`set${won}-2`), 3_000)).toBe(true);
      expect(await rc.consume('u1', hash('before-0'), 3_000)).toBe(false);
    });
  });
}
