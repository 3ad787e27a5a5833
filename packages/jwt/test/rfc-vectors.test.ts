/** RFC 7515 Appendix A and RFC 7520 §4 vectors (test/vectors/rfc, see SOURCE.md there). */
import { describe, expect, it } from 'vitest';
import { createVerifier, importJWK, type JWK, type JWSAlgorithm, verifyJWS } from '../src/index.js';
import { encode } from '../src/internal/base64url.js';
import { INTERNALS } from '../src/keys/key.js';
import { codeOf, loadVector } from './helpers.js';

interface Entry {
  id: string;
  alg: string;
  jwk: JWK | null;
  protected_header: string;
  payload: string;
  signature: string;
  compact: string;
  deterministic: boolean;
  expect: 'valid' | 'reject';
  detached?: boolean;
  payload_text: string;
}

const entries = [
  ...loadVector<{ entries: Entry[] }>('rfc/jws-rfc7515.json').entries,
  ...loadVector<{ entries: Entry[] }>('rfc/jws-rfc7520.json').entries,
];
const valid = entries.filter((e) => e.expect === 'valid');

function keysOf(entry: Entry) {
  const key = importJWK(entry.jwk!, { alg: entry.alg as JWSAlgorithm });
  return { key, verifyKey: key.type === 'private' ? key.publicKey : key };
}

/** The compact form to verify (RFC 7520 §4.5 is detached: put the payload back, the input is unchanged). */
function compactOf(entry: Entry): string {
  return entry.detached ? `${entry.protected_header}.${entry.payload}.${entry.signature}` : entry.compact;
}

describe('RFC 7515 / RFC 7520 JWS vectors', () => {
  it('has the expected vectors', () => {
    expect(valid.length).toBe(11);
    expect(entries.filter((e) => e.expect === 'reject').map((e) => e.id)).toEqual(['rfc7515-A.5-none']);
  });

  it.each(valid.map((e) => [e.id, e] as const))('%s verifies', (_id, entry) => {
    const { verifyKey } = keysOf(entry);
    const { header, payload } = verifyJWS(compactOf(entry), verifyKey);
    expect(header.alg).toBe(entry.alg);
    expect(payload.toString('utf8')).toBe(entry.payload_text);
  });

  it.each(valid.filter((e) => e.deterministic).map((e) => [e.id, e] as const))(
    '%s re-signs byte for byte',
    (_id, entry) => {
      const { key } = keysOf(entry);
      const signature = key[INTERNALS].sign!(`${entry.protected_header}.${entry.payload}`);
      expect(encode(signature)).toBe(entry.signature);
    },
  );

  it.each(valid.map((e) => [e.id, e] as const))(
    '%s with a flipped signature bit is rejected',
    (_id, entry) => {
      const { verifyKey } = keysOf(entry);
      const sig = Buffer.from(entry.signature, 'base64url');
      sig[sig.length >> 1]! ^= 1;
      const token = `${entry.protected_header}.${entry.payload}.${encode(sig)}`;
      expect(codeOf(() => verifyJWS(token, verifyKey))).toBe('ERR_JWS_SIGNATURE_INVALID');
    },
  );

  it('verifies the JWT examples (A.1–A.3) as JWTs with a clock before their exp', () => {
    for (const entry of valid.filter((e) => e.id.match(/^rfc7515-A\.[123]-/))) {
      const { verifyKey } = keysOf(entry);
      const verifier = createVerifier({ keys: [verifyKey], clock: () => 1_300_819_379_000 });
      expect(verifier.verify(entry.compact).payload).toMatchObject({ iss: 'joe', exp: 1300819380 });
      const late = createVerifier({ keys: [verifyKey], clock: () => 1_300_819_380_000 });
      expect(codeOf(() => late.verify(entry.compact))).toBe('ERR_JWT_EXPIRED');
    }
  });

  it('rejects the unsecured A.5 example (alg none) with every key', () => {
    const none = entries.find((e) => e.id === 'rfc7515-A.5-none')!;
    for (const entry of valid) {
      const { verifyKey } = keysOf(entry);
      expect(codeOf(() => verifyJWS(none.compact, verifyKey))).toBe('ERR_JWS_ALG_NOT_ALLOWED');
      const verifier = createVerifier({ keys: [verifyKey], clock: () => 0 });
      expect(codeOf(() => verifier.verify(none.compact))).toBe('ERR_JWS_ALG_NOT_ALLOWED');
    }
  });
});
