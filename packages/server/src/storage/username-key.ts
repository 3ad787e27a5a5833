/**
 * The key under which a username is unique and looked up: NFC-normalised and lower-cased,
 * so 'Alice' and 'ALICE' are the same account.
 *
 * @example
 * ```ts
 * await storage.users.getByUsername(usernameKey(' Alice'.trim())); // looks up 'alice'
 * ```
 */
export function usernameKey(username: string): string {
  return username.normalize('NFC').toLowerCase();
}
