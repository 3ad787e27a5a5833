import { describe, expect, it } from 'vitest';
import { type Ctx, totp, user } from './fixtures.js';

export function totpTests(ctx: Ctx, concurrency: number): void {
  describe('totp', () => {
    const enrolled = async () => {
      const s = ctx.storage();
      await s.users.create(user('u1'));
      return s.totp;
    };

    it('puts, gets and replaces the one record of a user', async () => {
      const store = await enrolled();
      expect(await store.get('u1')).toBeUndefined();
      await store.put(totp('u1'));
      expect(await store.get('u1')).toEqual(totp('u1'));
      // Enrolment started again: the new secret replaces the old one, confirmed or not.
      expect(await store.confirm('u1', 2_000, 100)).toBe(true);
      const restarted = totp('u1', { secretSealed: 'sealed-2', createdAt: 3_000 });
      await store.put(restarted);
      expect(await store.get('u1')).toEqual(restarted);
      expect(await store.get('u2')).toBeUndefined();
    });

    it('confirms only while pending, recording the step of the code that confirmed it', async () => {
      const store = await enrolled();
      expect(await store.confirm('u1', 2_000, 100)).toBe(false); // nothing to confirm
      await store.put(totp('u1'));
      expect(await store.confirm('u1', 2_000, 100)).toBe(true);
      expect(await store.get('u1')).toEqual(totp('u1', { confirmedAt: 2_000, lastUsedStep: 100 }));
      expect(await store.confirm('u1', 3_000, 200)).toBe(false);
      expect(await store.get('u1')).toMatchObject({ confirmedAt: 2_000, lastUsedStep: 100 });
    });

    it('accepts a step only after the last one used, and only once confirmed', async () => {
      const store = await enrolled();
      expect(await store.useStep('u1', 100)).toBe(false); // no record
      await store.put(totp('u1'));
      expect(await store.useStep('u1', 100)).toBe(false); // pending
      await store.confirm('u1', 2_000, 100);
      expect(await store.useStep('u1', 100)).toBe(false); // the confirming code's step: a replay
      expect(await store.useStep('u1', 99)).toBe(false);
      expect(await store.useStep('u1', 101)).toBe(true);
      expect(await store.useStep('u1', 101)).toBe(false);
      expect(await store.useStep('u1', 105)).toBe(true);
      expect(await store.useStep('u1', 103)).toBe(false); // earlier than the last used one
      expect(await store.get('u1')).toMatchObject({ lastUsedStep: 105 });
    });

    it('a confirmed record put with no step used accepts its first step', async () => {
      const store = await enrolled();
      await store.put(totp('u1', { confirmedAt: 2_000, lastUsedStep: null }));
      expect(await store.useStep('u1', 1)).toBe(true);
      expect(await store.get('u1')).toMatchObject({ lastUsedStep: 1 });
    });

    it('deletes, returning whether there was a record', async () => {
      const store = await enrolled();
      await store.put(totp('u1'));
      expect(await store.delete('u1')).toBe(true);
      expect(await store.delete('u1')).toBe(false);
      expect(await store.get('u1')).toBeUndefined();
      expect(await store.useStep('u1', 500)).toBe(false);
    });

    it(`lets exactly one of ${concurrency} concurrent uses of one step win`, async () => {
      const store = await enrolled();
      await store.put(totp('u1', { confirmedAt: 2_000, lastUsedStep: 100 }));
      const results = await Promise.all(Array.from({ length: concurrency }, () => store.useStep('u1', 101)));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await store.get('u1')).toMatchObject({ lastUsedStep: 101 });
    });

    it(`keeps the highest of ${concurrency} concurrent steps, which always wins`, async () => {
      const store = await enrolled();
      await store.put(totp('u1', { confirmedAt: 2_000, lastUsedStep: 100 }));
      // Distinct steps, neither ascending nor descending in call order.
      const steps = Array.from({ length: concurrency }, (_, i) => (i % 2 ? 101 + i : 101 + concurrency + i));
      const results = await Promise.all(steps.map((step) => store.useStep('u1', step)));
      const highest = Math.max(...steps);
      expect(results[steps.indexOf(highest)]).toBe(true);
      expect(await store.get('u1')).toMatchObject({ lastUsedStep: highest });
    });

    it(`lets exactly one of ${concurrency} concurrent confirmations win`, async () => {
      const store = await enrolled();
      await store.put(totp('u1'));
      const results = await Promise.all(
        Array.from({ length: concurrency }, (_, i) => store.confirm('u1', 2_000 + i, 100 + i)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const won = results.indexOf(true);
      expect(await store.get('u1')).toMatchObject({ confirmedAt: 2_000 + won, lastUsedStep: 100 + won });
    });
  });
}
