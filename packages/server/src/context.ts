import type { AuditLog } from './audit/index.js';
import type { BackchannelLogout } from './authorize/backchannel-logout.js';
import type { KeycardConfig } from './config/index.js';
import type { Coordinator } from './coordinator/index.js';
import type { Sealer } from './crypto/index.js';
import type { DirectoryCache } from './directory/index.js';
import type { KeyManager } from './keys/index.js';
import type { Mailer } from './mail/index.js';
import type { Metrics } from './metrics/index.js';
import type { PasswordHasher } from './passwords/index.js';
import type {
  publishKeyRevocation,
  publishRevocation,
  publishSessionRevocations,
  publishSubjectRevocation,
  RevocationIndex,
} from './revocations/index.js';
import type { Storage, UserRecord } from './storage/index.js';
import type { Throttle } from './throttle/index.js';

/** Milliseconds since the epoch; injectable so tests can freeze time. */
export type Clock = () => number;

/** The minimal logger the services use (pino satisfies it). */
export interface Logger {
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

/** Who made a request: recorded in sessions and audit events. */
export interface RequestInfo {
  ip: string | null;
  userAgent: string | null;
}

/** What the custom-claims hook is told about the token being issued. */
export interface CustomClaimsContext {
  grant: 'password' | 'refresh_token' | 'authorization_code' | 'client_credentials' | 'token_exchange';
  clientId: string;
  user: UserRecord | undefined;
  scopes: string[];
  audiences: string[];
}

/** Adds claims to access tokens; registered claims (iss, sub, exp, scope, ...) cannot be overridden. */
export type CustomClaimsHook = (
  ctx: CustomClaimsContext,
) => Record<string, unknown> | Promise<Record<string, unknown>>;

/** Everything a domain service needs; built once by createServer. */
export interface ServerContext {
  readonly config: KeycardConfig;
  /** Public base URL (known once the socket is bound when not configured). */
  issuer: string;
  /**
   * Whether this server serves the web app, and so the sign-in and consent pages `/oauth/authorize`
   * sends browsers to; known once the routes are registered (false before, and in offline tools).
   */
  webPages: boolean;
  readonly storage: Storage;
  readonly coordinator: Coordinator;
  readonly clock: Clock;
  readonly sealer: Sealer;
  readonly passwords: PasswordHasher;
  readonly keys: KeyManager;
  /** Short-lived cache of clients, audiences and roles for the token hot paths. */
  readonly directory: DirectoryCache;
  readonly revocationIndex: RevocationIndex;
  readonly throttle: Throttle;
  readonly audit: AuditLog;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly customClaims: CustomClaimsHook | undefined;
  /** Sends Back-Channel Logout tokens in the background when a browser session ends. */
  readonly backchannelLogout: BackchannelLogout;
  /** Outgoing mail (reset and verification links); `configured` is false without `mail.smtp`. */
  readonly mailer: Mailer;
}

/** The audience of the server's own API (`/api/*` Bearer calls require it). */
export const API_AUDIENCE = 'keycard';
/** The scope a card needs to read the revocation feed when `revocations.requireAuth` is on. */
export const FEED_SCOPE = 'revocations:read';
/** Scopes the server's own API audience understands: cards for it are narrowed to these. */
export const API_SCOPES: readonly string[] = ['admin', FEED_SCOPE];
/** The built-in first-party public client of the web app, and `/api/login`'s default; requires DPoP. */
export const WEB_CLIENT_ID = 'keycard-web';
/** The built-in first-party public client for scripts and curl: Bearer cards for the keycard API. */
export const SCRIPT_CLIENT_ID = 'keycard-cli';

/**
 * What publishing revocation events reads: whatever `revocations/publish.ts` declares (storage,
 * coordinator, metrics, logger, clock, config). Services that publish add it to their own
 * dependency type.
 */
export type RevocationPublishDeps = Parameters<typeof publishRevocation>[0] &
  Parameters<typeof publishSessionRevocations>[0] &
  Parameters<typeof publishSubjectRevocation>[0] &
  Parameters<typeof publishKeyRevocation>[0];
