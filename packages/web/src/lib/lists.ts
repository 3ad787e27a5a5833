/**
 * Splits a comma- or space-separated field into a clean list of unique values.
 *
 * @example
 * splitList('guest, manager  guest'); // ['guest', 'manager']
 */
export function splitList(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).filter((s) => s !== ''))];
}
