import { ServerError } from '../errors.js';

/**
 * Bounds how many argon2 computations run at once (and how many may wait). argon2 runs on the
 * libuv pool; with every core hashing, the event loop starves and cheap endpoints (JWKS,
 * refresh) stall. Leaving a core free keeps them fast while sign-ins queue.
 */
export interface Limiter {
  run<T>(task: () => Promise<T>): Promise<T>;
}

/**
 * @example
 * ```ts
 * const limit = createLimiter(1, 256);
 * const hash = await limit.run(() => argon2.hash(password, options));
 * ```
 */
export function createLimiter(maxConcurrent: number, maxQueued: number): Limiter {
  let active = 0;
  const queue: Array<() => void> = [];
  const release = () => {
    active--;
    const next = queue.shift();
    if (next !== undefined) {
      active++;
      next();
    }
  };
  return {
    async run(task) {
      if (active >= maxConcurrent) {
        if (queue.length >= maxQueued) throw new ServerError('ERR_RATE_LIMITED', { retryAfter: 1 });
        await new Promise<void>((resolve) => queue.push(resolve));
      } else {
        active++;
      }
      try {
        return await task();
      } finally {
        release();
      }
    },
  };
}
