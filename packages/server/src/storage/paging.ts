/**
 * Keyset paging shared by every adapter: a page is "the next `limit` rows after this one" in a
 * fixed order over a unique key, so reading page 1,000 costs what page 1 costs (OFFSET re-reads
 * every skipped row) and rows created or deleted meanwhile never shift a page.
 */

/** Where the previous page ended: the last row's creation time and unique key (id or name). */
export interface ListCursor {
  createdAt: number;
  key: string;
}

/** Options of a keyset-paged list: at most `limit` rows (all when unset), after `after`. */
export interface PageOptions {
  limit?: number;
  after?: ListCursor;
}

/** Rows per statement of every pruning DELETE/UPDATE: short statements, short locks. */
export const PRUNE_BATCH = 1000;

/** Options of a pruning call. */
export interface PruneOptions {
  /** Rows per statement (default {@link PRUNE_BATCH}); the call loops until a batch comes back short. */
  batchSize?: number;
}

/**
 * Runs `batch` (which deletes or updates at most `size` rows and says how many) until a batch
 * comes back short; returns the total.
 *
 * @example
 * ```ts
 * const n = await inBatches(opts, (size) => deleteSome(size));
 * ```
 */
export async function inBatches(opts: PruneOptions | undefined, batch: (size: number) => Promise<number>) {
  const size = Math.max(1, Math.trunc(opts?.batchSize ?? PRUNE_BATCH));
  let total = 0;
  for (;;) {
    const n = await batch(size);
    total += n;
    if (n < size) return total;
  }
}

/**
 * The cursor after `row`, for the next page.
 *
 * @example
 * ```ts
 * const next = listCursor(users.at(-1), (u) => u.id);
 * ```
 */
export function listCursor<T extends { createdAt: number }>(row: T, key: (row: T) => string): ListCursor {
  return { createdAt: row.createdAt, key: key(row) };
}

/**
 * The cursor as text for URLs and the CLI: base64url of `createdAt:key`, opaque to callers.
 *
 * @example
 * ```ts
 * encodeListCursor({ createdAt: 1700000000000, key: 'u_1' }); // 'MTcwMDAwMDAwMDAwMDp1XzE'
 * ```
 */
export function encodeListCursor(cursor: ListCursor): string {
  return Buffer.from(`${cursor.createdAt}:${cursor.key}`, 'utf8').toString('base64url');
}

/** Reads {@link encodeListCursor}'s text back; undefined when it is not one. */
export function decodeListCursor(text: string): ListCursor | undefined {
  if (!/^[A-Za-z0-9_-]{1,700}$/.test(text)) return undefined;
  const plain = Buffer.from(text, 'base64url').toString('utf8');
  // No control characters: no key has them, and PostgreSQL refuses a NUL in text (a 500, not a 400).
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing them is the point
  const match = /^(\d{1,16}):([^\u0000-\u001f\u007f]{1,400})$/.exec(plain);
  if (match === null) return undefined;
  const createdAt = Number(match[1]);
  return Number.isSafeInteger(createdAt) ? { createdAt, key: match[2] ?? '' } : undefined;
}
