/** "Did you mean …?" for unknown commands: the closest known command by edit distance. */

/**
 * Edit distance between two short strings (command words): insertions, deletions, substitutions and
 * swaps of two neighbouring letters (`tokne` → `token`) each cost 1 (optimal string alignment).
 */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row[j] = j;
        continue;
      }
      const above = rows[i - 1]!;
      let best = Math.min(above[j]! + 1, row[j - 1]! + 1, above[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      row[j] = best;
    }
    rows.push(row);
  }
  return rows[a.length]![b.length]!;
}

/**
 * The candidate closest to `input`, when it is close enough to be a typo: at most a third of the
 * longer word's letters differ (so `serv` → `serve`, `tokne verify` → `token verify`, but `frobnicate`
 * suggests nothing). A tie keeps the first candidate, so the answer does not depend on chance.
 */
export function closest(input: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(input, candidate);
    if (
      distance < bestDistance &&
      distance <= Math.max(1, Math.floor(Math.max(input.length, candidate.length) / 3))
    ) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/**
 * Names of the positional arguments a usage line shows: the upper-case words that are not an option's
 * value (`NAME [--role ROLE]...` → `['NAME']`).
 */
export function positionalNames(usage: string): string[] {
  const names: string[] = [];
  let afterOption = false;
  for (const raw of usage.split(/\s+/)) {
    const word = raw.replace(/^\[+/, '').replace(/[\].]+$/, '');
    if (word.startsWith('-')) {
      afterOption = true;
      continue;
    }
    if (!afterOption && /^[A-Z][A-Z0-9_]*$/.test(word)) names.push(word);
    afterOption = false;
  }
  return names;
}
