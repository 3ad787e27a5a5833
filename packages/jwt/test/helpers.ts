/** Shared test helpers: vector loading from the repo (never from /work/shared) and error assertions. */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import {
  isJoseError,
  type JoseErrorCode,
  type PrivateKey,
  type PublicKey,
  type SecretKey,
} from '../src/index.js';
import { INTERNALS } from '../src/keys/key.js';

export function loadVector<T>(path: string): T {
  return JSON.parse(readFileSync(new URL(`./vectors/${path}`, import.meta.url), 'utf8')) as T;
}

/** Runs fn and returns the JoseError code it throws (fails the test when it throws anything else). */
export function codeOf(fn: () => unknown): JoseErrorCode | 'OK' {
  try {
    fn();
    return 'OK';
  } catch (err) {
    if (!isJoseError(err)) throw err;
    return err.code;
  }
}

export function expectCode(fn: () => unknown, code: JoseErrorCode): void {
  expect(codeOf(fn)).toBe(code);
}

/** Signs arbitrary header/payload JSON TEXT with a key's own primitive: the attacker's or issuer's bytes. */
export function forge(
  headerText: string,
  payloadText: string,
  key: PrivateKey | SecretKey | PublicKey,
): string {
  const sign = key[INTERNALS].sign;
  if (sign === undefined) throw new Error('forge needs a signing key');
  const input = `${b64(headerText)}.${b64(payloadText)}`;
  return `${input}.${sign(input).toString('base64url')}`;
}

export function b64(text: string | Buffer): string {
  return Buffer.from(text).toString('base64url');
}
