import { describe, expect, it } from 'vitest';
import type { Coordinator } from '../src/index.js';

/**
 * The behaviour every Coordinator (memory now, Redis later) must show. `make` gets a clock
 * it must use for rate-limit windows.
 */
export function coordinatorSuite(name: string, make: (clock: () => number) => Promise<Coordinator>): void {
  describe(`Coordinator conformance: ${name}`, () => {
    const event = (cursor: number) => ({
      cursor,
      type: 'session' as const,
      sid: `s${cursor}`,
      at: 1,
      expiresAt: 2,
    });

    it('fans published revocations out to every subscriber until they unsubscribe', async () => {
      const c = await make(Date.now);
      try {
        const a: number[] = [];
        const b: number[] = [];
        const offA = c.onRevocation((e) => a.push(e.cursor));
        c.onRevocation((e) => b.push(e.cursor));
        await c.publishRevocation(event(1));
        offA();
        await c.publishRevocation(event(2));
        await new Promise((resolve) => setTimeout(resolve, 20));
        expect(a).toEqual([1]);
        expect(b).toEqual([1, 2]);
      } finally {
        await c.close();
      }
    });

    it('a throwing subscriber does not stop the others', async () => {
      const c = await make(Date.now);
      try {
        const seen: number[] = [];
        c.onRevocation(() => {
          throw new Error('boom');
        });
        c.onRevocation((e) => seen.push(e.cursor));
        await c.publishRevocation(event(7));
        await new Promise((resolve) => setTimeout(resolve, 20));
        expect(seen).toEqual([7]);
      } finally {
        await c.close();
      }
    });

    it('rate limits in fixed windows; cost 0 only looks', async () => {
      let now = 1_000_000;
      const c = await make(() => now);
      try {
        const key = `k${Math.random()}`;
        for (let i = 0; i < 3; i++) expect((await c.rateLimit(key, 3, 1000)).allowed).toBe(true);
        expect((await c.rateLimit(key, 3, 1000, 0)).allowed).toBe(false);
        const denied = await c.rateLimit(key, 3, 1000);
        expect(denied.allowed).toBe(false);
        expect(denied.retryAfterMs).toBeGreaterThan(0);
        expect(denied.retryAfterMs).toBeLessThanOrEqual(1000);
        now += 1001;
        expect((await c.rateLimit(key, 3, 1000)).allowed).toBe(true);
        const other = `o${Math.random()}`;
        expect((await c.rateLimit(other, 1, 1000, 0)).allowed).toBe(true);
        expect((await c.rateLimit(other, 1, 1000)).allowed).toBe(true);
        expect((await c.rateLimit(other, 1, 1000)).allowed).toBe(false);
      } finally {
        await c.close();
      }
    });

    it('a negative cost gives hits back to the current window, never below zero', async () => {
      let now = 3_000_000;
      const c = await make(() => now);
      try {
        const key = `r${Math.random()}`;
        expect((await c.rateLimit(key, 2, 1000)).allowed).toBe(true);
        expect((await c.rateLimit(key, 2, 1000)).allowed).toBe(true);
        expect((await c.rateLimit(key, 2, 1000, 0)).allowed).toBe(false);
        expect((await c.rateLimit(key, 2, 1000, -1)).allowed).toBe(true);
        expect((await c.rateLimit(key, 2, 1000)).allowed).toBe(true);
        expect((await c.rateLimit(key, 2, 1000)).allowed).toBe(false);
        await c.rateLimit(key, 2, 1000, -5);
        expect((await c.rateLimit(key, 2, 1000)).allowed).toBe(true);
        expect((await c.rateLimit(key, 2, 1000)).allowed).toBe(true);
        expect((await c.rateLimit(key, 2, 1000)).allowed).toBe(false);
        now += 1001;
        await c.rateLimit(key, 2, 1000, -1);
        expect((await c.rateLimit(key, 2, 1000)).allowed).toBe(true);
        expect((await c.rateLimit(key, 2, 1000)).allowed).toBe(true);
        expect((await c.rateLimit(key, 2, 1000)).allowed).toBe(false);
      } finally {
        await c.close();
      }
    });

    it('remembers flags for their time to live; setting again restarts it', async () => {
      let now = 2_000_000;
      const c = await make(() => now);
      try {
        const key = `f${Math.random()}`;
        expect(await c.hasFlag(key)).toBe(false);
        await c.setFlag(key, 1000);
        expect(await c.hasFlag(key)).toBe(true);
        expect(await c.hasFlag(`${key}x`)).toBe(false);
        now += 600;
        await c.setFlag(key, 1000);
        now += 600;
        expect(await c.hasFlag(key)).toBe(true);
        now += 401;
        expect(await c.hasFlag(key)).toBe(false);
      } finally {
        await c.close();
      }
    });
  });
}
