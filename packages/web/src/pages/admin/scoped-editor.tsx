import { useState } from 'preact/hooks';
import { Chips } from '../../components/chips.js';
import { Status } from '../../components/status.js';
import { useAction } from '../../components/use-action.js';
import type { Loaded } from '../../components/use-load.js';
import { splitList } from '../../lib/lists.js';

export interface ScopedItem {
  key: string;
  name?: string | undefined;
  scopes: string[];
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
}

/** A list of things that carry scopes (audiences, roles) with add-or-update and delete. */
export function ScopedEditor({ kind, title, keyLabel, withName, items, save, remove }: ScopedEditorProps) {
  const action = useAction();
  const [key, setKey] = useState('');
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState('');
  const prefix = `admin-${kind}`;

  const submit = async (event: Event) => {
    event.preventDefault();
    const item = {
      key: key.trim(),
      name: withName ? name.trim() || key.trim() : undefined,
      scopes: splitList(scopes),
    };
    const done = await action.run(() => save(item), `Saved ${kind} ${item.key}.`);
    if (done.ok) {
      setKey('');
      setName('');
      setScopes('');
      await items.reload();
    }
  };
  const onDelete = async (itemKey: string) => {
    const done = await action.run(() => remove(itemKey), `Deleted ${kind} ${itemKey}.`);
    if (done.ok) await items.reload();
  };
  const edit = (item: ScopedItem) => {
    setKey(item.key);
    setName(item.name ?? '');
    setScopes(item.scopes.join(', '));
  };

  return (
    <section class="panel" aria-labelledby={`${prefix}s-title`}>
      <h2 id={`${prefix}s-title`}>{title}</h2>
      {items.error ? <Status tone="error">{items.error}</Status> : null}
      <div class="table-wrap">
        <table data-testid={`${prefix}s-list`} aria-busy={items.loading}>
          <thead>
            <tr>
              <th scope="col">{keyLabel}</th>
              {withName ? <th scope="col">Name</th> : null}
              <th scope="col">Scopes</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {(items.data ?? []).map((item) => (
              <tr key={item.key} data-testid={`${prefix}-${item.key}`}>
                <th scope="row">
                  <code>{item.key}</code>
                </th>
                {withName ? <td>{item.name ?? '—'}</td> : null}
                <td>
                  <Chips items={item.scopes} testId={`${prefix}-${item.key}-scopes`} />
                </td>
                <td class="cell-actions">
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
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Status tone={action.message?.tone} code={action.message?.code} testId={`${prefix}s-status`}>
        {action.message?.text}
      </Status>
      <form class="form form-grid" onSubmit={submit} data-testid={`${prefix}-save`}>
        <h3>Add or update {kind === 'audience' ? 'an audience' : 'a role'}</h3>
        <div class="field">
          <label for={`${prefix}-save-key`}>{keyLabel}</label>
          <input
            id={`${prefix}-save-key`}
            required
            value={key}
            onInput={(e) => setKey(e.currentTarget.value)}
            data-testid={`${prefix}-save-key`}
          />
        </div>
        {withName ? (
          <div class="field">
            <label for={`${prefix}-save-name`}>Name</label>
            <input
              id={`${prefix}-save-name`}
              value={name}
              onInput={(e) => setName(e.currentTarget.value)}
              data-testid={`${prefix}-save-name`}
            />
          </div>
        ) : null}
        <div class="field">
          <label for={`${prefix}-save-scopes`}>Scopes (comma-separated)</label>
          <input
            id={`${prefix}-save-scopes`}
            value={scopes}
            onInput={(e) => setScopes(e.currentTarget.value)}
            data-testid={`${prefix}-save-scopes`}
          />
        </div>
        <div class="actions">
          <button type="submit" class="button" disabled={action.busy} data-testid={`${prefix}-save-submit`}>
            Save
          </button>
        </div>
      </form>
    </section>
  );
}
