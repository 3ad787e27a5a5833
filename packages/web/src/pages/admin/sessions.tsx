import { Status } from '../../components/status.js';
import { TimeText } from '../../components/time-cell.js';
import { useAction } from '../../components/use-action.js';
import { useLoad } from '../../components/use-load.js';
import { useNow } from '../../components/use-now.js';
import { describeUserAgent } from '../../lib/user-agent.js';
import { useAdmin } from './use-admin.js';
import { useUserNames } from './use-user-names.js';

/** Every live session, with Revoke: the doors refuse its cards within about a second. */
export function AdminSessions() {
  const api = useAdmin();
  const sessions = useLoad(() => api.listSessions());
  const names = useUserNames();
  const action = useAction();
  const now = useNow(15_000);

  const revoke = async (id: string, who: string) => {
    const done = await action.run(() => api.revokeSession(id), `Revoked the session of ${who}.`);
    if (done.ok) await sessions.reload();
  };

  return (
    <section class="panel" aria-labelledby="admin-sessions-title">
      <h2 id="admin-sessions-title">Live sessions</h2>
      <div class="actions">
        <button
          type="button"
          class="button button-secondary button-small"
          onClick={() => void sessions.reload()}
          data-testid="admin-sessions-reload"
        >
          Reload
        </button>
      </div>
      {sessions.error ? <Status tone="error">{sessions.error}</Status> : null}
      <div class="table-wrap">
        <table data-testid="admin-sessions-list" aria-busy={sessions.loading}>
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">Client</th>
              <th scope="col">Device</th>
              <th scope="col">IP</th>
              <th scope="col">Signed in</th>
              <th scope="col">Last used</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {(sessions.data ?? []).map((s) => {
              const who = s.username ?? (s.userId ? (names.get(s.userId) ?? s.userId) : 'unknown');
              return (
                <tr key={s.id} data-testid={`admin-session-${s.id}`} data-user={who}>
                  <th scope="row">{who}</th>
                  <td>
                    <code>{s.clientId ?? '—'}</code>
                  </td>
                  <td title={s.userAgent ?? ''}>{describeUserAgent(s.userAgent)}</td>
                  <td>{s.ip ?? '—'}</td>
                  <td>
                    <TimeText value={s.createdAt} now={now} />
                  </td>
                  <td>
                    <TimeText value={s.lastUsedAt} now={now} />
                  </td>
                  <td class="cell-actions">
                    <button
                      type="button"
                      class="button button-small button-danger"
                      disabled={action.busy}
                      aria-label={`Revoke the session of ${who} (${describeUserAgent(s.userAgent)})`}
                      data-testid={`admin-session-revoke-${s.id}`}
                      onClick={() => void revoke(s.id, who)}
                    >
                      Revoke
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <Status tone={action.message?.tone} code={action.message?.code} testId="admin-sessions-status">
        {action.message?.text}
      </Status>
    </section>
  );
}
