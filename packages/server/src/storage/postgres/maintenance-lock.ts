import { loadPg } from '../../drivers/load.js';
import { StorageUnavailableError } from '../unavailable.js';

/** Connection settings the lock needs (those of the storage's pool). */
export interface AdvisoryLockOptions {
  url: string;
  schema?: string | undefined;
  timeoutMs: number;
  onConnectionError?: ((error: Error) => void) | undefined;
}

/**
 * Runs `fn` while holding a session-level advisory lock named after `name` and the schema, or
 * returns false at once when another session holds it (`pg_try_advisory_lock`: no queueing, the
 * next round will try again).
 *
 * The lock lives on a connection of its own, opened for this call and closed after it: closing
 * releases the lock whatever happened (an unlock that failed cannot leave it held on a pooled
 * connection), and a connection the database loses releases it too. `fn` runs its queries through
 * the storage's pool; losing the lock connection meanwhile lets another instance start the same
 * work, which is harmless for idempotent pruning.
 *
 * @example
 * ```ts
 * const ran = await withAdvisoryLock({ url, schema: 'keycard', timeoutMs: 5000 }, 'prune', prune);
 * ```
 */
export async function withAdvisoryLock(
  options: AdvisoryLockOptions,
  name: string,
  fn: () => Promise<void>,
): Promise<boolean> {
  const client = new (loadPg().Client)({
    connectionString: options.url,
    connectionTimeoutMillis: options.timeoutMs,
    query_timeout: options.timeoutMs,
    statement_timeout: options.timeoutMs,
    keepAlive: true,
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  });
  // A reset socket makes pg emit 'error': without a listener it would end the process.
  client.on('error', (error) => options.onConnectionError?.(error));
  try {
    await client.connect();
  } catch (cause) {
    await client.end().catch(() => {});
    throw new StorageUnavailableError({ cause });
  }
  try {
    // Two int4 keys: the schema, so keycard systems sharing one database never block each other,
    // and the lock's name.
    const { rows } = await client.query<{ locked: boolean }>(
      'select pg_try_advisory_lock(hashtext(current_schema()), hashtext($1)) as locked',
      [`keycard:${name}`],
    );
    if (rows[0]?.locked !== true) return false;
    try {
      await fn();
    } finally {
      await client
        .query('select pg_advisory_unlock(hashtext(current_schema()), hashtext($1))', [`keycard:${name}`])
        .catch(() => {}); // closing the connection below releases it anyway
    }
    return true;
  } finally {
    await client.end().catch(() => {});
  }
}
