import { useConfirm } from '../../components/confirm.js';
import { Status } from '../../components/status.js';
import { Cell, Table } from '../../components/table.js';
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
  const confirm = useConfirm();

  const rotate = async () => {
    const ok = await confirm.ask({
      title: 'Rotate the signing key now?',
      body: (
        <p>
          The next key starts signing new cards and the current one is retired. Cards already issued keep
          working until they expire.
        </p>
      ),
      confirm: 'Rotate now',
      tone: 'primary',
    });
    if (!ok) return;
    const done = await action.run(
      () => api.rotateKeys(),
      'Rotated: the next key now signs; the old one is retired.',
    );
    if (done.ok) await keys.reload();
  };

  // Key compromise (docs/operations.md): the key leaves the JWKS and every card it signed is refused.
  const revoke = async (kid: string) => {
    const ok = await confirm.ask({
      title: `Revoke key ${kid}?`,
      body: (
        <p>Only for a compromised key: it leaves the JWKS and every card it signed stops working at once.</p>
      ),
      confirm: 'Revoke key',
    });
    if (!ok) return;
    const done = await action.run(
      () => api.revokeKey(kid),
      'Revoked: the key left the JWKS and guards refuse every card it signed.',
    );
    if (done.ok) await keys.reload();
  };

  return (
    <section class="panel" aria-labelledby="admin-keys-title">
      {confirm.dialog}
      <h2 id="admin-keys-title">Signing keys</h2>
      <p class="muted">
        A retired key stays in the JWKS until every card it signed has expired, so rotating never locks anyone
        out.
      </p>
      <div class="actions">
        <button
          type="button"
          class="button"
          onClick={() => void rotate()}
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
      <Table
        testId="admin-keys-list"
        busy={keys.loading}
        columns={[
          'kid',
          'alg',
          'State',
          'Created',
          'Activated',
          'Retired',
          'Leaves the JWKS',
          { label: 'Actions', hidden: true },
        ]}
      >
        {(keys.data ?? []).map((key) => (
          <tr key={key.kid} data-testid={`admin-key-${key.kid}`} data-state={key.state}>
            <Cell label="kid" header>
              <code title={key.kid}>{key.kid.length > 16 ? `${key.kid.slice(0, 16)}…` : key.kid}</code>
            </Cell>
            <Cell label="alg">{key.alg}</Cell>
            <Cell label="State">
              <span class={`badge badge-key-${key.state}`} title={STATE_HELP[key.state] ?? ''}>
                {key.state}
              </span>
            </Cell>
            <Cell label="Created">
              <TimeText value={key.createdAt} now={now} past />
            </Cell>
            <Cell label="Activated">
              <TimeText value={key.activatedAt} now={now} past />
            </Cell>
            <Cell label="Retired">
              <TimeText value={key.retiredAt} now={now} />
            </Cell>
            <Cell label="Leaves the JWKS">
              <TimeText value={key.removeAfter} now={now} />
            </Cell>
            <Cell label="Actions" actions>
              <button
                type="button"
                class="button button-small button-danger"
                onClick={() => void revoke(key.kid)}
                disabled={action.busy}
                data-testid={`admin-key-revoke-${key.kid}`}
                aria-label={`Revoke key ${key.kid}`}
                title="Key compromised: withdraw it now"
              >
                Revoke
              </button>
            </Cell>
          </tr>
        ))}
      </Table>
    </section>
  );
}
