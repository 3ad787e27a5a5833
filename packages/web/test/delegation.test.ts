import { describe, expect, it } from 'vitest';
import { actorsOf, delegationChain } from '../src/lib/delegation.js';

describe('delegation chains (RFC 8693 act)', () => {
  it('lists actors earliest first', () => {
    expect(actorsOf({ sub: 'b', act: { sub: 'a' } })).toEqual(['a', 'b']);
    expect(actorsOf(undefined)).toEqual([]);
    expect(actorsOf({ act: 'nonsense' })).toEqual([]);
  });

  it('reads guest → service → billing from the answer, nested or not', () => {
    const billing = {
      charged: true,
      guest: 'alice',
      sub: 'u1',
      act: { sub: 'rooms-service' },
      aud: 'billing',
    };
    expect(delegationChain({ billing })).toEqual(['alice', 'rooms-service', 'billing']);
    expect(delegationChain(billing)).toEqual(['alice', 'rooms-service', 'billing']);
    expect(delegationChain({ opened: true })).toBeUndefined();
    expect(delegationChain(null)).toBeUndefined();
  });
});
