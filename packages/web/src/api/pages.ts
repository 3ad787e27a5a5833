/** Keyset-paged admin lists (`{ <items>: [...], next }`), read whole by following `next`. */
import type { Page } from '@keycard/protocol';

/** Most pages {@link readAllPages} follows (1,000 rows each) before it stops. */
export const MAX_PAGES = 100;

/**
 * Reads every page of a keyset-paged list: the items under `key`, then `after=<next>` until
 * `next` is null.
 *
 * @example
 * const users = await readAllPages((q) => session.request<Page<'users', AdminUser>>(`/api/admin/users${q}`), 'users');
 */
export async function readAllPages<Key extends string, Item>(
  fetchPage: (query: string) => Promise<Page<Key, Item>>,
  key: Key,
): Promise<Item[]> {
  const items: Item[] = [];
  let after: string | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const body: Page<Key, Item> = await fetchPage(
      `?limit=1000${after === null ? '' : `&after=${encodeURIComponent(after)}`}`,
    );
    items.push(...body[key]);
    after = body.next;
    if (after === null) break;
  }
  return items;
}
