import { useEffect, useRef, useState } from 'preact/hooks';
import { listSessions } from '../../api/account.js';
import type { SessionInfo } from '../../api/types.js';
import { SessionSeenCells } from '../../components/session-cells.js';
import { Status } from '../../components/status.js';
import { Cell, Table } from '../../components/table.js';
import { useLoad } from '../../components/use-load.js';
import { useNow } from '../../components/use-now.js';
import { messageOf } from '../../lib/errors.js';
import { describeUserAgent } from '../../lib/user-agent.js';
import { useSession, useSessionManager } from '../../session/use-session.js';

interface SessionsListProps {
  /** Reloads the list when it changes (e.g. after a password change ended other sessions). */
  version?: number;
}

/** Your sessions and devices, each with a sign-out button, and "sign out everywhere". */
export function SessionsList({ version = 0 }: SessionsListProps) {
  const manager = useSessionManager();
  const { card } = useSession();
  const now = useNow(15_000);
  const sessions = useLoad(() => listSessions(manager));
  const seenVersion = useRef(version);
  useEffect(() => {
    if (seenVersion.current === version) return;
    seenVersion.current = version;
    void sessions.reload();
  }, [version, sessions.reload]);
  const [message, setMessage] = useState<{ tone: 'success' | 'error'; text: string } | undefined>(undefined);

  const signOut = async (session: SessionInfo) => {
    setMessage(undefined);
    try {
      await manager.request<void>(`/api/sessions/${encodeURIComponent(session.id)}`, { method: 'DELETE' });
      if (session.current || session.id === card?.sessionId) {
        manager.endLocally(card, 'You signed out this device.', true);
        return;
      }
      setMessage({ tone: 'success', text: `Signed out ${describeUserAgent(session.userAgent)}.` });
      await sessions.reload();
    } catch (err) {
      setMessage({ tone: 'error', text: messageOf(err) });
    }
  };

  const signOutEverywhere = async () => {
    try {
      await manager.logoutAll();
    } catch (err) {
      setMessage({ tone: 'error', text: messageOf(err) });
    }
  };

  const list = sessions.data ?? [];
  return (
    <section class="panel" aria-labelledby="sessions-title">
      <h2 id="sessions-title">Sessions and devices</h2>
      {sessions.error ? <Status tone="error">{sessions.error}</Status> : null}
      <Table
        testId="sessions-list"
        busy={sessions.loading}
        columns={['Device', 'IP', 'Signed in', 'Last used', { label: 'Actions', hidden: true }]}
        empty="No active sessions."
        isEmpty={list.length === 0}
      >
        {list.map((s) => {
          const current = s.current || s.id === card?.sessionId;
          const device = describeUserAgent(s.userAgent);
          return (
            <tr
              key={s.id}
              data-testid={`session-${s.id}`}
              data-current={current ? 'true' : 'false'}
              data-offline={s.offline ? 'true' : 'false'}
            >
              <Cell label="Device" header title={s.userAgent ?? ''}>
                {device}
                {current ? (
                  <span class="badge badge-own" data-testid="session-current">
                    This device
                  </span>
                ) : null}
                {s.offline ? (
                  <span
                    class="badge badge-offline"
                    data-testid="session-offline"
                    title="Allowed offline access: signing out of the apps does not end it"
                  >
                    Offline access
                  </span>
                ) : null}
              </Cell>
              <SessionSeenCells session={s} now={now} />
              <Cell label="Actions" actions>
                <button
                  type="button"
                  class="button button-small button-secondary"
                  data-testid={`session-${s.id}-signout`}
                  aria-label={`Sign out ${device}${current ? ' (this device)' : ''}`}
                  onClick={() => void signOut(s)}
                >
                  Sign out
                </button>
              </Cell>
            </tr>
          );
        })}
      </Table>
      <div class="actions">
        <button
          type="button"
          class="button button-danger"
          data-testid="logout-all"
          onClick={signOutEverywhere}
        >
          Sign out everywhere
        </button>
      </div>
      <Status tone={message?.tone} testId="sessions-status">
        {message?.text}
      </Status>
    </section>
  );
}
