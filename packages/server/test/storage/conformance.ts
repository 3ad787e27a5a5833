import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Storage } from '../../src/storage/index.js';
import { auditTests } from './conformance/audit.js';
import { authorizationCodeTests } from './conformance/authorization-codes.js';
import { browserSessionTests } from './conformance/browser-sessions.js';
import { consentTests } from './conformance/consents.js';
import { emailTokenTests } from './conformance/email-tokens.js';
import type { Ctx } from './conformance/fixtures.js';
import { hygieneTests } from './conformance/hygiene.js';
import { keyTests } from './conformance/keys.js';
import { passkeyTests } from './conformance/passkeys.js';
import { recordTests } from './conformance/records.js';
import { recoveryCodeTests } from './conformance/recovery-codes.js';
import { refreshTokenTests } from './conformance/refresh-tokens.js';
import { revocationTests } from './conformance/revocations.js';
import { sessionTests } from './conformance/sessions.js';
import { totpTests } from './conformance/totp.js';
import { userEmailTests } from './conformance/user-email.js';

export interface ConformanceOptions {
  /** Skip the whole suite, printing this reason (e.g. "PostgreSQL is unreachable"). */
  skip?: string | undefined;
  /** Concurrent calls fired at each atomic operation (refresh-token and code consume, factors; default 20). */
  consumeConcurrency?: number;
}

/**
 * The contract every storage adapter must pass. `factory` is called before each test and must
 * return a fresh, empty, migrated storage; the suite closes it after the test.
 *
 * @example
 * ```ts
 * describeStorageConformance('memory', async () => createMemoryStorage());
 * ```
 */
export function describeStorageConformance(
  name: string,
  factory: () => Promise<Storage>,
  opts: ConformanceOptions = {},
): void {
  if (opts.skip) console.warn(`storage conformance "${name}" skipped: ${opts.skip}`);
  describe.skipIf(Boolean(opts.skip))(`storage conformance: ${name}`, () => {
    let current: Storage | undefined;
    const ctx: Ctx = {
      storage: () => {
        if (!current) throw new Error('storage not opened');
        return current;
      },
    };
    beforeEach(async () => {
      current = await factory();
    });
    afterEach(async () => {
      await current?.close();
      current = undefined;
    });

    it('reports a kind and migrates idempotently', async () => {
      const storage = ctx.storage();
      expect(['memory', 'sqlite', 'postgres']).toContain(storage.kind);
      await storage.migrate();
      await storage.migrate();
      await storage.roles.upsert({ name: 'guest', scopes: [], createdAt: 1 });
      await storage.migrate(); // migrating again keeps data
      expect(await storage.roles.get('guest')).toBeDefined();
    });

    recordTests(ctx);
    sessionTests(ctx);
    refreshTokenTests(ctx, opts.consumeConcurrency ?? 20);
    keyTests(ctx);
    revocationTests(ctx);
    auditTests(ctx);
    hygieneTests(ctx);
    authorizationCodeTests(ctx, opts.consumeConcurrency ?? 20);
    consentTests(ctx);
    browserSessionTests(ctx);
    const concurrency = opts.consumeConcurrency ?? 20;
    userEmailTests(ctx, concurrency);
    totpTests(ctx, concurrency);
    recoveryCodeTests(ctx, concurrency);
    passkeyTests(ctx, concurrency);
    emailTokenTests(ctx, concurrency);
  });
}
