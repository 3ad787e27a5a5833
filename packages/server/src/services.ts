import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Logger as PinoLogger } from 'pino';
import { createAuditLog } from './audit/index.js';
import { createBackchannelLogout } from './authorize/backchannel-logout.js';
import { seedDefaults } from './clients/index.js';
import { type KeycardConfig, type KeycardConfigInput, parseConfig } from './config/index.js';
import type { Clock, CustomClaimsHook, Logger, ServerContext } from './context.js';
import { type Coordinator, createCoordinator } from './coordinator/index.js';
import { createSealer } from './crypto/index.js';
import { createDirectoryCache, DIRECTORY_TTL_MS } from './directory/index.js';
import { ServerError } from './errors.js';
import { createKeyManager, decodeMasterKey, loadOrCreateMasterKeyFile } from './keys/index.js';
import { createLogger } from './logger.js';
import { createMailer } from './mail/index.js';
import { createMetrics } from './metrics/index.js';
import { createPasswordHasher } from './passwords/index.js';
import { createRevocationIndex } from './revocations/index.js';
import { createStorage, type Storage, type StorageConfig } from './storage/index.js';
import { createThrottle } from './throttle/index.js';

/** Options of {@link createServer} and {@link openServices} beyond the configuration. */
export interface CreateServerOptions {
  /** Use this storage instead of opening the configured one (the caller closes it). */
  storage?: Storage;
  /** Use this coordinator instead of the configured one (the caller closes it). */
  coordinator?: Coordinator;
  /** Milliseconds since the epoch; default Date.now. */
  clock?: Clock;
  /** Adds claims to every access token (cannot override registered claims). */
  customClaims?: CustomClaimsHook;
  /** A pino logger to use instead of the built-in one. */
  logger?: PinoLogger;
  /** Start the periodic key-rotation and pruning jobs (default true). */
  jobs?: boolean;
  /**
   * TESTS ONLY: hash passwords with a tiny argon2id cost so suites stay fast. Never set it in
   * a deployment; the configuration itself cannot go below OWASP's parameters.
   */
  unsafeFastPasswordHashingForTests?: boolean;
}

/** Options of {@link openServices}: any logger with info/warn/error will do (the CLI prints plain lines). */
export type OpenServicesOptions = Omit<CreateServerOptions, 'logger' | 'jobs'> & { logger?: Logger };

