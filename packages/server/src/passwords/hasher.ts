import { availableParallelism } from 'node:os';
import type * as Argon2 from 'argon2';
import { loadArgon2 } from '../drivers/load.js';
import { ServerError } from '../errors.js';
import { createLimiter } from './limiter.js';

/** argon2id parameters (memory in KiB). */
export interface PasswordCost {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

/** Hashes and verifies passwords; every call runs on the libuv pool, off the event loop. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** False for a malformed hash too (never throws on bad input). */
  verify(hash: string, password: string): Promise<boolean>;
  /** True when the hash was made with other parameters than the configured ones. */
  needsRehash(hash: string): boolean;
  /** Spends the same time as a real verify, for unknown users (no timing oracle). */
  verifyDummy(password: string): Promise<void>;
}

/**
 * An argon2id {@link PasswordHasher}.
 *
 * @example
 * ```ts
 * const hasher = createPasswordHasher({ memoryCost: 19456, timeCost: 2, parallelism: 1 });
 * const phc = await hasher.hash('correct horse battery staple');
 * ```
 */
export function createPasswordHasher(
  cost: PasswordCost,
  opts: { maxConcurrent?: number; maxQueued?: number } = {},
): PasswordHasher {
  let loaded: { argon2: typeof Argon2; options: Argon2.HashOptions } | undefined;
  // argon2 is loaded by the first hash or verify, not when the hasher is created.
  const argon = () => {
    if (loaded === undefined) {
      const argon2 = loadArgon2();
      loaded = { argon2, options: { type: argon2.argon2id, ...cost } };
    }
    return loaded;
  };
  const limit = createLimiter(
    opts.maxConcurrent ?? Math.max(1, availableParallelism() - 1),
    opts.maxQueued ?? 256,
  );
  let dummy: Promise<string> | undefined;
  return {
    hash: (password) =>
      limit.run(() => {
        const { argon2, options } = argon();
        return argon2.hash(password, options);
      }),
    async verify(hash, password) {
      try {
        return await limit.run(() => argon().argon2.verify(hash, password));
      } catch (error) {
        if (error instanceof ServerError) throw error;
        return false;
      }
    },
    needsRehash(hash) {
      try {
        const { argon2, options } = argon();
        return argon2.needsRehash(hash, options);
      } catch {
        return true;
      }
    },
    async verifyDummy(password) {
      const { argon2, options } = argon();
      dummy ??= argon2.hash('keycard-dummy-password', options);
      const phc = await dummy;
      try {
        await limit.run(() => argon2.verify(phc, password));
      } catch (error) {
        if (error instanceof ServerError) throw error;
        // The result is irrelevant; only the time spent matters.
      }
    },
  };
}
