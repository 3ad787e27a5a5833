import { Chips } from '../../components/chips.js';
import { useConfirm } from '../../components/confirm.js';
import { Status } from '../../components/status.js';
import { Cell, Table } from '../../components/table.js';
import { useAction } from '../../components/use-action.js';
import { useLoad } from '../../components/use-load.js';
import { ClientCreate } from './client-create.js';
import { ClientCredentials, ClientFlowUris } from './client-flow-cell.js';
import { useAdmin } from './use-admin.js';

/** The built-in first-party client this app signs in with: deleting it would lock everyone out here. */
const WEB_CLIENT_ID = 'keycard-web';

/** OAuth clients: list (credentials, redirect and logout URIs), create (secret shown once), delete. */
export function AdminClients() {
  const api = useAdmin();
  const clients = useLoad(() => api.listClients());
  const action = useAction();
  const confirm = useConfirm();

  const remove = async (id: string) => {
    const ok = await confirm.ask({
      title: `Delete client ${id}?`,
      body: <p>Apps using this client can no longer get tokens. This cannot be undone.</p>,
      confirm: 'Delete client',
    });
    if (!ok) return;
    const done = await action.run(() => api.deleteClient(id), `Client ${id} deleted.`);
    if (done.ok) await clients.reload();
  };

  return (
    <section class="panel" aria-labelledby="admin-clients-title">
      {confirm.dialog}
      <h2 id="admin-clients-title">Clients</h2>
      {clients.error ? <Status tone="error">{clients.error}</Status> : null}
      <Table
        testId="admin-clients-list"
        busy={clients.loading}
        columns={[
          'Client',
          'Type',
          'Grants',
          'Audiences',
          'Scopes',
          'Redirect URIs',
          { label: 'Actions', hidden: true },
        ]}
      >
        {(clients.data ?? []).map((c) => (
          <tr key={c.id} data-testid={`admin-client-${c.id}`}>
            <Cell label="Client" header>
              <code>{c.id}</code>
              {c.name && c.name !== c.id ? <div class="muted small">{c.name}</div> : null}
            </Cell>
            <Cell label="Type">
              {c.type ?? '—'}
              {c.firstParty ? <span class="badge">first-party</span> : null}
              <ClientCredentials client={c} />
            </Cell>
            <Cell label="Grants">
              <Chips items={c.grants ?? []} testId={`admin-client-${c.id}-grants`} />
            </Cell>
            <Cell label="Audiences">
              <Chips items={c.audiences ?? []} testId={`admin-client-${c.id}-audiences`} />
            </Cell>
            <Cell label="Scopes">
              <Chips items={c.scopes ?? []} testId={`admin-client-${c.id}-scopes`} />
            </Cell>
            <Cell label="Redirect URIs">
              <ClientFlowUris client={c} />
            </Cell>
            <Cell label="Actions" actions>
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
            </Cell>
          </tr>
        ))}
      </Table>
      <Status tone={action.message?.tone} code={action.message?.code} testId="admin-clients-status">
        {action.message?.text}
      </Status>
      <ClientCreate onCreated={() => void clients.reload()} />
    </section>
  );
}
