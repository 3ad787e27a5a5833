import { z } from 'zod';
import { accountsSchema, mailSchema } from './mail-schema.js';

const seconds = (min: number, fallback: number) => z.number().int().min(min).default(fallback);

const windowLimit = (limit: number, windowSeconds: number) =>
  z
    .object({ limit: z.number().int().min(1).default(limit), windowSeconds: seconds(1, windowSeconds) })
    .strict()
    .prefault({});

/**
 * A CORS origin as browsers send it in `Origin`: an http(s) one is scheme, host and port, no path
 * and no trailing slash — anything else would never match and silently leave the app refused.
 */
const corsOrigin = z.url().superRefine((value, issue) => {
  if (!/^https?:/i.test(value) || !URL.canParse(value)) return;
  const origin = new URL(value).origin;
  if (origin !== value) issue.addIssue({ code: 'custom', message: `must be an origin: ${origin}` });
});

const door = z
  .object({
    id: z.string().min(1).max(100),
    name: z.string().min(1).max(200),
    url: z.url(),
    audience: z.string().min(1).max(200).optional(),
    method: z.enum(['GET', 'POST']).optional(),
    description: z.string().max(2000).default(''),
  })
  .strict();

/**
 * The whole server configuration: one schema, validated at start-up (the error names the bad
 * field), then frozen. README.md documents each option with its default and environment variable.
 */
