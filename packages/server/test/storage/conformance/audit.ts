import { describe, expect, it } from 'vitest';
import { auditEvent, type Ctx } from './fixtures.js';

export function auditTests(ctx: Ctx): void {
  describe('audit', () => {
    async function seed() {
      const audit = ctx.storage().audit;
      await audit.append(auditEvent(1_000, 'login.success', { actor: 'u1', subject: 'u1' }));
      await audit.append(auditEvent(2_000, 'admin.user.create', { actor: 'admin', subject: 'u2' }));
      await audit.append(auditEvent(3_000, 'login.failure', { actor: null, subject: 'u2', ip: '10.0.0.1' }));
      await audit.append(auditEvent(4_000, 'admin.key.rotate', { actor: 'system', subject: 'k1' }));
      await audit.append(
        auditEvent(5_000, 'administer', { actor: 'admin', subject: null, userAgent: 'curl' }),
      );
      return audit;
    }

    it('appends and lists newest first with ids assigned, fields intact', async () => {
      const audit = await seed();
      const all = await audit.list({ limit: 100 });
      expect(all.map((e) => e.type)).toEqual([
        'administer',
        'admin.key.rotate',
        'login.failure',
        'admin.user.create',
        'login.success',
      ]);
      const ids = all.map((e) => e.id ?? 0);
      expect(ids.every((id) => Number.isInteger(id) && id > 0)).toBe(true);
      expect([...ids].sort((a, b) => b - a)).toEqual(ids);
      expect(new Set(ids).size).toBe(ids.length);
      expect(all[0]).toEqual({
        ...auditEvent(5_000, 'administer', { actor: 'admin', subject: null, userAgent: 'curl' }),
        id: all[0]?.id,
      });
      expect(all[2]).toMatchObject({ actor: null, ip: '10.0.0.1', detail: { n: 3_000 } });
    });

    it("appendMany appends in order with increasing ids (also past one statement's chunk); [] does nothing", async () => {
      const audit = ctx.storage().audit;
      await audit.appendMany([]);
      expect(await audit.list({ limit: 10 })).toEqual([]);
      await audit.append(auditEvent(1, 'first'));
      const many = Array.from({ length: 450 }, (_, i) =>
        auditEvent(10 + i, `batch.${i}`, { subject: `s${i}` }),
      );
      await audit.appendMany(many);
      const all = await audit.list({ limit: 1000 });
      expect(all).toHaveLength(451);
      expect(all.map((e) => e.type).reverse()).toEqual(['first', ...many.map((e) => e.type)]);
      const ids = all.map((e) => e.id ?? 0).reverse();
      for (let i = 1; i < ids.length; i++) expect(ids[i]).toBeGreaterThan(ids[i - 1] ?? 0);
      expect(all[0]).toMatchObject({ type: 'batch.449', subject: 's449', at: 459 });
    });

    it('filters by exact type and by a prefix ending in "."', async () => {
      const audit = await seed();
      expect((await audit.list({ type: 'login.failure', limit: 10 })).map((e) => e.at)).toEqual([3_000]);
      expect((await audit.list({ type: 'admin.', limit: 10 })).map((e) => e.type)).toEqual([
        'admin.key.rotate',
        'admin.user.create',
      ]);
      expect(await audit.list({ type: 'admin', limit: 10 })).toEqual([]); // exact, so no match
      expect(await audit.list({ type: 'ad%.', limit: 10 })).toEqual([]); // no wildcard leaks
    });

    it('filters by actor, subject and time window (since inclusive, until exclusive)', async () => {
      const audit = await seed();
      expect((await audit.list({ actor: 'admin', limit: 10 })).map((e) => e.at)).toEqual([5_000, 2_000]);
      expect((await audit.list({ subject: 'u2', limit: 10 })).map((e) => e.at)).toEqual([3_000, 2_000]);
      expect((await audit.list({ since: 2_000, until: 4_000, limit: 10 })).map((e) => e.at)).toEqual([
        3_000, 2_000,
      ]);
      expect((await audit.list({ since: 4_000, limit: 10 })).map((e) => e.at)).toEqual([5_000, 4_000]);
      expect((await audit.list({ until: 2_000, limit: 10 })).map((e) => e.at)).toEqual([1_000]);
      const combined = await audit.list({
        type: 'admin.',
        actor: 'admin',
        subject: 'u2',
        since: 1_500,
        limit: 10,
      });
      expect(combined.map((e) => e.type)).toEqual(['admin.user.create']);
    });

    it('honours limit and pages newest first with beforeId', async () => {
      const audit = await seed();
      const first = await audit.list({ limit: 2 });
      expect(first.map((e) => e.at)).toEqual([5_000, 4_000]);
      const second = await audit.list({ limit: 2, beforeId: first[1]?.id });
      expect(second.map((e) => e.at)).toEqual([3_000, 2_000]);
      const third = await audit.list({ limit: 2, beforeId: second[1]?.id });
      expect(third.map((e) => e.at)).toEqual([1_000]);
      expect(await audit.list({ limit: 2, beforeId: third[0]?.id })).toEqual([]);
      const admin = await audit.list({ type: 'admin.', limit: 1 });
      const older = await audit.list({ type: 'admin.', limit: 1, beforeId: admin[0]?.id });
      expect(older.map((e) => e.type)).toEqual(['admin.user.create']);
    });

    it('returns copies of the detail object', async () => {
      const audit = ctx.storage().audit;
      const event = auditEvent(1_000, 'x', { detail: { list: [1, 2] } });
      await audit.append(event);
      (event.detail.list as number[]).push(3);
      const [read] = await audit.list({ limit: 1 });
      (read?.detail.list as number[] | undefined)?.push(4);
      expect((await audit.list({ limit: 1 }))[0]?.detail).toEqual({ list: [1, 2] });
    });
  });
}
