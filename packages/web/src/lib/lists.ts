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
 * Splits a comma- or space-separated field into a clean list of unique values.
 *
 * @example
 * splitList('guest, manager  guest'); // ['guest', 'manager']
 */
export function splitList(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).filter((s) => s !== ''))];
}
