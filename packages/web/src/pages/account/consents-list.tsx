import { useState } from 'preact/hooks';
import { listConsents, revokeConsent } from '../../api/account.js';
import { Chips } from '../../components/chips.js';
import { useConfirm } from '../../components/confirm.js';
import { Status } from '../../components/status.js';
import { Cell, Table } from '../../components/table.js';
import { TimeText } from '../../components/time-cell.js';
import { useLoad } from '../../components/use-load.js';
import { useNow } from '../../components/use-now.js';
import { messageOf } from '../../lib/errors.js';
import { useSessionManager } from '../../session/use-session.js';

interface ConsentsListProps {
  /** After a revocation: the app's sessions are gone, so the sessions list should reload. */
  onRevoked?: () => void;
}

/**
 * "Apps you allowed": what each third-party app may do for you, with Revoke (asked first in a
 * dialog): the app asks again next time, and is signed out everywhere, offline access included.
 */
export function ConsentsList({ onRevoked }: ConsentsListProps) {
  const manager = useSessionManager();
  const consents = useLoad(() => listConsents(manager));
  const confirm = useConfirm();
  const now = useNow(60_000);
  const [message, setMessage] = useState<{ tone: 'success' | 'error'; text: string } | undefined>(undefined);

  const revoke = async (clientId: string, name: string) => {
    setMessage(undefined);
    const ok = await confirm.ask({
      title: `Revoke access for ${name}?`,
      body: (
        <p>
          {name} is signed out on every device, offline access included, and has to ask for your permission
          again the next time you use it.
        </p>
      ),
      confirm: 'Revoke access',
    });
    if (!ok) return;
    try {
      await revokeConsent(manager, clientId);
      setMessage({ tone: 'success', text: `Revoked access for ${name}.` });
      await consents.reload();
      onRevoked?.();
    } catch (err) {
      setMessage({ tone: 'error', text: messageOf(err) });
    }
  };

  const list = consents.data ?? [];
  return (
    <section class="panel" aria-labelledby="consents-title">
      {confirm.dialog}
      <h2 id="consents-title">Apps you allowed</h2>
      {consents.error ? <Status tone="error">{consents.error}</Status> : null}
      <Table
        testId="consents-list"
        busy={consents.loading}
        columns={['App', 'What it may do', 'Allowed', { label: 'Actions', hidden: true }]}
        empty="You have not allowed any app."
        isEmpty={list.length === 0}
      >
        {list.map((c) => (
          <tr key={c.clientId} data-testid={`consent-${c.clientId}`}>
            <Cell label="App" header title={c.clientId}>
              {c.clientName}
            </Cell>
            <Cell label="What it may do">
              <Chips items={[...c.scopes, ...c.audiences]} testId={`consent-${c.clientId}-grants`} />
            </Cell>
            <Cell label="Allowed">
              <TimeText value={c.updatedAt} now={now} past />
            </Cell>
            <Cell label="Actions" actions>
              <button
                type="button"
                class="button button-small button-danger"
                data-testid={`consent-${c.clientId}-revoke`}
                aria-label={`Revoke access for ${c.clientName}`}
                onClick={() => void revoke(c.clientId, c.clientName)}
              >
                Revoke
              </button>
            </Cell>
          </tr>
        ))}
      </Table>
      <Status tone={message?.tone} testId="consents-status">
        {message?.text}
      </Status>
    </section>
  );
}