export const configSchema = z
  .object({
    /** Public base URL; `iss` of every token. Default `http://{host}:{port}` of the bound socket. */
    issuer: z
      .url({ protocol: /^https?$/ })
      .refine((u) => !u.endsWith('/'), 'must not end with a slash')
      .optional(),
    port: z.number().int().min(0).max(65535).default(4000),
    host: z.string().min(1).default('127.0.0.1'),
    dataDir: z.string().min(1).default('.keycard'),
    /** 32 bytes, base64url. Unset: read from (or generated into) `{dataDir}/master.key`. */
    masterKey: z
      .string()
      .regex(/^[A-Za-z0-9_-]{43}$/, 'must be 32 bytes in base64url (43 characters)')
      .optional(),
    /** `memory`, `sqlite:/path/file.db`, or `postgres://…`. Default: SQLite at `{dataDir}/keycard.db`. */
    databaseUrl: z.string().min(1).optional(),
    storage: z
      .object({
        /**
         * SQLite durability: `normal` (WAL, survives a process crash; a power loss or OS crash may
         * lose the last transactions) or `full` (an fsync per commit, survives those too).
         */
        sqliteSynchronous: z.enum(['normal', 'full']).default('normal'),
        /**
         * Bound on each storage call's database work, in ms: getting a connection, each query and
         * statement (PostgreSQL), waiting for a lock (SQLite). Past it the request answers 503.
         */
        timeoutMs: z.number().int().min(100).max(120_000).default(5000),
      })
      .strict()
      .prefault({}),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /**
     * Proxies in front of the server that append to `X-Forwarded-For`: `true` is one, a number
     * that many, a list names their addresses or CIDR ranges. The client is the first entry from
     * the right that is not a trusted proxy, never a forged leftmost one.
     */
    trustProxy: z
      .union([
        z.boolean(),
        z.number().int().min(1).max(10),
        z.array(z.string().min(1).max(100)).min(1).max(100),
      ])
      .default(false),
    bodyLimit: z.number().int().min(1024).max(10_485_760).default(65_536),
    tokens: z
      .object({
        accessTokenTtl: seconds(30, 600).refine((v) => v <= 86_400, 'must be at most 86400'),
        algorithm: z
          .enum(['ES256', 'ES384', 'ES512', 'EdDSA', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'])
          .default('ES256'),
        leeway: seconds(0, 30),
        /** Lifetime of an OpenID Connect ID token (seconds): it proves a sign-in, it opens no door. */
        idTokenTtl: seconds(30, 300).refine((v) => v <= 3600, 'must be at most 3600'),
      })
      .strict()
      .prefault({}),
    sessions: z
      .object({
        refreshIdleTtl: seconds(60, 1_209_600),
        absoluteTtl: seconds(60, 2_592_000),
        refreshGraceSeconds: seconds(0, 10).refine((v) => v <= 120, 'must be at most 120'),
      })
      .strict()
      .prefault({}),
    authorize: z
      .object({
        /** Lifetime of an authorization code (seconds): one use, within this time. */
        codeTtl: seconds(10, 60).refine((v) => v <= 600, 'must be at most 600'),
        /** How long the sign-in and consent pages of one authorization request stay usable. */
        interactionTtl: seconds(60, 900).refine((v) => v <= 3600, 'must be at most 3600'),
        /** Absolute lifetime of the front desk's browser session (single sign-on), seconds. */
        browserSessionTtl: seconds(300, 86_400).refine((v) => v <= 2_592_000, 'must be at most 2592000'),
      })
      .strict()
      .prefault({}),
    backchannelLogout: z
      .object({
        /** Bound on one delivery attempt of a logout token to a client, ms. */
        timeoutMs: z.number().int().min(100).max(30_000).default(5000),
        /** Attempts per logout token (the first included) while the client fails or is unreachable. */
        attempts: z.number().int().min(1).max(8).default(4),
        /** Wait before the first retry, ms; each later retry waits twice as long as the one before. */
        retryDelayMs: z.number().int().min(10).max(60_000).default(1000),
      })
      .strict()
      .prefault({}),
    keys: z
      .object({
        rotationInterval: seconds(3600, 2_592_000),
        publishLead: seconds(0, 3600),
        checkInterval: seconds(1, 60),
      })
      .strict()
      .prefault({}),
    passwords: z
      .object({
        memoryCost: z.number().int().min(19_456, 'must be at least 19456 KiB (OWASP)').default(19_456),
        timeCost: z.number().int().min(2, 'must be at least 2 (OWASP)').default(2),
        parallelism: z.number().int().min(1).max(16).default(1),
        minLength: z.number().int().min(8).max(128).default(8),
        maxLength: z.number().int().min(16).max(4096).default(1024),
        /** argon2 computations at once; default: CPU cores - 1 (at least 1), so requests keep a core. */
        maxConcurrent: z.number().int().min(1).max(256).optional(),
      })
      .strict()
      .prefault({}),
    registration: z
      .object({ enabled: z.boolean().default(false), roles: z.array(z.string().min(1)).default(['guest']) })
      .strict()
      .prefault({}),
    throttle: z
      .object({
        enabled: z.boolean().default(true),
        loginPerIp: windowLimit(30, 60),
        tokenPerIp: windowLimit(300, 60),
        registerPerIp: windowLimit(10, 3600),
        /** Failed sign-ins from one source (IP, IPv6 /64) for one account: over it, that pair is refused. */
        accountSourceFailures: windowLimit(5, 900),
        /** Failed sign-ins from one source across all accounts: over it, the source is refused. */
        sourceFailures: windowLimit(50, 3600),
        /** Account-wide failures: over it, unfamiliar sources get one guess each, after a delay. */
        accountFailures: windowLimit(10, 900),
        /** Account-wide failures: over it, unfamiliar sources are refused; familiar ones still sign in. */
        accountFailuresLong: windowLimit(100, 86_400),
        /** Delay before checking a password from an unfamiliar source while the account is over `accountFailures`. */
        accountDelayMs: z.number().int().min(0).max(10_000).default(1000),
        /** How long a successful sign-in makes its source familiar to the account. */
        familiarSeconds: seconds(0, 2_592_000),
      })
      .strict()
      .prefault({}),
    cors: z
      .object({ origins: z.array(z.union([corsOrigin, z.literal('*')])).default([]) })
      .strict()
      .prefault({}),
    ui: z
      .object({
        enabled: z.boolean().default(true),
        staticDir: z.string().min(1).optional(),
        doors: z.array(door).default([]),
        /**
         * URL of a read-only mailbox the web app's "Mailbox" page lists (the demo's mail sink);
         * unset: no such page. Never a real mailbox: it shows the mailed links.
         */
        mailbox: z.url({ protocol: /^https?$/ }).optional(),
      })
      .strict()
      .prefault({}),
    revocations: z
      .object({
        pingInterval: seconds(1, 15),
        maxWait: seconds(0, 30),
        pruneInterval: seconds(1, 300),
        /** Open feed readers (SSE streams + waiting long-polls) per instance; beyond: 503 ERR_FEED_FULL. */
        maxReaders: z.number().int().min(1).default(2000),
        /** Open feed readers per source address; beyond: 429 ERR_RATE_LIMITED. */
        maxReadersPerAddress: z.number().int().min(1).default(16),
        /** Feed readers must present a card with scope `revocations:read` (off: the feed is public). */
        requireAuth: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    audit: z
      .object({
        /** Days audit events are kept; older ones are pruned in batches by the maintenance job. 0: kept for ever. */
        retentionDays: z.number().int().min(0).max(36_500).default(90),
      })
      .strict()
      .prefault({}),
    mfa: z
      .object({
        /** Failed second-factor attempts per account within `failureWindow`; beyond: 429 ERR_RATE_LIMITED. */
        maxFailures: z.number().int().min(1).max(100).default(5),
        /** The window of `maxFailures`, seconds. */
        failureWindow: seconds(1, 300).refine((v) => v <= 86_400, 'must be at most 86400'),
        /**
         * Failed codes (TOTP, recovery codes) per account within 24 hours, on top of `maxFailures`:
         * caps the steady rate of guessing the short window allows. Beyond: 429 ERR_RATE_LIMITED.
         */
        dailyMaxFailures: z.number().int().min(1).max(10_000).default(20),
        /** A card older than this (its `auth_time`, seconds) cannot remove a factor or change the account. */
        recentAuthMaxAge: seconds(30, 600).refine((v) => v <= 86_400, 'must be at most 86400'),
        /** The name authenticators show for passkeys and TOTP apps show as the issuer. */
        rpName: z
          .string()
          .min(1)
          .max(64)
          // A colon separates issuer and account in an otpauth:// label; control characters show badly.
          .regex(/^[^:\p{Cc}]+$/u, 'must not contain a colon or control characters')
          .default('keycard'),
      })
      .strict()
      .prefault({}),
    redis: z
      .object({
        /**
         * `redis://` or `rediss://` URL of a Redis shared by every instance: cluster-wide rate limits
         * and flags, pub/sub for revocation wake-ups and cache invalidations. Unset: none.
         */
        url: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }).optional(),
        /** Prefix of every Redis key and channel (several deployments can share one Redis). */
        keyPrefix: z.string().min(1).max(100).default('keycard:'),
        /** While Redis is unreachable, each instance allows `ceil(limit / divisor)` on its own. */
        degradedLimitDivisor: z.number().int().min(1).max(100).default(3),
      })
      .strict()
      .prefault({}),
    metrics: z
      .object({
        enabled: z.boolean().default(true),
        /** Bearer token a scraper sends to `/metrics`; unset: `/metrics` answers 401 to everyone. */
        token: z
          .string()
          .min(32, 'must be at least 32 characters')
          .max(512)
          .regex(/^[A-Za-z0-9._~+/=-]+$/, 'must use only letters, digits and . _ ~ + / = -')
          .optional(),
      })
      .strict()
      .prefault({}),
    mail: mailSchema,
    accounts: accountsSchema,
  })
  .strict();

/** What a caller may pass: every field optional. */
export type KeycardConfigInput = z.input<typeof configSchema>;
/** The validated, defaulted, frozen configuration. */
export type KeycardConfig = Readonly<z.output<typeof configSchema>>;
