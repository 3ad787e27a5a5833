import { Chips } from '../../components/chips.js';
import { Status } from '../../components/status.js';
import { useAction } from '../../components/use-action.js';
import { useLoad } from '../../components/use-load.js';
import { ClientCreate } from './client-create.js';
import { useAdmin } from './use-admin.js';

/** The built-in first-party client this app signs in with: deleting it would lock everyone out here. */
const WEB_CLIENT_ID = 'keycard-web';

/** OAuth clients: list, create (secret shown once), delete. */
export function AdminClients() {
  const api = useAdmin();
  const clients = useLoad(() => api.listClients());
  const action = useAction();

  const remove = async (id: string) => {
    const done = await action.run(() => api.deleteClient(id), `Client ${id} deleted.`);
    if (done.ok) await clients.reload();
  };

  return (
    <section class="panel" aria-labelledby="admin-clients-title">
      <h2 id="admin-clients-title">Clients</h2>
      {clients.error ? <Status tone="error">{clients.error}</Status> : null}
      <div class="table-wrap">
        <table data-testid="admin-clients-list" aria-busy={clients.loading}>
          <thead>
            <tr>
              <th scope="col">Client</th>
              <th scope="col">Type</th>
              <th scope="col">Grants</th>
              <th scope="col">Audiences</th>
              <th scope="col">Scopes</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {(clients.data ?? []).map((c) => (
              <tr key={c.id} data-testid={`admin-client-${c.id}`}>
                <th scope="row">
                  <code>{c.id}</code>
                  {c.name && c.name !== c.id ? <div class="muted small">{c.name}</div> : null}
                </th>
                <td>
                  {c.type ?? '—'}
                  {c.firstParty ? <span class="badge">first-party</span> : null}
                </td>
                <td>
                  <Chips items={c.grants ?? []} testId={`admin-client-${c.id}-grants`} />
                </td>
                <td>
                  <Chips items={c.audiences ?? []} testId={`admin-client-${c.id}-audiences`} />
                </td>
                <td>
                  <Chips items={c.scopes ?? []} testId={`admin-client-${c.id}-scopes`} />
                </td>
                <td class="cell-actions">
                  <button
                    type="button"
                    class="button button-small button-danger"
                    disabled={action.busy || c.id === WEB_CLIENT_ID}
                    title={c.id === WEB_CLIENT_ID ? 'This web app signs in through this client' : undefined}
                    aria-label={`Delete client ${c.id}`}
                    data-testid={`admin-client-${c.id}-delete`}
                    onClick={() => void remove(c.id)}
                  >
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Status tone={action.message?.tone} code={action.message?.code} testId="admin-clients-status">
        {action.message?.text}
      </Status>
      <ClientCreate onCreated={() => void clients.reload()} />
    </section>
  );
}
