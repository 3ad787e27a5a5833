import { fromEpochSeconds } from '@keycard/protocol';
import { formatDateTime, formatRelative } from '../lib/time.js';

interface TimeCellProps {
  /** Epoch seconds, as every time on the wire; null or undefined: has not happened. */
  value: number | null | undefined;
  now: number;
  /** A time that has happened (created, signed in, last used): never shown as "in 1 s". */
  past?: boolean;
}

/** A time as a relative phrase, with the exact date in a `<time>` element. */
export function TimeText({ value, now, past = false }: TimeCellProps) {
  if (value === null || value === undefined) return <span class="muted">—</span>;
  const ms = fromEpochSeconds(value);
  return (
    <time dateTime={new Date(ms).toISOString()} title={formatDateTime(ms)}>
      {formatRelative(ms, now, { past })}
    </time>
  );
}