/** Maps `databaseUrl` to the storage driver configuration. */
export function storageConfigFor(config: KeycardConfig): StorageConfig {
  const url = config.databaseUrl;
  if (url === 'memory') return { driver: 'memory' };
  const { sqliteSynchronous: synchronous, timeoutMs } = config.storage;
  if (url === undefined)
    return { driver: 'sqlite', file: join(config.dataDir, 'keycard.db'), synchronous, timeoutMs };
  if (url.startsWith('sqlite:'))
    return { driver: 'sqlite', file: url.slice('sqlite:'.length), synchronous, timeoutMs };
  if (/^postgres(ql)?:\/\//.test(url)) return { driver: 'postgres', url, timeoutMs };
  throw new ServerError('ERR_CONFIG_INVALID', {
    message: 'Invalid keycard configuration: databaseUrl: expected memory, sqlite:PATH or postgres://…',
  });
}

/** A lost database connection is logged (the pool replaces it; requests meanwhile answer 503). */
function withConnectionLog(config: StorageConfig, logger: Logger): StorageConfig {
  if (config.driver !== 'postgres') return config;
  return { ...config, onConnectionError: (err) => logger.warn({ err }, 'storage connection lost') };
}

/** The URL a socket bound to host:port is reached at (wildcard hosts become loopback). */
export function baseUrl(host: string, port: number): string {
  const h = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `http://${h}:${port}`;
}

/** The services without HTTP: what the server runs on, and what CLI commands use on a data dir. */
export interface OpenServices {
  readonly ctx: ServerContext;
  /** Closes what was opened here (storage and coordinator unless they were injected). */
  close(): Promise<void>;
}

/**
 * Validates the configuration, opens storage (SQLite in the data dir by default), loads or
 * creates the master key and signing keys, and seeds the built-in client, audience and roles.
 *
 * @example
 * ```ts
 * const { ctx, close } = await openServices({ dataDir: '.keycard' });
 * await createUser(ctx, { username: 'alice', password: 'correct horse', roles: ['guest'] });
 * await close();
 * ```
 */
export async function openServices(
  configInput: KeycardConfigInput | KeycardConfig = {},
  options: OpenServicesOptions = {},
): Promise<OpenServices> {
  const config = parseConfig(configInput);
  const logger = options.logger ?? createLogger(config.logLevel);
  const clock = options.clock ?? Date.now;
  const ownsStorage = options.storage === undefined;
  if (options.storage === undefined && config.databaseUrl !== 'memory') {
    // Created here first so the data dir (master key, database) is private to the owner.
    mkdirSync(resolve(config.dataDir), { recursive: true, mode: 0o700 });
  }
  const storage =
    options.storage ?? (await createStorage(withConnectionLog(storageConfigFor(config), logger)));
  if (storage.kind === 'memory')
    logger.warn('memory storage: every user, key and session is lost on restart');
  let masterKey: Buffer;
  if (config.masterKey !== undefined) {
    masterKey = decodeMasterKey(config.masterKey);
  } else if (storage.kind === 'memory') {
    masterKey = randomBytes(32);
  } else {
    masterKey = loadOrCreateMasterKeyFile(resolve(config.dataDir), (path) =>
      logger.warn(
        { path },
        'KEYCARD_MASTER_KEY is not set: generated a master key file. Back it up and keep it secret: ' +
          'without it the stored signing keys cannot be read. Set KEYCARD_MASTER_KEY in production.',
      ),
    );
  }
  const ownsCoordinator = options.coordinator === undefined;
  let coordinator: Coordinator;
  try {
    coordinator = options.coordinator ?? (await createCoordinator(config, storage, logger, options.clock));
  } catch (error) {
    if (ownsStorage) await storage.close();
    throw error;
  }
  // Another instance changed clients, audiences, roles or keys: drop what this one cached.
  const invalidate = (what: 'directory' | 'keys') => {
    coordinator.publishInvalidation(what).catch((err) => logger.warn({ err }, 'invalidation not sent'));
  };
  const sealer = createSealer(masterKey);
  const metrics = createMetrics({ coordinatorHealth: () => coordinator.health() });
  const audit = createAuditLog({ storage, clock, logger });
  const cost = options.unsafeFastPasswordHashingForTests
    ? { memoryCost: 1024, timeCost: 1, parallelism: 1 }
    : config.passwords;
  const keys = createKeyManager({
    storage,
    sealer,
    config,
    clock,
    logger,
    onRotate: (info) => {
      void audit.record('key.rotate', { actor: 'system', subject: info.current, detail: { ...info } });
    },
    onChange: () => invalidate('keys'),
  });
  const mailer = createMailer(config.mail, logger);
  if (config.accounts.signup && !mailer.configured)
    logger.warn(
      'accounts.signup is on but mail.smtp is not set: sign-up answers 404 until mail is configured',
    );
  const directory = createDirectoryCache(storage, DIRECTORY_TTL_MS, () => invalidate('directory'));
  const stopInvalidations = coordinator.onInvalidation((what) => {
    if (what === 'directory') directory.drop();
    else keys.invalidate();
  });
  const ctx: ServerContext = {
    config,
    issuer: config.issuer ?? baseUrl(config.host, config.port),
    webPages: false,
    storage,
    coordinator,
    clock,
    sealer,
    passwords: createPasswordHasher(
      { memoryCost: cost.memoryCost, timeCost: cost.timeCost, parallelism: cost.parallelism },
      config.passwords.maxConcurrent !== undefined ? { maxConcurrent: config.passwords.maxConcurrent } : {},
    ),
    keys,
    directory,
    revocationIndex: createRevocationIndex(storage, clock),
    throttle: createThrottle(config, coordinator),
    audit,
    metrics,
    logger,
    customClaims: options.customClaims,
    backchannelLogout: createBackchannelLogout({
      config,
      keys,
      clock,
      audit,
      metrics,
      logger,
      // Read at each delivery: the issuer is only known once the socket is bound.
      get issuer() {
        return ctx.issuer;
      },
    }),
    mailer,
  };
  try {
    // Seed only a brand-new database (no signing key yet): what an admin deleted stays deleted.
    const firstStart = (await storage.keys.list()).length === 0;
    await keys.init();
    if (firstStart) await seedDefaults(ctx);
    await ctx.revocationIndex.sync();
  } catch (error) {
    stopInvalidations();
    await mailer.close(0);
    if (ownsCoordinator) await coordinator.close();
    if (ownsStorage) await storage.close();
    throw error;
  }
  return {
    ctx,
    async close() {
      // Back-channel logouts and queued mail under way get a bounded time to finish (a CLI command
      // that disabled a user tells the apps before it exits); what is left is given up, audited
      // before the flush. Side by side: a stopping server waits for the longer one only.
      await Promise.all([ctx.backchannelLogout.close(), mailer.close()]);
      // Queued audit events first: a graceful shutdown never loses them.
      await audit.flush();
      stopInvalidations();
      if (ownsCoordinator) await coordinator.close();
      if (ownsStorage) await storage.close();
    },
  };
}
