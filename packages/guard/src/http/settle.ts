import type { AuthResult } from '../types.js';

/** True when the guard answered synchronously (a result object, not a Promise). */
export function isResult(value: AuthResult | Promise<AuthResult>): value is AuthResult {
  return typeof (value as AuthResult).ok === 'boolean';
}
