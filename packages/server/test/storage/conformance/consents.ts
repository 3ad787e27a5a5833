import { describe, expect, it } from 'vitest';
import type { ConsentRecord } from '../../../src/storage/index.js';
import type { Ctx } from './fixtures.js';

function consent(userId: string, clientId: string, overrides: Partial<ConsentRecord> = {}): ConsentRecord {
  return {
    userId,
    clientId,
    scopes: ['openid', 'rooms:read'],
    audiences: ['rooms'],
    createdAt: 1_000,
    updatedAt: 1_000,
    ...overrides,
  };
}

export function consentTests(ctx: Ctx): void {
  describe('consents', () => {
    it('puts and gets per (user, client); unknown pairs are undefined', async () => {
      const consents = ctx.storage().consents;
      expect(await consents.put(consent('u1', 'app'))).toEqual(consent('u1', 'app'));
      await consents.put(consent('u1', 'other', { scopes: ['profile'] }));
      expect(await consents.get('u1', 'app')).toEqual(consent('u1', 'app'));
      expect(await consents.get('u1', 'other')).toMatchObject({ scopes: ['profile'] });
      expect(await consents.get('u2', 'app')).toBeUndefined();
      expect(await consents.get('u1', 'nope')).toBeUndefined();
    });

    it('merges by default (stored order first, createdAt kept) and replaces when asked', async () => {
      const consents = ctx.storage().consents;
      await consents.put(consent('u1', 'app'));
      const merged = await consents.put(
        consent('u1', 'app', {
          scopes: ['email', 'openid'],
          audiences: ['billing'],
          createdAt: 5_000,
          updatedAt: 5_000,
        }),
      );
      const expected = consent('u1', 'app', {
        scopes: ['openid', 'rooms:read', 'email'],
        audiences: ['rooms', 'billing'],
        createdAt: 1_000,
        updatedAt: 5_000,
      });
      expect(merged).toEqual(expected);
      expect(await consents.get('u1', 'app')).toEqual(expected);
      const replaced = await consents.put(
        consent('u1', 'app', { scopes: ['openid'], audiences: [], createdAt: 6_000, updatedAt: 6_000 }),
        { mode: 'replace' },
      );
      expect(replaced).toEqual(
        consent('u1', 'app', { scopes: ['openid'], audiences: [], createdAt: 1_000, updatedAt: 6_000 }),
      );
      expect(await consents.get('u1', 'app')).toEqual(replaced);
    });

    it('loses no scope when merges of one pair run concurrently', async () => {
      const consents = ctx.storage().consents;
      const n = 10;
      await Promise.all(
        Array.from({ length: n }, (_, i) =>
          consents.put(
            consent('u1', 'app', { scopes: [`s${i}`], audiences: [`a${i}`], updatedAt: 2_000 + i }),
          ),
        ),
      );
      const stored = await consents.get('u1', 'app');
      expect([...(stored?.scopes ?? [])].sort()).toEqual(Array.from({ length: n }, (_, i) => `s${i}`).sort());
      expect(stored?.audiences).toHaveLength(n);
    });

    it('lists a user\u2019s consents oldest first, then by client id', async () => {
      const consents = ctx.storage().consents;
      await consents.put(consent('u1', 'b', { createdAt: 2_000 }));
      await consents.put(consent('u1', 'c', { createdAt: 1_000 }));
      await consents.put(consent('u1', 'a', { createdAt: 2_000 }));
      await consents.put(consent('u2', 'a'));
      expect((await consents.listByUser('u1')).map((c) => c.clientId)).toEqual(['c', 'a', 'b']);
      expect(await consents.listByUser('nobody')).toEqual([]);
    });

    it('deletes one consent, or every consent of a client or of a user', async () => {
      const consents = ctx.storage().consents;
      for (const [u, c] of [
        ['u1', 'app'],
        ['u1', 'other'],
        ['u2', 'app'],
        ['u2', 'other'],
        ['u3', 'app'],
      ] as const) {
        await consents.put(consent(u, c));
      }
      expect(await consents.delete('u1', 'other')).toBe(true);
      expect(await consents.delete('u1', 'other')).toBe(false);
      expect(await consents.deleteByClient('app')).toBe(3);
      expect(await consents.get('u2', 'other')).toBeDefined();
      expect(await consents.deleteByUser('u2')).toBe(1);
      expect(await consents.deleteByUser('u2')).toBe(0);
      expect(await consents.listByUser('u1')).toEqual([]);
      expect(await consents.listByUser('u3')).toEqual([]);
    });
  });
}
