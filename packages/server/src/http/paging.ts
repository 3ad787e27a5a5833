import { z } from 'zod';
import { ServerError } from '../errors.js';
import { decodeListCursor, encodeListCursor, type ListCursor } from '../storage/index.js';

/**
 * `?limit=&after=` of every keyset-paged admin list. `offset` (the old OFFSET paging) is refused
 * with ERR_VALIDATION rather than ignored: a client still sending it would otherwise read page one
 * over and over.
 */
export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  after: z.string().min(1).max(800).optional(),
  offset: z
    .unknown()
    .optional()
    .refine((v) => v === undefined, 'no longer supported: pass after=<next> from the previous page'),
});

/**
 * The `after` cursor of a request, decoded; ERR_VALIDATION when it is not one this server made.
 *
 * @example
 * ```ts
 * const after = afterCursor(query.after);
 * ```
 */
export function afterCursor(text: string | undefined): ListCursor | undefined {
  if (text === undefined) return undefined;
  const cursor = decodeListCursor(text);
  if (cursor === undefined) {
    throw new ServerError('ERR_VALIDATION', { message: 'Invalid request: after: not a page cursor' });
  }
  return cursor;
}

/**
 * One page of an answer from `limit + 1` rows read: the first `limit`, and the cursor after the
 * last of them when another row exists (else null).
 *
 * @example
 * ```ts
 * const rows = await ctx.storage.users.list({ limit: limit + 1, after });
 * const { items, next } = pageOf(rows, limit, (u) => u.id);
 * ```
 */
export function pageOf<T extends { createdAt: number }>(
  rows: T[],
  limit: number,
  key: (row: T) => string,
): { items: T[]; next: string | null } {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  const next =
    rows.length > limit && last !== undefined
      ? encodeListCursor({ createdAt: last.createdAt, key: key(last) })
      : null;
  return { items, next };
}

/**
 * `{ after }` for a storage list call, or nothing on the first page.
 *
 * @example
 * ```ts
 * await ctx.storage.clients.list({ limit: 101, ...withAfter(query.after) });
 * ```
 */
export function withAfter(text: string | undefined): { after?: ListCursor } {
  const after = afterCursor(text);
  return after === undefined ? {} : { after };
}
