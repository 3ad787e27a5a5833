/**
 * Time formatting for people. DOM-free so it is unit-tested in Node. Every time the API sends
 * is in epoch seconds (`fromEpochSeconds` of @keycard/protocol turns it into milliseconds).
 */

/**
 * A duration in words, largest two units.
 *
 * @example
 * formatDuration(62); // '1 min 2 s'
 * formatDuration(3720); // '1 h 2 min'
 */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const days = Math.floor(s / 86_400);
  const hours = Math.floor((s % 86_400) / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const seconds = s % 60;
  if (days > 0) return hours > 0 ? `${days} d ${hours} h` : `${days} d`;
  if (hours > 0) return minutes > 0 ? `${hours} h ${minutes} min` : `${hours} h`;
  if (minutes > 0) return seconds > 0 ? `${minutes} min ${seconds} s` : `${minutes} min`;
  return `${seconds} s`;
}

/**
 * A clock-style countdown: `m:ss`, or `h:mm:ss` from one hour.
 *
 * @example
 * formatClock(599); // '9:59'
 * formatClock(3725); // '1:02:05'
 */
export function formatClock(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const seconds = String(s % 60).padStart(2, '0');
  if (hours > 0) return `${hours}:${String(minutes).padStart(2, '0')}:${seconds}`;
  return `${minutes}:${seconds}`;
}

/** A past time this close to now reads "just now". */
const JUST_NOW_SECONDS = 5;
/** A past time (created, signed in) up to this far ahead of the browser's clock is clock skew. */
const MAX_SKEW_SECONDS = 60;

/**
 * Where `targetMs` lies relative to `nowMs`, in words. With `past` (a time that has happened:
 * created, signed in, last used), the last few seconds read "just now" and a time slightly
 * ahead of the browser's clock (up to a minute: the server's clock runs a little fast) too,
 * never "in 1 s".
 *
 * @example
 * formatRelative(now + 90_000, now); // 'in 1 min 30 s'
 * formatRelative(now - 5_000, now); // '5 s ago'
 * formatRelative(now + 800, now, { past: true }); // 'just now'
 */
export function formatRelative(targetMs: number, nowMs: number, opts: { past?: boolean } = {}): string {
  const diffSeconds = Math.round((targetMs - nowMs) / 1000);
  if (opts.past && diffSeconds > -JUST_NOW_SECONDS && diffSeconds <= MAX_SKEW_SECONDS) return 'just now';
  if (diffSeconds === 0) return 'now';
  return diffSeconds > 0 ? `in ${formatDuration(diffSeconds)}` : `${formatDuration(-diffSeconds)} ago`;
}

/**
 * A date and time for people, in the given locale and time zone (the browser's by default).
 *
 * @example
 * formatDateTime(0, 'en-GB', 'UTC'); // '1 Jan 1970, 00:00:00'
 */
export function formatDateTime(ms: number, locale?: string, timeZone?: string): string {
  const options: Intl.DateTimeFormatOptions = { dateStyle: 'medium', timeStyle: 'medium' };
  if (timeZone) options.timeZone = timeZone;
  return new Intl.DateTimeFormat(locale, options).format(new Date(ms));
}
