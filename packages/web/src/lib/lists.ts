/**
 * Pulls the list out of an API answer. The admin API answers `{ users: [...] }`-style
 * objects; a bare array is accepted too, so the page does not break on either shape.
 *
 * @example
 * listFrom({ users: [{ id: 'u1' }] }, 'users'); // [{ id: 'u1' }]
 */
export function listFrom<T = Record<string, unknown>>(body: unknown, key: string): T[] {
  if (Array.isArray(body)) return body as T[];
  if (body !== null && typeof body === 'object') {
    const record = body as Record<string, unknown>;
    const named = record[key];
    if (Array.isArray(named)) return named as T[];
    const firstArray = Object.values(record).find((v) => Array.isArray(v));
    if (firstArray) return firstArray as T[];
  }
  return [];
}

/**
 * The `next` cursor of a keyset-paged answer (`{ users: [...], next }`), or null at the end.
 *
 * @example
 * nextCursor({ users: [], next: 'MTA6dTE' }); // 'MTA6dTE'
 */
export function nextCursor(body: unknown): string | null {
  if (body === null || typeof body !== 'object') return null;
  const next = (body as Record<string, unknown>)['next'];
  return typeof next === 'string' && next !== '' ? next : null;
}

/** Most pages `readAllPages` follows (1,000 rows each) before it stops. */
export const MAX_PAGES = 100;

/**
 * Reads every page of a keyset-paged admin list, following `next` until it is null.
 *
 * @example
 * const users = await readAllPages((q) => session.request(`/api/admin/users${q}`), 'users');
 */
export async function readAllPages<T>(
  fetchPage: (query: string) => Promise<unknown>,
  key: string,
): Promise<T[]> {
  const items: T[] = [];
  let after: string | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const body = await fetchPage(`?limit=1000${after === null ? '' : `&after=${encodeURIComponent(after)}`}`);
    items.push(...listFrom<T>(body, key));
    after = nextCursor(body);
    if (after === null) break;
  }
  return items;
}

/**
 * Splits a comma- or space-separated field into a clean list of unique values.
 *
 * @example
 * splitList('guest, manager  guest'); // ['guest', 'manager']
 */
export function splitList(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).filter((s) => s !== ''))];
}
