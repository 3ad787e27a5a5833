import { describe, expect, it } from 'vitest';
import { buildAuthContext } from '../src/core/auth-context.js';
import type { AuthContext, Policy } from '../src/index.js';
import { all, allow, any, checkPolicies, requireOwner, requireRoles, requireScopes } from '../src/index.js';

const auth = buildAuthContext('tok', {
  sub: 'alice',
  exp: 2e9,
  scope: 'rooms:read pool:swim',
  roles: ['guest'],
  aud: 'rooms',
}) as AuthContext;

const code = async (p: Policy<{ owner?: string }>, req: { owner?: string } = {}) =>
  (await p(auth, req))?.code;

describe('policies', () => {
  it('requireScopes needs every scope and names them', async () => {
    expect(await code(requireScopes('rooms:read'))).toBeUndefined();
    expect(await code(requireScopes('rooms:read', 'pool:swim'))).toBeUndefined();
    const denied = await requireScopes('rooms:read', 'rooms:write')(auth, {});
    expect([denied?.code, denied?.status, denied?.scope]).toEqual([
      'ERR_GUARD_INSUFFICIENT_SCOPE',
      403,
      'rooms:read rooms:write',
    ]);
    expect(() => requireScopes('bad "scope"')).toThrow(TypeError);
  });

  it('requireRoles needs one of the roles', async () => {
    expect(await code(requireRoles('staff', 'guest'))).toBeUndefined();
    expect(await code(requireRoles('manager'))).toBe('ERR_GUARD_FORBIDDEN_ROLE');
  });

  it('requireOwner compares sub with the owner, sync or async, and denies an unknown owner', async () => {
    const owner = requireOwner((req: { owner?: string }) => req.owner);
    expect(await code(owner, { owner: 'alice' })).toBeUndefined();
    expect(await code(owner, { owner: 'bob' })).toBe('ERR_GUARD_NOT_OWNER');
    expect(await code(owner, {})).toBe('ERR_GUARD_NOT_OWNER');
    const lookedUp = requireOwner(async (req: { owner?: string }) => req.owner);
    expect(await code(lookedUp, { owner: 'alice' })).toBeUndefined();
    expect(await code(lookedUp, { owner: 'bob' })).toBe('ERR_GUARD_NOT_OWNER');
  });

  it('composes with all/any/allow and stays synchronous for synchronous policies', async () => {
    const staffOrOwner = any(
      requireRoles('staff'),
      requireOwner((req: { owner?: string }) => req.owner),
    );
    expect(await code(staffOrOwner, { owner: 'alice' })).toBeUndefined();
    expect(await code(staffOrOwner, { owner: 'bob' })).toBe('ERR_GUARD_FORBIDDEN_ROLE');
    const both = all(requireScopes('rooms:read'), requireRoles('manager'));
    expect(await code(both)).toBe('ERR_GUARD_FORBIDDEN_ROLE');
    expect(await code(allow((a) => a.sub === 'alice'))).toBeUndefined();
    expect(await code(allow(async () => false))).toBe('ERR_GUARD_FORBIDDEN');
    const sync = checkPolicies([requireScopes('rooms:read'), requireRoles('guest')], auth, {});
    expect(sync).toBeUndefined();
  });
});
