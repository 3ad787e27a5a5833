/** Shared test helpers: vector loading from the repo (never from /work/shared) and error assertions. */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { isJoseError, type JoseErrorCode } from '../src/index.js';

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
