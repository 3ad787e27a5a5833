/**
 * What an app asks for, in plain words for the consent page. DOM-free so it is unit-tested.
 */
import { API_AUDIENCE } from '@keycard/protocol';

const IDENTITY: Record<string, string> = {
  openid: 'Know who you are (your keycard account id)',
  profile: 'See your username and when your account last changed',
  email: 'See your email address',
  offline_access: 'Stay connected when you are away, until you revoke it on your account page',
};

/**
 * One line per scope: identity scopes in words, a door's permission by its name.
 *
 * @example
 * scopeWords('profile'); // 'See your username and when your account last changed'
 * scopeWords('rooms:open'); // 'Use the permission “rooms:open”'
 */
export function scopeWords(scope: string): string {
  return IDENTITY[scope] ?? `Use the permission “${scope}”`;
}

/**
 * One line per door (audience) the app's cards would open.
 *
 * @example
 * doorWords({ id: 'rooms', name: 'Rooms (Express)' }); // 'Rooms (Express)'
 */
export function doorWords(door: { id: string; name: string }): string {
  return door.id === API_AUDIENCE ? 'Your keycard account at the front desk' : door.name;
}
