import { useState } from 'preact/hooks';
import { Chips } from '../../components/chips.js';
import { useConfirm } from '../../components/confirm.js';
import { TextField } from '../../components/field.js';
import { Status } from '../../components/status.js';
import { Cell, Table } from '../../components/table.js';
import { useAction } from '../../components/use-action.js';
import type { Loaded } from '../../components/use-load.js';
import { splitList } from '../../lib/lists.js';

export interface ScopedItem {
  key: string;
  name?: string | undefined;
  scopes: string[];
  /** The one yes/no setting of the kind, if it has one (a role's "Requires MFA"). */
  flag?: boolean | undefined;
}

/** A yes/no setting shown as a column with a switch per row, and a checkbox in the form. */
export interface ScopedFlag {
  label: string;
  /** Used in data-testids: `admin-role-<key>-<id>`, `admin-role-save-<id>`. */
  id: string;
  hint: string;
}

interface ScopedEditorProps {
  /** 'audience' or 'role': used in labels and data-testids (admin-audience-…, admin-role-…). */
  kind: 'audience' | 'role';
  title: string;
  keyLabel: string;
  withName: boolean;
  items: Loaded<ScopedItem[]>;
  save: (item: ScopedItem) => Promise<unknown>;
  remove: (key: string) => Promise<unknown>;
  flag?: ScopedFlag | undefined;
}

/** A list of things that carry scopes (audiences, roles) with add-or-update and delete. */
export function ScopedEditor({
  kind,
  title,
  keyLabel,
  withName,
  items,
  save,
  remove,
  flag,
}: ScopedEditorProps) {
  const action = useAction();
  const confirm = useConfirm();
  const [key, setKey] = useState('');
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState('');
  const [flagOn, setFlagOn] = useState(false);
  const prefix = `admin-${kind}`;

  const submit = async (event: Event) => {
    event.preventDefault();
    const item = {
      key: key.trim(),
      name: withName ? name.trim() || key.trim() : undefined,
      scopes: splitList(scopes),
      flag: flag ? flagOn : undefined,
    };
    const done = await action.run(
      () => save(item),
      `Saved ${kind} ${item.key}.`,
      `Save the ${kind} ${item.key}`,
    );
    if (done.ok) {
      setKey('');
      setName('');
      setScopes('');
      setFlagOn(false);
      await items.reload();
    }
  };
  const toggle = async (item: ScopedItem, on: boolean) => {
    if (!flag) return;
    const words = `${flag.label}: ${on ? 'on' : 'off'}`;
    const done = await action.run(
      () => save({ ...item, flag: on }),
      `${kind} ${item.key} saved (${words}).`,
      `Turn “${flag.label}” ${on ? 'on' : 'off'} for the ${kind} ${item.key}`,
    );
    if (done.ok) await items.reload();
  };
  const onDelete = async (itemKey: string) => {
    const ok = await confirm.ask({
      title: `Delete ${kind} ${itemKey}?`,
      body: (
        <p>
          {kind === 'audience'
            ? 'Cards can no longer be minted for it.'
            : 'Users with this role lose its scopes on their next card.'}
        </p>
      ),
      confirm: `Delete ${kind}`,
    });
    if (!ok) return;
    const done = await action.run(
      () => remove(itemKey),
      `Deleted ${kind} ${itemKey}.`,
      `Delete the ${kind} ${itemKey}`,
    );
    if (done.ok) await items.reload();
  };
  const edit = (item: ScopedItem) => {
    setKey(item.key);
    setName(item.name ?? '');
    setScopes(item.scopes.join(', '));
    setFlagOn(item.flag === true);
  };

  return (
    <section class="panel" aria-labelledby={`${prefix}s-title`}>
      {confirm.dialog}
      <h2 id={`${prefix}s-title`}>{title}</h2>
      {items.error ? <Status tone="error">{items.error}</Status> : null}
      <Table
        testId={`${prefix}s-list`}
        busy={items.loading}
        columns={[
          keyLabel,
          ...(withName ? ['Name'] : []),
          'Scopes',
          ...(flag ? [flag.label] : []),
          { label: 'Actions', hidden: true },
        ]}
      >
        {(items.data ?? []).map((item) => (
          <tr key={item.key} data-testid={`${prefix}-${item.key}`}>
            <Cell label={keyLabel} header>
              <code>{item.key}</code>
            </Cell>
            {withName ? <Cell label="Name">{item.name ?? '—'}</Cell> : null}
            <Cell label="Scopes">
              <Chips items={item.scopes} testId={`${prefix}-${item.key}-scopes`} />
            </Cell>
            {flag ? (
              <Cell label={flag.label}>
                <button
                  type="button"
                  role="switch"
                  class="switch"
                  aria-checked={item.flag === true}
                  aria-label={`${flag.label} for the ${kind} ${item.key}`}
                  disabled={action.busy}
                  onClick={() => void toggle(item, item.flag !== true)}
                  data-testid={`${prefix}-${item.key}-${flag.id}`}
                >
                  {item.flag === true ? 'Yes' : 'No'}
                </button>
              </Cell>
            ) : null}
            <Cell label="Actions" actions>
              <button
                type="button"
                class="button button-small button-secondary"
                aria-label={`Edit ${kind} ${item.key}`}
                onClick={() => edit(item)}
              >
                Edit
              </button>
              <button
                type="button"
                class="button button-small button-danger"
                disabled={action.busy}
                aria-label={`Delete ${kind} ${item.key}`}
                data-testid={`${prefix}-${item.key}-delete`}
                onClick={() => void onDelete(item.key)}
              >
                Delete
              </button>
            </Cell>
          </tr>
        ))}
      </Table>
      <Status tone={action.message?.tone} code={action.message?.code} testId={`${prefix}s-status`}>
        {action.message?.text}
      </Status>
      <form class="form form-grid" onSubmit={submit} data-testid={`${prefix}-save`}>
        <h3>Add or update {kind === 'audience' ? 'an audience' : 'a role'}</h3>
        <TextField id={`${prefix}-save-key`} label={keyLabel} required value={key} onValue={setKey} />
        {withName ? (
          <TextField id={`${prefix}-save-name`} label="Name" value={name} onValue={setName} />
        ) : null}
        <TextField
          id={`${prefix}-save-scopes`}
          label="Scopes (comma-separated)"
          value={scopes}
          onValue={setScopes}
        />
        {flag ? (
          <div class="field">
            <label class="check-label" for={`${prefix}-save-${flag.id}`}>
              <input
                id={`${prefix}-save-${flag.id}`}
                type="checkbox"
                checked={flagOn}
                onChange={(e) => setFlagOn(e.currentTarget.checked)}
                aria-describedby={`${prefix}-save-${flag.id}-hint`}
                data-testid={`${prefix}-save-${flag.id}`}
              />
              {flag.label}
            </label>
            <p class="field-hint" id={`${prefix}-save-${flag.id}-hint`}>
              {flag.hint}
            </p>
          </div>
        ) : null}
        <div class="actions">
          <button type="submit" class="button" disabled={action.busy} data-testid={`${prefix}-save-submit`}>
            Save
          </button>
        </div>
      </form>
    </section>
  );
}
