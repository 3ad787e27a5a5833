/** The union of `a` and `b`: `a`'s order, then what only `b` has (a merged consent's scopes). */
export function mergeLists(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])];
}
