import { useLoad } from '../../components/use-load.js';
import type { ScopedItem } from './scoped-editor.js';
import { ScopedEditor } from './scoped-editor.js';
import { useAdmin } from './use-admin.js';

/** Roles and the scopes a user holding each may receive. */
export function AdminRoles() {
  const api = useAdmin();
  const items = useLoad(
    async (): Promise<ScopedItem[]> =>
      (await api.listRoles()).map((r) => ({ key: r.name, scopes: r.scopes ?? [] })),
  );
  return (
    <ScopedEditor
      kind="role"
      title="Roles"
      keyLabel="Role"
      withName={false}
      items={items}
      save={(item) => api.saveRole({ name: item.key, scopes: item.scopes })}
      remove={(key) => api.deleteRole(key)}
    />
  );
}
