import { describe, expect, it } from 'vitest';
import { buildAuthContext } from '../src/core/auth-context.js';
import type { AuthContext, Policy } from '../src/index.js';
import {
  all,
  allow,
  any,
  checkPolicies,
  refuseDelegation,
  requireClient,
  requireDelegation,
  requireDpop,
  requireOwner,
  requireRoles,
  requireScopes,
  requireUser,
} from '../src/index.js';

const auth = buildAuthContext('tok', {
  sub: 'alice',
  exp: 2e9,
  scope: 'rooms:read pool:swim',
  roles: ['guest'],
  aud: 'rooms',
  sid: 'session-1',
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

describe('subjects cannot be confused', () => {
  const user = buildAuthContext('u', { sub: 'alice', sid: 's1', exp: 2e9, roles: ['manager'] })!;
  // A client registered with the id "alice" (issue 8): same sub, no session, and even a roles claim.
  const client = buildAuthContext('c', { sub: 'alice', client_id: 'alice', exp: 2e9, roles: ['manager'] })!;
  const delegated = buildAuthContext('d', {
    sub: 'alice',
    sid: 's1',
    exp: 2e9,
    act: { sub: 'billing-svc', act: { sub: 'rooms-svc' } },
  })!;
  const run = async (p: Policy, a: AuthContext) => (await p(a, { owner: 'alice' }))?.code;

  it('derives subjectType, actor, confirmation and tokenType from the claims', () => {
    expect([user.subjectType, client.subjectType]).toEqual(['user', 'client']);
    expect(delegated.actor).toEqual({ sub: 'billing-svc', chain: ['billing-svc', 'rooms-svc'] });
    expect(user.actor).toBeUndefined();
    expect([user.confirmation, user.tokenType]).toEqual([undefined, 'Bearer']);
    const jkt = 'A'.repeat(43);
    const bound = buildAuthContext('b', { sub: 'x', sid: 's', exp: 2e9, cnf: { jkt } })!;
    expect([bound.confirmation, bound.tokenType]).toEqual([{ jkt }, 'DPoP']);
  });

  it('refuses cards whose act or cnf it cannot understand', () => {
    expect(buildAuthContext('t', { sub: 'a', exp: 2e9, act: { client: 'x' } })).toBeUndefined();
    expect(buildAuthContext('t', { sub: 'a', exp: 2e9, act: 'rooms' })).toBeUndefined();
    expect(buildAuthContext('t', { sub: 'a', exp: 2e9, cnf: { 'x5t#S256': 'abc' } })).toBeUndefined();
    expect(buildAuthContext('t', { sub: 'a', exp: 2e9, cnf: { jkt: 'short' } })).toBeUndefined();
    let deep: Record<string, unknown> = { sub: 'last' };
    for (let i = 0; i < 20; i++) deep = { sub: `a${i}`, act: deep };
    expect(buildAuthContext('t', { sub: 'a', exp: 2e9, act: deep })).toBeUndefined();
  });

  it('a client card whose sub equals a user id does not pass requireOwner or requireRoles for that user', async () => {
    const owner = requireOwner((req: { owner?: string }) => req.owner) as Policy;
    expect(await run(owner, user)).toBeUndefined();
    expect(await run(owner, client)).toBe('ERR_GUARD_USER_REQUIRED');
    expect(await run(requireRoles('manager'), user)).toBeUndefined();
    expect(await run(requireRoles('manager'), client)).toBe('ERR_GUARD_USER_REQUIRED');
    const lenient = requireOwner((req: { owner?: string }) => req.owner, { allowClients: true }) as Policy;
    expect(await run(lenient, client)).toBeUndefined();
    expect(await run(requireRoles('manager', { allowClients: true }), client)).toBeUndefined();
    expect(() => requireRoles({ allowClients: true } as never)).toThrow(TypeError);
  });

  it('requireUser, requireClient, requireDelegation, refuseDelegation, requireDpop', async () => {
    expect(await run(requireUser(), user)).toBeUndefined();
    expect(await run(requireUser(), client)).toBe('ERR_GUARD_USER_REQUIRED');
    expect(await run(requireClient(), client)).toBeUndefined();
    expect(await run(requireClient('alice'), client)).toBeUndefined();
    expect(await run(requireClient('rooms-svc'), client)).toBe('ERR_GUARD_CLIENT_REQUIRED');
    expect(await run(requireClient('alice'), user)).toBe('ERR_GUARD_CLIENT_REQUIRED');
    expect(await run(requireDelegation(), delegated)).toBeUndefined();
    expect(await run(requireDelegation('billing-svc'), delegated)).toBeUndefined();
    expect(await run(requireDelegation('rooms-svc'), delegated)).toBe('ERR_GUARD_DELEGATION_REQUIRED');
    expect(await run(requireDelegation(), user)).toBe('ERR_GUARD_DELEGATION_REQUIRED');
    expect(await run(refuseDelegation(), user)).toBeUndefined();
    expect(await run(refuseDelegation(), delegated)).toBe('ERR_GUARD_DELEGATION_REFUSED');
    const denied = await requireDpop()(user, {});
    expect([denied?.code, denied?.status, denied?.scheme]).toEqual(['ERR_GUARD_DPOP_REQUIRED', 401, 'DPoP']);
  });
});
