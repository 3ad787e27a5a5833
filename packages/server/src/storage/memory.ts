import { memoryBrowserSessions } from './memory/browser-sessions.js';
import { memoryEmailTokens } from './memory/email-tokens.js';
import { memoryAudit, memoryRevocations } from './memory/events.js';
import { memoryPasskeys, memoryRecoveryCodes, memoryTotp } from './memory/factors.js';
import { memoryAuthorizationCodes, memoryConsents } from './memory/flow.js';
import { memoryKeys } from './memory/keys.js';
import { memoryAudiences, memoryClients, memoryRoles, memoryUsers } from './memory/records.js';
import { memoryRefreshTokens, memorySessions } from './memory/sessions.js';
import { createMemoryState } from './memory/state.js';
import { inProcessLock } from './process-lock.js';
import type { Storage } from './types.js';

/**
 * In-process storage for tests and throw-away development servers.
 *
 * Everything lives in this process's heap and is lost on restart or `close()`; it cannot be
 * shared between instances. Records are deep-copied in and out, and `consume` is atomic
 * because it never yields between its check and its write.
 *
 * @example
 * ```ts
 * const storage = createMemoryStorage();
 * await storage.migrate(); // no-op, kept for symmetry with the SQL adapters
 * await storage.roles.upsert({ name: 'guest', scopes: ['rooms:read'], createdAt: Date.now() });
 * ```
 */
export function createMemoryStorage(): Storage {
  const state = createMemoryState();
  return {
    kind: 'memory',
    users: memoryUsers(state),
    clients: memoryClients(state),
    audiences: memoryAudiences(state),
    roles: memoryRoles(state),
    sessions: memorySessions(state),
    refreshTokens: memoryRefreshTokens(state),
    keys: memoryKeys(state),
    revocations: memoryRevocations(state),
    audit: memoryAudit(state),
    authorizationCodes: memoryAuthorizationCodes(state),
    consents: memoryConsents(state),
    browserSessions: memoryBrowserSessions(state),
    totp: memoryTotp(state),
    recoveryCodes: memoryRecoveryCodes(state),
    passkeys: memoryPasskeys(state),
    emailTokens: memoryEmailTokens(state),
    withMaintenanceLock: inProcessLock(new Set()),
    async migrate() {},
    async close() {},
  };
}
