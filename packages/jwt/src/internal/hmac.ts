/**
 * HMAC verification of a compact JWS without an OpenSSL HMAC context per token. `createHmac` sets one
 * up for every call (the largest single cost of an HS256 verify in profiles). HMAC is
 * H((K ^ opad) || H((K ^ ipad) || m)) (RFC 2104), so with both padded key blocks prepared once a verify
 * is two one-shot `crypto.hash` calls over reused buffers. Part of the crypto module (crypto.ts): the
 * rest of the package never calls this directly. Checked against `createHmac` when a key is prepared;
 * the `createHmac` path is used if they ever disagree or `crypto.hash` is missing.
 */
import * as nodeCrypto from 'node:crypto';
import type { AlgorithmSpec } from './algorithms.js';
import { decodeAsciiInto } from './base64url.js';
import type { CompactVerifyFn, KeyObject } from './crypto.js';

/** Hash block sizes in bytes (FIPS 180-4). */
const BLOCK = { sha256: 64, sha384: 128, sha512: 128 } as const;
const INITIAL_INPUT = 1024;

/**
 * The HMAC {@link CompactVerifyFn} for one secret. `generic` (decode, then `createHmac`) handles a
 * signature segment of the wrong length, so every refusal keeps its code.
 */
export function prepareHmacCompactVerify(
  spec: AlgorithmSpec,
  key: KeyObject,
  generic: CompactVerifyFn,
): CompactVerifyFn {
  const hash = spec.hash;
  if (hash === null || typeof nodeCrypto.hash !== 'function') return generic;
  const block = BLOCK[hash];
  const length = spec.signatureLength;
  const segmentLength = Math.ceil((length * 4) / 3);
  const exported = key.export();
  const secret = exported.length > block ? nodeCrypto.createHash(hash).update(exported).digest() : exported;
  // inner = (K ^ ipad) || signing input (written per token); outer = (K ^ opad) || inner hash.
  let inner = Buffer.alloc(block + INITIAL_INPUT);
  const outer = Buffer.alloc(block + length);
  for (let i = 0; i < block; i++) {
    const k = i < secret.length ? secret[i]! : 0;
    inner[i] = k ^ 0x36;
    outer[i] = k ^ 0x5c;
  }
  secret.fill(0);
  exported.fill(0);
  const signature = Buffer.alloc(length);

  const verify: CompactVerifyFn = (token, dot) => {
    if (token.length - dot - 1 !== segmentLength) return generic(token, dot);
    if (decodeAsciiInto(token.slice(dot + 1), signature) !== length) return undefined;
    if (block + dot > inner.length) {
      const larger = Buffer.alloc(Math.max(block + dot, inner.length * 2));
      inner.copy(larger, 0, 0, block);
      inner.fill(0);
      inner = larger;
    }
    // The token is ASCII (split checked it), so latin1 writes exactly its UTF-8 bytes.
    inner.write(token, block, dot, 'latin1');
    outer.set(nodeCrypto.hash(hash, inner.subarray(0, block + dot), 'buffer'), block);
    return nodeCrypto.timingSafeEqual(nodeCrypto.hash(hash, outer, 'buffer'), signature);
  };
  return agreesWithCreateHmac(verify, hash, key) ? verify : generic;
}

/** A valid and a tampered probe token, signed with createHmac, get the expected answers. */
function agreesWithCreateHmac(verify: CompactVerifyFn, hash: string, key: KeyObject): boolean {
  try {
    for (const input of ['eyJhbGciOiJIUzI1NiJ9.e30', `eyJhbGciOiJIUzI1NiJ9.${'QUJD'.repeat(40)}`]) {
      const mac = nodeCrypto.createHmac(hash, key).update(input).digest('base64url');
      const tampered = (mac[0] === 'A' ? 'B' : 'A') + mac.slice(1);
      if (verify(`${input}.${mac}`, input.length) !== true) return false;
      if (verify(`${input}.${tampered}`, input.length) !== false) return false;
    }
    return true;
  } catch {
    return false;
  }
}
