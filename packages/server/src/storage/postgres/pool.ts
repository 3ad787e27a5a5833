import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';
import { loadPg } from '../../drivers/load.js';
import { isUnavailableCause, StorageUnavailableError } from '../unavailable.js';

/** Options of {@link createGuardedPool}. */
export interface GuardedPoolOptions {
  url: string;
  schema?: string | undefined;
  poolSize: number;
  /** Bound on getting a connection and on each query, in ms. */
  timeoutMs: number;
  /** false: no query or statement bound (migrations); getting a connection stays bounded. */
  boundQueries?: boolean;
  /** Told about connection errors the pool absorbed (they never crash the process). */
  onConnectionError?: ((error: Error) => void) | undefined;
}

const INT8_OID = 20;

/**
 * A pg pool as Kysely's PostgresDialect wants it, hardened for a database that goes away:
 *
 * - every client, idle or checked out, has an `'error'` listener: a reset socket makes pg emit
 *   `'error'`, which without a listener kills the process;
 * - getting a connection and every query are bounded (`connectionTimeoutMillis`, client-side
 *   `query_timeout`, server-side `statement_timeout`), and an idle-in-transaction session is ended
 *   by the server so a client lost mid-transaction cannot hold row locks for hours;
 * - a client that failed that way is destroyed on release, never handed out again (after a
 *   client-side timeout its connection is still waiting for the old answer);
 * - those failures surface as {@link StorageUnavailableError}.
 *
 * @example
 * ```ts
 * const pool = createGuardedPool({ url, poolSize: 10, timeoutMs: 5000 });
 * const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
 * ```
 */
export function createGuardedPool(options: GuardedPoolOptions): PostgresPool {
  const { timeoutMs, onConnectionError } = options;
  const raw = new (loadPg().Pool)({
    connectionString: options.url,
    max: options.poolSize,
    connectionTimeoutMillis: timeoutMs,
    ...(options.boundQueries === false
      ? {}
      : {
          query_timeout: timeoutMs,
          statement_timeout: timeoutMs,
          idle_in_transaction_session_timeout: Math.max(2 * timeoutMs, 1000),
        }),
    keepAlive: true,
    // Every connection resolves unqualified table names in keycard's schema.
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
    // int8 (bigint, bigserial, count) as JS numbers: ms timestamps and cursors stay far below 2^53.
    types: { getTypeParser: int8AsNumber },
  });
  const absorb = (error: Error) => onConnectionError?.(error);
  // Idle clients' errors reach the pool, which drops the client; checked-out ones need their own.
  raw.on('error', absorb);
  raw.on('connect', (client) => client.on('error', absorb));

  const broken = new WeakSet<pg.PoolClient>();
  const wrappers = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const wrap = (client: pg.PoolClient): PostgresPoolClient => {
    let wrapper = wrappers.get(client);
    if (wrapper !== undefined) return wrapper;
    const guarded = async (sql: string, parameters: ReadonlyArray<unknown>) => {
      // A client that timed out is still waiting for its old answer: fail fast, never queue.
      if (broken.has(client)) throw new StorageUnavailableError();
      try {
        return await client.query(sql, parameters as unknown[]);
      } catch (error) {
        if (error instanceof Error && isUnavailableCause(error)) {
          broken.add(client);
          throw new StorageUnavailableError({ cause: error });
        }
        throw error;
      }
    };
    wrapper = {
      // Cursors (streaming) pass through; keycard's storage does not stream.
      query: (sqlOrCursor: unknown, parameters?: ReadonlyArray<unknown>) =>
        typeof sqlOrCursor === 'string'
          ? guarded(sqlOrCursor, parameters ?? [])
          : client.query(sqlOrCursor as never),
      release(destroy?: boolean) {
        client.release(destroy === true || broken.has(client) ? true : undefined);
      },
    } as unknown as PostgresPoolClient;
    wrappers.set(client, wrapper);
    return wrapper;
  };

  return {
    async connect() {
      try {
        return wrap(await raw.connect());
      } catch (cause) {
        // Refused, reset, timed out, too many connections, even a changed password: keycard
        // cannot reach its storage, which callers must see as "try again", not as a bug.
        throw new StorageUnavailableError({ cause });
      }
    },
    end: () => raw.end(),
  };
}

const int8AsNumber = ((oid: number, format?: 'text' | 'binary') =>
  oid === INT8_OID
    ? (value: string) => Number(value)
    : loadPg().types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser;
