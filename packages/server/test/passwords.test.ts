import { describe, expect, it } from 'vitest';
import { createLimiter, createPasswordHasher } from '../src/passwords/index.js';

describe('password hashing', () => {
  it('argon2id at the configured cost; verify never throws on a malformed hash', async () => {
    const hasher = createPasswordHasher({ memoryCost: 19_456, timeCost: 2, parallelism: 1 });
    const phc = await hasher.hash('correct horse battery');
    expect(phc).toMatch(/^\$argon2id\$v=19\$/);
    expect(phc).toContain('m=19456');
    expect(phc).toMatch(/t=2/);
    expect(await hasher.verify(phc, 'correct horse battery')).toBe(true);
    expect(await hasher.verify(phc, 'wrong')).toBe(false);
    expect(await hasher.verify('not a hash', 'x')).toBe(false);
    expect(hasher.needsRehash(phc)).toBe(false);
    const cheaper = createPasswordHasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 });
    expect(hasher.needsRehash(await cheaper.hash('x'))).toBe(true);
    await hasher.verifyDummy('anything');
  });

  it('bounds concurrent work and the queue', async () => {
    const limit = createLimiter(2, 3);
    let active = 0;
    let peak = 0;
    const gates: Array<() => void> = [];
    const task = () =>
      limit.run(async () => {
        active++;
        peak = Math.max(peak, active);
        await new Promise<void>((resolve) => gates.push(resolve));
        active--;
      });
    const running = Array.from({ length: 5 }, task);
    await expect(task()).rejects.toMatchObject({ code: 'ERR_RATE_LIMITED' });
    while (gates.length > 0 || active > 0) {
      gates.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(running);
    expect(peak).toBe(2);
  });
});
