import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { GuardErrorCode } from '../src/index.js';
import { errorResponse, GuardError, guardErrorCodes, isGuardError } from '../src/index.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const errorsDoc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');

describe('error registry', () => {
  it('documents every code with its status in the README', () => {
    for (const [code, def] of Object.entries(guardErrorCodes)) {
      const row = readme.split('\n').find((line) => new RegExp(`^\\|\\s*\`${code}\`\\s*\\|`).test(line));
      expect(row, code).toBeDefined();
      expect(row!.split('|')[2]!.trim().startsWith(String(def.status)), code).toBe(true);
    }
  });

  it('lists every code with its status in docs/errors.md', () => {
    const section = errorsDoc.slice(errorsDoc.indexOf('## Guard (`@keycard/guard`'));
    for (const [code, def] of Object.entries(guardErrorCodes)) {
      const row = section.split('\n').find((line) => new RegExp(`^\\|\\s*\`${code}\`\\s*\\|`).test(line));
      expect(row, code).toBeDefined();
      expect(row!.split('|')[2]!.trim().startsWith(String(def.status)), code).toBe(true);
    }
  });

  it('isGuardError: instances, and errors of another copy with a registered code and its status', () => {
    expect(isGuardError(new GuardError('ERR_GUARD_TOKEN_MISSING'))).toBe(true);
    // ESM and CommonJS copies side by side: not an instance, but the same code and status.
    const copy = Object.assign(new Error('x'), { code: 'ERR_GUARD_TOKEN_REVOKED', status: 401 });
    expect(isGuardError(copy)).toBe(true);
    expect(
      isGuardError(Object.assign(new Error('x'), { code: 'ERR_GUARD_TOKEN_REVOKED', status: 500 })),
    ).toBe(false);
    expect(isGuardError(Object.assign(new Error('x'), { code: 'ERR_SOMETHING_ELSE', status: 401 }))).toBe(
      false,
    );
    expect(isGuardError({ code: 'ERR_GUARD_TOKEN_REVOKED', status: 401 })).toBe(false);
    expect(isGuardError(Object.assign(new Error('x'), { code: 'toString', status: undefined }))).toBe(false);
    expect(isGuardError(undefined)).toBe(false);
  });

  it('builds RFC 6750 answers without leaking the reason', () => {
    const missing = errorResponse(new GuardError('ERR_GUARD_TOKEN_MISSING'), 'hotel');
    expect(missing.status).toBe(401);
    expect(missing.headers['www-authenticate']).toBe('Bearer realm="hotel"');
    const invalid = errorResponse(
      new GuardError('ERR_GUARD_TOKEN_INVALID', { reason: 'ERR_JWT_EXPIRED' }),
      'hotel',
    );
    expect(invalid.headers['www-authenticate']).toBe('Bearer realm="hotel", error="invalid_token"');
    expect(invalid.body).not.toContain('ERR_JWT_EXPIRED');
    const scope = errorResponse(new GuardError('ERR_GUARD_INSUFFICIENT_SCOPE', { scope: 'a b' }), 'hotel');
    expect([scope.status, scope.headers['www-authenticate']]).toEqual([
      403,
      'Bearer realm="hotel", error="insufficient_scope", scope="a b"',
    ]);
    const role = errorResponse(new GuardError('ERR_GUARD_FORBIDDEN_ROLE'), 'hotel');
    expect(role.headers['www-authenticate']).toBeUndefined();
    expect(JSON.parse(role.body)).toEqual({
      error: { code: 'ERR_GUARD_FORBIDDEN_ROLE', message: expect.any(String) },
    });
    expect(errorResponse(new GuardError('ERR_GUARD_NO_KEYS'), 'x').headers['retry-after']).toBe('5');
  });

  it('every error is a GuardError with a literal code', () => {
    for (const code of Object.keys(guardErrorCodes) as GuardErrorCode[]) {
      const error = new GuardError(code, { cause: new Error('inner') });
      expect(isGuardError(error)).toBe(true);
      expect(error.code).toBe(code);
      expect(error.status).toBe(guardErrorCodes[code].status);
    }
  });
});
