import { createRequire } from 'node:module';
import type * as Argon2 from 'argon2';
import type BetterSqlite3 from 'better-sqlite3';
import type * as IORedis from 'ioredis';
import type Pg from 'pg';
import { ServerError } from '../errors.js';

// The database drivers and argon2 are loaded the first time a feature needs them, never by
// `import('@keycard/server')`: a guard-only or PostgreSQL-only process does not pay for (or need
// a working build of) the native SQLite and argon2 addons. All four are CommonJS packages, so a
// synchronous require() keeps the callers' synchronous APIs (openSqliteDatabase, the pg pool).
const requireDriver = createRequire(import.meta.url);

/** What each optional driver is for, for the message when it is missing. */
const PURPOSE = {
  argon2: 'password hashing',
  'better-sqlite3': 'SQLite storage',
  ioredis: 'the Redis coordinator (KEYCARD_REDIS_URL)',
  pg: 'PostgreSQL storage (KEYCARD_DATABASE_URL)',
} as const;

type DriverName = keyof typeof PURPOSE;

function load<T>(name: DriverName): T {
  try {
    return requireDriver(name) as T;
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code !== 'MODULE_NOT_FOUND' || !String((cause as Error).message).includes(`'${name}'`)) throw cause;
    throw new ServerError('ERR_CONFIG_INVALID', {
      message: `${PURPOSE[name]} needs the '${name}' package, which is not installed (npm i ${name})`,
      cause,
    });
  }
}

/**
 * The `pg` module (PostgreSQL storage, LISTEN/NOTIFY, advisory locks), loaded on first use.
 *
 * @example
 * ```ts
 * const client = new (loadPg().Client)({ connectionString: url });
 * ```
 */
export function loadPg(): typeof Pg {
  return load<typeof Pg>('pg');
}

/**
 * The `better-sqlite3` constructor (SQLite storage), loaded on first use.
 *
 * @example
 * ```ts
 * const database = new (loadBetterSqlite3())('./data/keycard.db');
 * ```
 */
export function loadBetterSqlite3(): typeof BetterSqlite3 {
  return load<typeof BetterSqlite3>('better-sqlite3');
}

/**
 * The `ioredis` module (Redis coordinator), loaded on first use.
 *
 * @example
 * ```ts
 * const client = new (loadIoredis().Redis)(url);
 * ```
 */
export function loadIoredis(): typeof IORedis {
  return load<typeof IORedis>('ioredis');
}

/**
 * The `argon2` module (password hashing), loaded on first use.
 *
 * @example
 * ```ts
 * const phc = await loadArgon2().hash('correct horse battery staple', { type: loadArgon2().argon2id });
 * ```
 */
export function loadArgon2(): typeof Argon2 {
  return load<typeof Argon2>('argon2');
}
