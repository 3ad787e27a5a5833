/**
 * Differential property test for the HMAC verify path (internal/hmac.ts: two one-shot hashes over
 * prepared key blocks and reused buffers): the same answer as decoding the signature and checking it
 * with createHmac + timingSafeEqual, for every secret length (past the hash block too), inputs past
 * the initial buffer, and right, tampered, short, long and non-canonical signature segments.
 */
import { createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { algorithmSpec } from '../src/internal/algorithms.js';
import { decodeAscii } from '../src/internal/base64url.js';
import { prepareVerify } from '../src/internal/crypto.js';
import { prepareHmacCompactVerify } from '../src/internal/hmac.js';

/** Non-empty canonical base64url, by the "re-encoding gives the same string" definition. */
function canonical(segment: string): boolean {
  return (
    segment !== '' &&
    /^[A-Za-z0-9_-]*$/.test(segment) &&
    Buffer.from(segment, 'base64url').toString('base64url') === segment
  );
}

describe('HMAC verifyCompact against createHmac', () => {
  const ascii = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) });
  const signatures = fc.oneof(
    { weight: 3, arbitrary: fc.constant((mac: string) => mac) },
    fc.nat().map((at) => (mac: string) => {
      const p = at % mac.length;
      return mac.slice(0, p) + (mac[p] === 'A' ? 'B' : 'A') + mac.slice(p + 1);
    }),
    fc.constantFrom(
      (mac: string) => mac.slice(0, -1),
      (mac: string) => `${mac}A`,
      (mac: string) => `${mac}=`,
      (mac: string) => mac.slice(0, -1) + (mac.endsWith('-') ? '_' : '-'),
      (mac: string) => mac.replace(/[-_]/, (c) => (c === '-' ? '+' : '/')),
      (mac: string) => `${mac.slice(0, 10)}.${mac.slice(11)}`,
      () => '',
    ),
  );

  for (const alg of ['HS256', 'HS384', 'HS512'] as const) {
    it(`${alg}: the same answer as decode + createHmac + timingSafeEqual, call after call`, () => {
      const spec = algorithmSpec(alg);
      fc.assert(
        fc.property(
          fc.uint8Array({ minLength: 1, maxLength: 200 }),
          fc.array(
            fc.tuple(
              fc.oneof(
                ascii,
                ascii.map((s) => s.repeat(200)) /* past the initial 1 KiB buffer */,
              ),
              signatures,
            ),
            {
              minLength: 1,
              maxLength: 5,
            },
          ),
          (secret, cases) => {
            const key = createSecretKey(secret);
            const verify = prepareVerify(spec, key);
            // The decode-then-createHmac path, counted: the fast path must not hand a right-length
            // segment to it (nor be replaced by it after the self-check).
            let genericCalls = 0;
            const generic = (token: string, dot: number) => {
              genericCalls++;
              const signature = dot + 1 === token.length ? undefined : decodeAscii(token.slice(dot + 1));
              return signature === undefined ? undefined : verify(token.slice(0, dot), signature);
            };
            const verifyCompact = prepareHmacCompactVerify(spec, key, generic);
            expect(verifyCompact).not.toBe(generic);
            for (const [input, edit] of cases) {
              const mac = createHmac(spec.hash!, secret).update(input).digest('base64url');
              const token = `${input}.${edit(mac)}`;
              const segment = token.slice(input.length + 1);
              const signature = canonical(segment) ? Buffer.from(segment, 'base64url') : undefined;
              const expected =
                signature === undefined
                  ? undefined
                  : signature.length === spec.signatureLength &&
                    timingSafeEqual(createHmac(spec.hash!, secret).update(input).digest(), signature);
              const calls = genericCalls;
              expect(verifyCompact(token, input.length)).toBe(expected);
              expect(genericCalls - calls).toBe(segment.length === mac.length ? 0 : 1);
            }
          },
        ),
        { numRuns: 300 },
      );
    });
  }
});
