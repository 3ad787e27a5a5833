import { Status } from '../../components/status.js';
import { TimeText } from '../../components/time-cell.js';
import { useAction } from '../../components/use-action.js';
import { useLoad } from '../../components/use-load.js';
import { useNow } from '../../components/use-now.js';
import { useAdmin } from './use-admin.js';

const STATE_HELP: Record<string, string> = {
  next: 'published in the JWKS, not signing yet',
  current: 'signs new tokens',
  retired: 'no longer signs; kept until its tokens expire',
};

/** Signing keys with their states and a Rotate button. */
export function AdminKeys() {
  const api = useAdmin();
  const keys = useLoad(() => api.listKeys());
  const action = useAction();
  const now = useNow(15_000);

  const rotate = async () => {
    const done = await action.run(
      () => api.rotateKeys(),
      'Rotated: the next key now signs; the old one is retired.',
    );
    if (done.ok) await keys.reload();
  };

  // Key compromise (docs/operations.md): the key leaves the JWKS and every card it signed is refused.
  const revoke = async (kid: string) => {
    if (!window.confirm(`Revoke key ${kid}? Every card it signed stops working at once.`)) return;
    const done = await action.run(
      () => api.revokeKey(kid),
      'Revoked: the key left the JWKS and guards refuse every card it signed.',
    );
    if (done.ok) await keys.reload();
  };

  return (
    <section class="panel" aria-labelledby="admin-keys-title">
      <h2 id="admin-keys-title">Signing keys</h2>
      <p class="muted">
        A retired key stays in the JWKS until every card it signed has expired, so rotating never locks anyone
        out.
      </p>
      <div class="actions">
        <button
          type="button"
          class="button"
          onClick={rotate}
          disabled={action.busy}
          data-testid="admin-keys-rotate"
        >
          {action.busy ? 'Rotating…' : 'Rotate now'}
        </button>
      </div>
      <Status tone={action.message?.tone} code={action.message?.code} testId="admin-keys-status">
        {action.message?.text}
      </Status>
      {keys.error ? <Status tone="error">{keys.error}</Status> : null}
      <div class="table-wrap">
        <table data-testid="admin-keys-list" aria-busy={keys.loading}>
          <thead>
            <tr>
              <th scope="col">kid</th>
              <th scope="col">alg</th>
              <th scope="col">State</th>
              <th scope="col">Created</th>
              <th scope="col">Activated</th>
              <th scope="col">Retired</th>
              <th scope="col">Leaves the JWKS</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {(keys.data ?? []).map((key) => (
              <tr key={key.kid} data-testid={`admin-key-${key.kid}`} data-state={key.state}>
                <th scope="row">
                  <code title={key.kid}>{key.kid.length > 16 ? `${key.kid.slice(0, 16)}…` : key.kid}</code>
                </th>
                <td>{key.alg}</td>
                <td>
                  <span class={`badge badge-key-${key.state}`} title={STATE_HELP[key.state] ?? ''}>
                    {key.state}
                  </span>
                </td>
                <td>
                  <TimeText value={key.createdAt} now={now} />
                </td>
                <td>
                  <TimeText value={key.activatedAt} now={now} />
                </td>
                <td>
                  <TimeText value={key.retiredAt} now={now} />
                </td>
                <td>
                  <TimeText value={key.removeAfter} now={now} />
                </td>
                <td>
                  <button
                    type="button"
                    class="button button-danger"
                    onClick={() => revoke(key.kid)}
                    disabled={action.busy}
                    data-testid={`admin-key-revoke-${key.kid}`}
                    title="Key compromised: withdraw it now"
                  >
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
