/**
 * Storage that cannot answer right now — unreachable, reset, timed out, locked — as opposed to a
 * storage bug or a bad query. The HTTP layer maps it to 503 with Retry-After (ERR_STORAGE_UNAVAILABLE);
 * it is deliberately not a ServerError, so code that turns a ServerError into a verdict ("token
 * inactive") never mistakes an outage for an answer.
 *
 * @example
 * ```ts
 * try {
 *   await storage.users.get(id);
 * } catch (error) {
 *   if (isStorageUnavailable(error)) retryLater();
 * }
 * ```
 */
export class StorageUnavailableError extends Error {
  readonly code = 'ERR_STORAGE_UNAVAILABLE' as const;
  constructor(options?: { cause?: unknown }) {
    // The driver's words help whoever reads the log; they never hold credentials (no URL, no password).
    const detail = options?.cause instanceof Error ? `: ${options.cause.message}` : '';
    super(`Storage is unavailable${detail}`, options);
    this.name = 'StorageUnavailableError';
  }
}

// Socket-level failures Node reports while reaching a database.
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

// PostgreSQL SQLSTATEs that mean "not now" rather than "wrong": 57014 is what statement_timeout
// raises, 55P03 a lock wait that timed out, 25006 a write reaching a replica after a fail-over.
const POSTGRES_STATES = new Set(['57P01', '57P02', '57P03', '57014', '55P03', '25006']);
// Classes: 08 connection exception, 53 insufficient resources (too many connections, disk full).
const POSTGRES_CLASSES = ['08', '53'];

// node-postgres raises these without a code; its messages are the only stable handle.
const PG_MESSAGES = [
  'Connection terminated',
  'Query read timeout',
  'timeout exceeded when trying to connect',
  'is not queryable',
];

// better-sqlite3 error codes (extended codes start with these): a lock held elsewhere past
// busy_timeout, an I/O error, a full disk, a file that cannot be opened.
const SQLITE_PREFIXES = ['SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_IOERR', 'SQLITE_FULL', 'SQLITE_CANTOPEN'];

/**
 * True when `error` (or an error in its `cause` chain) says storage is unavailable: a
 * {@link StorageUnavailableError}, or a raw PostgreSQL, node-postgres, SQLite or socket error of
 * that kind.
 *
 * @example
 * ```ts
 * if (isStorageUnavailable(error)) reply.code(503);
 * ```
 */
export function isStorageUnavailable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth += 1) {
    if (current instanceof StorageUnavailableError || isUnavailableCause(current)) return true;
    current = current.cause;
  }
  return false;
}

/** One error, without its cause chain: does it say the database cannot answer now? */
export function isUnavailableCause(error: Error): boolean {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code) || POSTGRES_STATES.has(code)) return true;
    if (code.length === 5 && POSTGRES_CLASSES.includes(code.slice(0, 2))) return true;
    if (SQLITE_PREFIXES.some((prefix) => code.startsWith(prefix))) return true;
  }
  return PG_MESSAGES.some((message) => error.message.includes(message));
}

// PostgreSQL SQLSTATEs for text it cannot store: 22021 a NUL (or bytes invalid in the encoding),
// 22P05 a character the database encoding lacks. SQLite stores such text; PostgreSQL refuses it.
const POSTGRES_REFUSED_TEXT = new Set(['22021', '22P05']);

/**
 * True when the database refused a value the client sent (a username or query parameter holding
 * a NUL character): the request's fault, answered 400, not a storage failure or a bug.
 *
 * @example
 * ```ts
 * if (isRefusedText(error)) throw new ServerError('ERR_VALIDATION', { cause: error });
 * ```
 */
export function isRefusedText(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && POSTGRES_REFUSED_TEXT.has(code)) return true;
    current = current.cause;
  }
  return false;
}
