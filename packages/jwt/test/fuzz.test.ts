/**
 * Property tests: random input and random mutations of valid tokens are never accepted, and always end
 * in a JoseError with a registered code (never another exception).
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createVerifier,
  decodeJWT,
  generateKeyPair,
  generateSecret,
  isJoseError,
  JOSE_ERRORS,
  type SigningKey,
  signJWT,
  type Verifier,
} from '../src/index.js';
import { decode } from '../src/internal/base64url.js';
import { hasDuplicateMembers, parseJSONObject } from '../src/internal/json.js';
import { b64 } from './helpers.js';

const NOW = 1_800_000_000;
const clock = () => NOW * 1000;
const claims = {
  iss: 'https://issuer.test',
  sub: 'alice',
  aud: ['rooms', 'pool'],
  iat: NOW,
  exp: NOW + 600,
  scope: 'a b',
};

/** Runs fn; returns 'OK' or the JoseError code; any other exception fails the property. */
function outcome(fn: () => unknown): string {
  try {
    fn();
    return 'OK';
  } catch (err) {
    if (!isJoseError(err)) throw new Error(`non-JoseError thrown: ${String(err)}`);
    expect(Object.hasOwn(JOSE_ERRORS, err.code)).toBe(true);
    expect(err.status).toBe(JOSE_ERRORS[err.code].status);
    return err.code;
  }
}

let keys: { key: SigningKey; verifier: Verifier; token: string }[];

beforeAll(async () => {
  keys = [];
  for (const key of [
    await generateKeyPair('ES256'),
    await generateKeyPair('EdDSA'),
    generateSecret('HS256'),
  ]) {
    const verifyKey = key.type === 'private' ? key.publicKey : key;
    keys.push({ key, verifier: createVerifier({ keys: [verifyKey], clock }), token: signJWT(claims, key) });
  }
});

const tokenChars = fc.constantFrom(
  ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.+/= \n\t"{}[]\u0000\u00ff\u2028\ud800é',
);

describe('fuzz', () => {
  it('random strings are never accepted and only JoseErrors come out', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 300 }),
          fc.string({ unit: tokenChars, maxLength: 300 }),
        ),
        (input) => {
          for (const { verifier } of keys) expect(outcome(() => verifier.verify(input))).not.toBe('OK');
          outcome(() => decodeJWT(input));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('random non-string inputs end in ERR_JWS_INVALID', () => {
    fc.assert(
      fc.property(fc.anything(), (input) => {
        fc.pre(typeof input !== 'string');
        expect(outcome(() => keys[0]!.verifier.verify(input as string))).toBe('ERR_JWS_INVALID');
      }),
      { numRuns: 100 },
    );
  });

  it('random three-segment tokens with random JSON are never accepted', () => {
    const segment = fc.oneof(
      fc.jsonValue().map((v) => b64(JSON.stringify(v) ?? 'null')),
      fc.uint8Array({ maxLength: 80 }).map((u) => b64(Buffer.from(u))),
      fc.string({ unit: tokenChars, maxLength: 60 }),
    );
    const header = fc.oneof(
      segment,
      fc
        .constantFrom('ES256', 'EdDSA', 'HS256', 'none', 'RS256')
        .chain((alg) =>
          fc
            .dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 })
            .map((extra) => b64(JSON.stringify({ ...extra, alg }))),
        ),
    );
    fc.assert(
      fc.property(header, segment, segment, (h, p, s) => {
        for (const { verifier } of keys)
          expect(outcome(() => verifier.verify(`${h}.${p}.${s}`))).not.toBe('OK');
      }),
      { numRuns: 500 },
    );
  });

  it('random mutations of valid tokens are never accepted', () => {
    const edit = fc.oneof(
      fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), char: tokenChars }),
      fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), char: tokenChars }),
      fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), char: fc.constant('') }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 }),
        fc.array(edit, { minLength: 1, maxLength: 4 }),
        (which, edits) => {
          const { verifier, token } = keys[which]!;
          let mutated = token;
          for (const { kind, at, char } of edits) {
            const i = at % (mutated.length + 1);
            if (kind === 'replace') mutated = mutated.slice(0, i) + char + mutated.slice(i + 1);
            else if (kind === 'insert') mutated = mutated.slice(0, i) + char + mutated.slice(i);
            else mutated = mutated.slice(0, i) + mutated.slice(i + 1);
          }
          fc.pre(mutated !== token);
          expect(outcome(() => verifier.verify(mutated))).not.toBe('OK');
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('valid tokens keep verifying (the properties above are not vacuous)', () => {
    for (const { verifier, token } of keys) expect(outcome(() => verifier.verify(token))).toBe('OK');
  });

  it('canonical base64url: decode() agrees with "re-encoding gives the same string"', () => {
    const chars = fc.constantFrom(
      ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/= .\né\u0000',
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: chars, maxLength: 24 }),
          fc.uint8Array({ maxLength: 40 }).map((u) => b64(Buffer.from(u))),
        ),
        (s) => {
          const reference = Buffer.from(s, 'base64url').toString('base64url') === s;
          expect(decode(s) !== undefined).toBe(reference);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('strict JSON: no false duplicates on real objects; an injected duplicate is always found', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 4 }), { maxKeys: 8 }),
        (obj) => {
          const text = JSON.stringify(obj);
          const pretty = JSON.stringify(obj, null, 2);
          expect(parseJSONObject(text)).toEqual(JSON.parse(text));
          expect(parseJSONObject(pretty)).toEqual(JSON.parse(text));
          const names = Object.keys(obj);
          fc.pre(names.length > 0);
          const dup = `{${JSON.stringify(names[0])}:1,${text.slice(1)}`;
          expect(parseJSONObject(dup)).toBe('duplicate');
          expect(hasDuplicateMembers(dup)).toBe(true);
          expect(hasDuplicateMembers(text)).toBe(false);
        },
      ),
      { numRuns: 500 },
    );
  });
});
