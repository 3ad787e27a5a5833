import { describe, expect, it } from 'vitest';
import { doorWords, scopeWords } from '../src/lib/scope-words.js';

describe('what an app asks, in plain words', () => {
  it('identity scopes are described, a door permission is named', () => {
    expect(scopeWords('openid')).toBe('Know who you are (your keycard account id)');
    expect(scopeWords('email')).toBe('See your email address');
    expect(scopeWords('offline_access')).toMatch(/until you revoke it on your account page/);
    expect(scopeWords('rooms:open')).toBe('Use the permission “rooms:open”');
  });

  it('doors by their name; the front desk itself as the account', () => {
    expect(doorWords({ id: 'rooms', name: 'Rooms (Express)' })).toBe('Rooms (Express)');
    expect(doorWords({ id: 'keycard', name: 'keycard' })).toBe('Your keycard account at the front desk');
  });
});
