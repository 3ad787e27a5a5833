import { formatDateTime, formatRelative, toEpochMs } from '../lib/time.js';

interface TimeCellProps {
  value: unknown;
  now: number;
}

/** A time as a relative phrase, with the exact date in a `<time>` element. */
export function TimeText({ value, now }: TimeCellProps) {
  const ms = toEpochMs(value);
  if (ms === undefined) return <span class="muted">—</span>;
  return (
    <time dateTime={new Date(ms).toISOString()} title={formatDateTime(ms)}>
      {formatRelative(ms, now)}
    </time>
  );
}
