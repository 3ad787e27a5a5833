import type { Guard } from '../../src/index.js';
import { createGuard } from '../../src/index.js';
import type { TestIssuer } from './test-issuer.js';

/** A guard over the test issuer's keys with no network: adapter tests need only verification. */
export function staticGuard(issuer: TestIssuer): Guard {
  return createGuard({
    tokenIssuer: issuer.url,
    keys: { keys: issuer.keys.map((k) => k.publicKey.toJWK()) },
    audience: issuer.audience,
    revocation: false,
  });
}
