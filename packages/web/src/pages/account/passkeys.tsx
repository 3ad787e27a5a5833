import { useState } from 'preact/hooks';
import { type AccountPasskey, addPasskey, removePasskey, renamePasskey } from '../../api/mfa.js';
import { useConfirm } from '../../components/confirm.js';
import { TextField } from '../../components/field.js';
import { Status } from '../../components/status.js';
import { useStepUp } from '../../components/step-up.js';
import { Cell, Table } from '../../components/table.js';
import { TimeText } from '../../components/time-cell.js';
import { AppError, messageOf } from '../../lib/errors.js';
import { passkeySupport, passkeyUnavailableWords } from '../../lib/passkeys.js';
import { useSessionManager } from '../../session/use-session.js';

interface PasskeysPanelProps {
  passkeys: AccountPasskey[];
  now: number;
  /** This passkey is the account's last factor and a role requires one: it cannot be removed. */
  lastRequired: boolean;
  busy: boolean;
  onChanged: () => void;
  onCodes: (codes: string[]) => void;
}

type Message = { tone: 'info' | 'success' | 'error'; text: string; code?: string | undefined };

const errorMessage = (err: unknown): Message => ({
  // Closing the passkey prompt is a choice, not a failure.
  tone: err instanceof AppError && err.code === 'ERR_PASSKEY_CANCELLED' ? 'info' : 'error',
  text: messageOf(err),
  code: err instanceof AppError ? err.code : undefined,
});

/** The account's passkeys: add one (the browser's WebAuthn prompt), rename, remove. */
export function PasskeysPanel({ passkeys, now, lastRequired, busy, onChanged, onCodes }: PasskeysPanelProps) {
  const manager = useSessionManager();
  const confirm = useConfirm();
  const reportStepUp = useStepUp();
  const [name, setName] = useState('');
  const [working, setWorking] = useState(false);
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<{ id: string; name: string } | undefined>(undefined);
  const [message, setMessage] = useState<Message | undefined>(undefined);
  // Passkeys need a secure page whose host is a name (never an IP address): say so rather than fail.
  const [support] = useState(() => passkeySupport());

  const run = async (work: () => Promise<void>, action: string) => {
    setWorking(true);
    setMessage(undefined);
    try {
      await work();
    } catch (err) {
      if (!reportStepUp(err, action)) setMessage(errorMessage(err));
    } finally {
      setWorking(false);
    }
  };

  const add = (event: Event) => {
    event.preventDefault();
    setAdding(true);
    return run(async () => {
      const label = name.trim() || 'Passkey';
      const result = await addPasskey(manager, label).finally(() => setAdding(false));
      setName('');
      setMessage({ tone: 'success', text: `Passkey “${result.passkey?.name ?? label}” added.` });
      if (result.recovery_codes && result.recovery_codes.length > 0) onCodes(result.recovery_codes);
      onChanged();
    }, 'Add a passkey');
  };

  const rename = (event: Event) => {
    event.preventDefault();
    const target = editing;
    if (!target) return;
    const next = target.name.trim();
    return run(async () => {
      await renamePasskey(manager, target.id, next);
      setEditing(undefined);
      setMessage({ tone: 'success', text: `Renamed to “${next}”.` });
      onChanged();
    }, `Rename the passkey “${next}”`);
  };

  const remove = async (passkey: AccountPasskey) => {
    const ok = await confirm.ask({
      title: `Remove the passkey “${passkey.name}”?`,
      body: <p>It no longer signs you in. The device may keep showing it until you delete it there too.</p>,
      confirm: 'Remove passkey',
    });
    if (!ok) return;
    await run(async () => {
      await removePasskey(manager, passkey.id);
      setMessage({ tone: 'success', text: `Passkey “${passkey.name}” removed.` });
      onChanged();
    }, `Remove the passkey “${passkey.name}”`);
  };

  return (
    <section class="security-part" aria-labelledby="passkeys-title">
      {confirm.dialog}
      <h3 id="passkeys-title">Passkeys</h3>
      <p class="muted">
        Sign in with your device’s screen lock or a security key instead of typing a password, or use it as
        the second factor after your password. Nothing a fake site could reuse ever leaves the device.
      </p>
      <Table
        testId="passkeys-list"
        busy={busy}
        columns={['Name', 'Added', 'Last used', { label: 'Actions', hidden: true }]}
        empty="No passkeys yet."
        isEmpty={passkeys.length === 0}
      >
        {passkeys.map((p) => (
          <tr key={p.id} data-testid="passkey-row" data-id={p.id} data-name={p.name}>
            <Cell label="Name" header wrap>
              {editing?.id === p.id ? (
                <form class="inline-form" onSubmit={rename}>
                  <label class="visually-hidden" for={`passkey-name-${p.id}`}>
                    New name of the passkey {p.name}
                  </label>
                  <input
                    id={`passkey-name-${p.id}`}
                    value={editing.name}
                    maxLength={64}
                    required
                    onInput={(e) => setEditing({ id: p.id, name: e.currentTarget.value })}
                    data-testid="passkey-rename-input"
                  />
                  <button
                    type="submit"
                    class="button button-small"
                    disabled={working}
                    data-testid="passkey-rename-save"
                  >
                    Save
                  </button>
                  <button
                    type="button"
                    class="button button-small button-secondary"
                    onClick={() => setEditing(undefined)}
                  >
                    Cancel
                  </button>
                </form>
              ) : (
                <>
                  {p.name}
                  {p.backed_up ? (
                    <span class="badge badge-offline" title="Synced by your password manager or platform">
                      Synced
                    </span>
                  ) : null}
                </>
              )}
            </Cell>
            <Cell label="Added">
              <TimeText value={p.created_at} now={now} past />
            </Cell>
            <Cell label="Last used">
              {p.last_used_at === null ? (
                <span class="muted">never</span>
              ) : (
                <TimeText value={p.last_used_at} now={now} past />
              )}
            </Cell>
            <Cell label="Actions" actions>
              {editing?.id === p.id ? null : (
                <button
                  type="button"
                  class="button button-small button-secondary"
                  aria-label={`Rename the passkey ${p.name}`}
                  onClick={() => setEditing({ id: p.id, name: p.name })}
                  data-testid="passkey-rename"
                >
                  Rename
                </button>
              )}
              <button
                type="button"
                class="button button-small button-danger"
                disabled={working || (lastRequired && passkeys.length === 1)}
                aria-label={`Remove the passkey ${p.name}`}
                onClick={() => void remove(p)}
                data-testid="passkey-remove"
              >
                Remove
              </button>
            </Cell>
          </tr>
        ))}
      </Table>
      {support === 'usable' ? (
        <form class="form form-grid" onSubmit={add} data-testid="passkey-add-form">
          <TextField
            id="passkey-name"
            label="Name for the new passkey"
            hint="So you can tell your passkeys apart, e.g. “Work laptop”."
            value={name}
            onValue={setName}
          />
          <div class="actions">
            <button type="submit" class="button" disabled={working} data-testid="passkey-add">
              {adding ? 'Waiting for your device…' : 'Add a passkey'}
            </button>
          </div>
        </form>
      ) : (
        <p class="muted" data-testid="passkey-unavailable">
          {passkeyUnavailableWords(support, window.location.origin)}
        </p>
      )}
      <Status tone={message?.tone} code={message?.code} testId="passkeys-status">
        {message?.text}
      </Status>
    </section>
  );
}
