/** Durations on the command line: '90', '30s', '10m', '1h', '2d', '250ms'. */
import { UsageError } from '../framework/command.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses a duration into milliseconds; a bare number means seconds. Throws UsageError naming the option. */
export function parseDuration(text: string, option: string): number {
  const match = /^(\d{1,9})(ms|s|m|h|d)?$/.exec(text);
  if (match === null)
    throw new UsageError(`--${option} must be a duration like 30s, 10m, 1h (got '${text}')`);
  return Number(match[1]) * UNIT_MS[match[2] ?? 's']!;
}

/** '9m 12s', '2h 5m', '3d 4h', '45s' — the two largest units. */
export function formatDuration(ms: number): string {
  let seconds = Math.floor(Math.abs(ms) / 1000);
  const parts: string[] = [];
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (seconds >= size || (unit === 's' && parts.length === 0)) {
      parts.push(`${Math.floor(seconds / size)}${unit}`);
      seconds %= size;
    }
  }
  return parts.slice(0, 2).join(' ');
}
