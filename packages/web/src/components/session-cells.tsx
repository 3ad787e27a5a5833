import { Cell } from './table.js';
import { TimeText } from './time-cell.js';

/** What the account and admin session lists both show of a session: where from and when. */
interface SessionSeen {
  ip: string | null;
  createdAt: number;
  lastUsedAt: number;
}

/** The IP, "Signed in" and "Last used" cells of a session row (times in epoch seconds). */
export function SessionSeenCells({ session, now }: { session: SessionSeen; now: number }) {
  return (
    <>
      <Cell label="IP">{session.ip ?? '—'}</Cell>
      <Cell label="Signed in">
        <TimeText value={session.createdAt} now={now} past />
      </Cell>
      <Cell label="Last used">
        <TimeText value={session.lastUsedAt} now={now} past />
      </Cell>
    </>
  );
}
