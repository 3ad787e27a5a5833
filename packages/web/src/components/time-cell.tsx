import { fromEpochSeconds } from '@keycard/protocol';
import { formatDateTime, formatRelative } from '../lib/time.js';

interface TimeCellProps {
  /** Epoch seconds, as every time on the wire; null or undefined: has not happened. */
  value: number | null | undefined;
  now: number;
}

/** A time as a relative phrase, with the exact date in a `<time>` element. */
export function TimeText({ value, now }: TimeCellProps) {
  if (value === null || value === undefined) return <span class="muted">—</span>;
  const ms = fromEpochSeconds(value);
  return (
    <time dateTime={new Date(ms).toISOString()} title={formatDateTime(ms)}>
      {formatRelative(ms, now)}
    </time>
  );
}
