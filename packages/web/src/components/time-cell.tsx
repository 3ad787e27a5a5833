import { formatDateTime, formatRelative, toEpochMs } from '../lib/time.js';

interface TimeCellProps {
  value: unknown;
  now: number;
  /** A time that has happened (created, signed in, last used): never shown as "in 1 s". */
  past?: boolean;
}

/** A time as a relative phrase, with the exact date in a `<time>` element. */
export function TimeText({ value, now, past = false }: TimeCellProps) {
  const ms = toEpochMs(value);
  if (ms === undefined) return <span class="muted">—</span>;
  return (
    <time dateTime={new Date(ms).toISOString()} title={formatDateTime(ms)}>
      {formatRelative(ms, now, { past })}
    </time>
  );
}
