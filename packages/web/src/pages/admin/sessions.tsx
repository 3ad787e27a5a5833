import { useConfirm } from '../../components/confirm.js';
import { SessionSeenCells } from '../../components/session-cells.js';
import { Status } from '../../components/status.js';
import { Cell, Table } from '../../components/table.js';
import { useAction } from '../../components/use-action.js';
import { useLoad } from '../../components/use-load.js';
import { useNow } from '../../components/use-now.js';
import { describeUserAgent } from '../../lib/user-agent.js';
import { useSession } from '../../session/use-session.js';
import { useAdmin } from './use-admin.js';
import { useUserNames } from './use-user-names.js';

/** Every live session, with Revoke: the doors refuse its cards within about a second. */
export function AdminSessions() {
  const api = useAdmin();
  const { card } = useSession();
  const sessions = useLoad(() => api.listSessions());
  const names = useUserNames();
  const action = useAction();
  const confirm = useConfirm();
  const now = useNow(15_000);

  const revoke = async (id: string, who: string, device: string, own: boolean) => {
    const ok = await confirm.ask({
      title: own ? 'Revoke your own session?' : `Revoke the session of ${who}?`,
      body: own ? (
        <p>This is the session of this browser: you will be signed out here, and your cards stop working.</p>
      ) : (
        <p>
          {who} is signed out on {device}; every door refuses the session's cards within about a second.
        </p>
      ),
      confirm: 'Revoke session',
    });
    if (!ok) return;
    const done = await action.run(() => api.revokeSession(id), `Revoked the session of ${who}.`);
    if (done.ok) await sessions.reload();
  };

  const list = sessions.data ?? [];
  return (
    <section class="panel" aria-labelledby="admin-sessions-title">
      {confirm.dialog}
      <div class="panel-head">
        <h2 id="admin-sessions-title">Live sessions</h2>
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
      <Table
        testId="admin-sessions-list"
        busy={sessions.loading}
        columns={[
          'User',
          'Client',
          'Device',
          'IP',
          'Signed in',
          'Last used',
          { label: 'Actions', hidden: true },
        ]}
        empty="No live sessions."
        isEmpty={list.length === 0}
      >
        {list.map((s) => {
          const who = s.username ?? (s.userId ? (names.get(s.userId) ?? s.userId) : 'unknown');
          const device = describeUserAgent(s.userAgent);
          const own = card?.sessionId !== undefined && s.id === card.sessionId;
          return (
            <tr
              key={s.id}
              data-testid={`admin-session-${s.id}`}
              data-user={who}
              data-current={own ? 'true' : 'false'}
              class={own ? 'row-own' : undefined}
            >
              <Cell label="User" header>
                {who}
                {own ? (
                  <span class="badge badge-own" data-testid="admin-session-own">
                    You, this browser
                  </span>
                ) : null}
              </Cell>
              <Cell label="Client">
                <code>{s.clientId ?? '—'}</code>
              </Cell>
              <Cell label="Device" title={s.userAgent ?? ''}>
                {device}
              </Cell>
              <SessionSeenCells session={s} now={now} />
              <Cell label="Actions" actions>
                <button
                  type="button"
                  class="button button-small button-danger"
                  disabled={action.busy}
                  aria-label={`Revoke the session of ${who} (${device})${own ? ', your own' : ''}`}
                  data-testid={`admin-session-revoke-${s.id}`}
                  onClick={() => void revoke(s.id, who, device, own)}
                >
                  Revoke
                </button>
              </Cell>
            </tr>
          );
        })}
      </Table>
      <Status tone={action.message?.tone} code={action.message?.code} testId="admin-sessions-status">
        {action.message?.text}
      </Status>
    </section>
  );
}
