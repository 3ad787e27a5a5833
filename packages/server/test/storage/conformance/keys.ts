import { describe, expect, it } from 'vitest';
import { type Ctx, signingKey } from './fixtures.js';

export function keyTests(ctx: Ctx): void {
  describe('keys', () => {
    it('creates, gets, lists oldest first, deletes; rejects a duplicate kid', async () => {
      const keys = ctx.storage().keys;
      const k2 = signingKey('k2', { createdAt: 2_000 });
      const k1 = signingKey('k1', { state: 'current', activatedAt: 1_000 });
      await keys.create(k2);
      await keys.create(k1);
      expect(await keys.get('k1')).toEqual(k1);
      expect(await keys.get('nope')).toBeUndefined();
      expect(await keys.list()).toEqual([k1, k2]);
      await expect(keys.create(signingKey('k1'))).rejects.toMatchObject({ code: 'ERR_STORAGE_CONFLICT' });
      expect(await keys.delete('k2')).toBe(true);
      expect(await keys.delete('k2')).toBe(false);
      expect(await keys.list()).toEqual([k1]);
    });

    it('refuses a second current key', async () => {
      const keys = ctx.storage().keys;
      await keys.create(signingKey('k1', { state: 'current' }));
      await expect(keys.create(signingKey('k2', { state: 'current' }))).rejects.toMatchObject({
        code: 'ERR_STORAGE_CONFLICT',
      });
    });

    it('promotes the first key when there is no current key yet', async () => {
      const keys = ctx.storage().keys;
      await keys.create(signingKey('k1'));
      await keys.promote('k1', null, 5_000, 9_000);
      expect(await keys.get('k1')).toMatchObject({ state: 'current', activatedAt: 5_000, retiredAt: null });
    });

    it('retires the current key and promotes the next one', async () => {
      const keys = ctx.storage().keys;
      await keys.create(signingKey('k1', { state: 'current', activatedAt: 1_000 }));
      await keys.create(signingKey('k2', { createdAt: 2_000 }));
      await keys.promote('k2', 'k1', 5_000, 9_000);
      expect(await keys.get('k1')).toEqual(
        signingKey('k1', { state: 'retired', activatedAt: 1_000, retiredAt: 5_000, removeAfter: 9_000 }),
      );
      expect(await keys.get('k2')).toEqual(
        signingKey('k2', { createdAt: 2_000, state: 'current', activatedAt: 5_000 }),
      );
    });

    it('fails with ERR_STORAGE_CONFLICT and changes nothing when the expected current key is stale', async () => {
      const keys = ctx.storage().keys;
      await keys.create(signingKey('k1', { state: 'retired' }));
      await keys.create(signingKey('k2', { state: 'current' }));
      await keys.create(signingKey('k3'));
      const before = await keys.list();
      await expect(keys.promote('k3', 'k1', 5_000, 9_000)).rejects.toMatchObject({
        code: 'ERR_STORAGE_CONFLICT',
      });
      await expect(keys.promote('k3', null, 5_000, 9_000)).rejects.toMatchObject({
        code: 'ERR_STORAGE_CONFLICT',
      });
      expect(await keys.list()).toEqual(before);
    });

    it('fails with ERR_STORAGE_CONFLICT when the next key is missing or not in state next', async () => {
      const keys = ctx.storage().keys;
      await keys.create(signingKey('k1', { state: 'current' }));
      await keys.create(signingKey('old', { state: 'retired' }));
      const before = await keys.list();
      await expect(keys.promote('missing', 'k1', 5_000, 9_000)).rejects.toMatchObject({
        code: 'ERR_STORAGE_CONFLICT',
      });
      await expect(keys.promote('old', 'k1', 5_000, 9_000)).rejects.toMatchObject({
        code: 'ERR_STORAGE_CONFLICT',
      });
      expect(await keys.list()).toEqual(before);
    });

    it('lets one of two racing rotations win', async () => {
      const keys = ctx.storage().keys;
      await keys.create(signingKey('k1', { state: 'current' }));
      await keys.create(signingKey('k2'));
      await keys.create(signingKey('k3'));
      const results = await Promise.allSettled([
        keys.promote('k2', 'k1', 5_000, 9_000),
        keys.promote('k3', 'k1', 5_000, 9_000),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const rejected = results.find((r) => r.status === 'rejected');
      expect(rejected?.status === 'rejected' && rejected.reason).toMatchObject({
        code: 'ERR_STORAGE_CONFLICT',
      });
      expect((await keys.list()).filter((k) => k.state === 'current')).toHaveLength(1);
    });
  });
}
