import { useState } from 'preact/hooks';
import type { AdminApi, AdminUserListed } from '../../api/admin.js';
import { Chips } from '../../components/chips.js';
import { useStepUp } from '../../components/step-up.js';
import { Cell } from '../../components/table.js';
import type { ActionMessage } from '../../components/use-action.js';
import { messageOf } from '../../lib/errors.js';
import { splitList } from '../../lib/lists.js';

interface UserRowProps {
  user: AdminUserListed;
  api: AdminApi;
  onChanged: (message: ActionMessage) => void;
  /** Shows the user's second factors (and their reset) under the list. */
  onFactors: (user: AdminUserListed) => void;
}

/** Who enrolled what, in words: "app", "2 passkeys" (none: an empty list). */
export function factorWords(mfa: AdminUserListed['mfa'] | undefined): string[] {
  if (mfa === undefined) return [];
  const words = mfa.totp ? ['app'] : [];
  if (mfa.passkeys > 0) words.push(mfa.passkeys === 1 ? '1 passkey' : `${mfa.passkeys} passkeys`);
  return words;
}

/** One user: roles (editable), claims, second factors (shown and reset below), enabled/disabled. */
export function UserRow({ user, api, onChanged, onFactors }: UserRowProps) {
  const reportStepUp = useStepUp();
  const [editing, setEditing] = useState(false);
  const [roles, setRoles] = useState(user.roles.join(', '));
  const [busy, setBusy] = useState(false);
  const key = `admin-user-${user.username}`;

  const act = async (work: () => Promise<unknown>, success: string, action: string) => {
    setBusy(true);
    try {
      await work();
      setEditing(false);
      onChanged({ tone: 'success', text: success });
    } catch (err) {
      const stepUp = reportStepUp(err, action);
      onChanged({
        tone: 'error',
        text: stepUp ? "Not changed yet: confirm it's you first." : messageOf(err),
      });
    } finally {
      setBusy(false);
    }
  };

  return (
    <tr data-testid={key} data-disabled={user.disabled ? 'true' : 'false'}>
      <Cell label="User" header>
        {user.username}
        <div class="muted small">
          <code>{user.id}</code>
        </div>
      </Cell>
      <Cell label="Roles">
        {editing ? (
          <form
            class="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              void act(
                () => api.updateUser(user.id, { roles: splitList(roles) }),
                `Roles of ${user.username} saved.`,
                `Change the roles of ${user.username}`,
              );
            }}
          >
            <label class="visually-hidden" for={`${key}-roles`}>
              Roles of {user.username}
            </label>
            <input
              id={`${key}-roles`}
              value={roles}
              onInput={(e) => setRoles(e.currentTarget.value)}
              data-testid={`${key}-roles`}
            />
            <button
              type="submit"
              class="button button-small"
              disabled={busy}
              data-testid={`${key}-roles-save`}
            >
              Save
            </button>
            <button
              type="button"
              class="button button-small button-secondary"
              onClick={() => setEditing(false)}
            >
              Cancel
            </button>
          </form>
        ) : (
          <Chips items={user.roles} testId={`${key}-role-list`} />
        )}
      </Cell>
      <Cell label="Claims" wrap>
        <code class="small">
          {user.claims && Object.keys(user.claims).length > 0 ? JSON.stringify(user.claims) : '—'}
        </code>
      </Cell>
      <Cell label="Second factor">
        <Chips items={factorWords(user.mfa)} testId={`${key}-mfa`} empty="none" />
      </Cell>
      <Cell label="State">
        <span class={`badge ${user.disabled ? 'badge-bad' : 'badge-ok'}`}>
          {user.disabled ? 'disabled' : 'active'}
        </span>
      </Cell>
      <Cell label="Actions" actions>
        {editing ? null : (
          <button
            type="button"
            class="button button-small button-secondary"
            onClick={() => setEditing(true)}
            aria-label={`Edit roles of ${user.username}`}
            data-testid={`${key}-edit-roles`}
          >
            Roles
          </button>
        )}
        <button
          type="button"
          class="button button-small button-secondary"
          onClick={() => onFactors(user)}
          aria-label={`Second factors of ${user.username}`}
          data-testid={`${key}-factors`}
        >
          Factors
        </button>
        <button
          type="button"
          class={`button button-small ${user.disabled ? 'button-secondary' : 'button-danger'}`}
          disabled={busy}
          aria-label={`${user.disabled ? 'Enable' : 'Disable'} ${user.username}`}
          data-testid={`${key}-toggle`}
          onClick={() =>
            void act(
              () => api.updateUser(user.id, { disabled: !user.disabled }),
              `${user.username} ${user.disabled ? 'enabled' : 'disabled'}.`,
              `${user.disabled ? 'Enable' : 'Disable'} ${user.username}`,
            )
          }
        >
          {user.disabled ? 'Enable' : 'Disable'}
        </button>
      </Cell>
    </tr>
  );
}
