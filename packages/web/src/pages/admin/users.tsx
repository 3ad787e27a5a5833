import { useState } from 'preact/hooks';
import type { AdminUserListed } from '../../api/admin.js';
import { Status } from '../../components/status.js';
import { Table } from '../../components/table.js';
import type { ActionMessage } from '../../components/use-action.js';
import { useLoad } from '../../components/use-load.js';
import { useAdmin } from './use-admin.js';
import { UserCreate } from './user-create.js';
import { UserFactors } from './user-factors.js';
import { UserRow } from './user-row.js';

/** Users: list, create, disable/enable, change roles, see and reset second factors. */
export function AdminUsers() {
  const api = useAdmin();
  const users = useLoad(() => api.listUsers());
  const [message, setMessage] = useState<ActionMessage | undefined>(undefined);
  const [factorsOf, setFactorsOf] = useState<AdminUserListed | undefined>(undefined);

  const onChanged = (next: ActionMessage) => {
    setMessage(next);
    void users.reload();
  };

  return (
    <section class="panel" aria-labelledby="admin-users-title">
      <h2 id="admin-users-title">Users</h2>
      {users.error ? <Status tone="error">{users.error}</Status> : null}
      <Table
        testId="admin-users-list"
        busy={users.loading}
        columns={['User', 'Roles', 'Claims', 'Second factor', 'State', { label: 'Actions', hidden: true }]}
      >
        {(users.data ?? []).map((user) => (
          <UserRow
            key={`${user.id}-${user.roles.join()}-${user.disabled}`}
            user={user}
            api={api}
            onChanged={onChanged}
            onFactors={setFactorsOf}
          />
        ))}
      </Table>
      <Status tone={message?.tone} testId="admin-users-status">
        {message?.text}
      </Status>
      {factorsOf ? (
        <UserFactors
          key={factorsOf.id}
          user={factorsOf}
          api={api}
          onClose={() => setFactorsOf(undefined)}
          onReset={() => void users.reload()}
        />
      ) : null}
      <UserCreate onCreated={() => void users.reload()} />
    </section>
  );
}
