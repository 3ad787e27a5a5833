import type { RevocationStore, Storage } from '../types.js';
import { sqlAudit } from './audit.js';
import { sqlAuthorizationCodes } from './authorization-codes.js';
import { sqlBrowserSessions } from './browser-sessions.js';
import { sqlConsents } from './consents.js';
import type { SqlContext } from './context.js';
import { sqlEmailTokens } from './email-tokens.js';
import { sqlKeys } from './keys.js';
import { sqlPasskeys } from './passkeys.js';
import { sqlAudiences, sqlClients, sqlRoles, sqlUsers } from './records.js';
import { sqlRecoveryCodes } from './recovery-codes.js';
import { sqlRefreshTokens } from './refresh-tokens.js';
import { sqlSessions } from './sessions.js';
import { sqlTotp } from './totp.js';

/** Assembles a Storage from the shared SQL stores plus the dialect-specific parts. */
export function assembleSqlStorage(
  ctx: SqlContext,
  parts: {
    kind: 'sqlite' | 'postgres';
    revocations: RevocationStore;
    withMaintenanceLock: Storage['withMaintenanceLock'];
    migrate(): Promise<void>;
    close(): Promise<void>;
  },
): Storage {
  return {
    kind: parts.kind,
    users: sqlUsers(ctx),
    clients: sqlClients(ctx),
    audiences: sqlAudiences(ctx),
    roles: sqlRoles(ctx),
    sessions: sqlSessions(ctx),
    refreshTokens: sqlRefreshTokens(ctx),
    keys: sqlKeys(ctx),
    revocations: parts.revocations,
    audit: sqlAudit(ctx),
    authorizationCodes: sqlAuthorizationCodes(ctx),
    consents: sqlConsents(ctx),
    browserSessions: sqlBrowserSessions(ctx),
    totp: sqlTotp(ctx),
    recoveryCodes: sqlRecoveryCodes(ctx),
    passkeys: sqlPasskeys(ctx),
    emailTokens: sqlEmailTokens(ctx),
    withMaintenanceLock: parts.withMaintenanceLock,
    migrate: parts.migrate,
    close: parts.close,
  };
}
