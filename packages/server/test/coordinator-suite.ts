import { describe, expect, it } from 'vitest';
import type { Coordinator } from '../src/index.js';

/**
 * The behaviour every Coordinator (memory, Redis) must show. `make` gets a clock it must use for
 * rate-limit windows and flags.
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

    it('rate limits in a sliding window; cost 0 only looks; retryAfterMs is when the oldest hit leaves', async () => {
      let now = 1_000_000;
      const c = await make(() => now);
      try {
        const key = `k${Math.random()}`;
        for (let i = 0; i < 3; i++) expect((await c.rateLimit(key, 3, 1000)).allowed).toBe(true);
        expect((await c.rateLimit(key, 3, 1000, 0)).allowed).toBe(false);
        now += 400;
        const denied = await c.rateLimit(key, 3, 1000);
        expect(denied).toEqual({ allowed: false, retryAfterMs: 600 });
        now += 599;
        expect((await c.rateLimit(key, 3, 1000)).allowed).toBe(false);
        now += 1;
        expect((await c.rateLimit(key, 3, 1000)).allowed).toBe(true);
        const other = `o${Math.random()}`;
        expect((await c.rateLimit(other, 1, 1000, 0)).allowed).toBe(true);
        expect((await c.rateLimit(other, 1, 1000)).allowed).toBe(true);
        expect((await c.rateLimit(other, 1, 1000)).allowed).toBe(false);
      } finally {
        await c.close();
      }
    });

    it('allows no 2x burst at a window edge: hits just before the old window ends still count after it', async () => {
      let now = 5_000_000;
      const c = await make(() => now);
      try {
        const key = `e${Math.random()}`;
        // A fixed window would open at the first hit and reset 1000 ms later.
        expect((await c.rateLimit(key, 3, 1000)).allowed).toBe(true);
        now += 998;
        expect((await c.rateLimit(key, 3, 1000)).allowed).toBe(true);
        now += 1;
        expect((await c.rateLimit(key, 3, 1000)).allowed).toBe(true);
        now += 2; // just after the old window's end: only the first hit has left
        expect((await c.rateLimit(key, 3, 1000)).allowed).toBe(true);
        const refused = await c.rateLimit(key, 3, 1000);
        expect(refused).toEqual({ allowed: false, retryAfterMs: 997 });
        now += 996;
        expect((await c.rateLimit(key, 3, 1000)).allowed).toBe(false);
        now += 1;
        expect((await c.rateLimit(key, 3, 1000)).allowed).toBe(true);
        expect((await c.rateLimit(key, 3, 1000)).allowed).toBe(false);
      } finally {
        await c.close();
      }
    });

    it('never allows more than `limit` hits in any window under a random stream of hits', async () => {
      let now = 7_000_000;
      const c = await make(() => now);
      try {
        const key = `p${Math.random()}`;
        const allowed: number[] = [];
        for (let i = 0; i < 200; i++) {
          now += Math.floor(Math.random() * 120);
          if ((await c.rateLimit(key, 5, 1000)).allowed) allowed.push(now);
        }
        // Every run of limit+1 allowed hits spans at least a whole window.
        for (let i = 5; i < allowed.length; i++)
          expect(allowed[i]! - allowed[i - 5]!).toBeGreaterThanOrEqual(1000);
        expect(allowed.length).toBeGreaterThan(5);
      } finally {
        await c.close();
      }
    });

    it('tells every subscriber about invalidations until they unsubscribe', async () => {
      const c = await make(Date.now);
      try {
        const seen: string[] = [];
        const off = c.onInvalidation((what) => seen.push(`a:${what}`));
        c.onInvalidation((what) => seen.push(`b:${what}`));
        await c.publishInvalidation('keys');
        off();
        await c.publishInvalidation('directory');
        await new Promise((resolve) => setTimeout(resolve, 20));
        expect(seen.sort()).toEqual(['a:keys', 'b:directory', 'b:keys']);
        expect(c.health().every((backend) => backend.up)).toBe(true);
      } finally {
        await c.close();
      }
    });

    it('a negative cost gives back the newest hits in the window, never below zero', async () => {
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
