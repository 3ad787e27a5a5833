import { useLoad } from '../../components/use-load.js';
import type { ScopedItem } from './scoped-editor.js';
import { ScopedEditor } from './scoped-editor.js';
import { useAdmin } from './use-admin.js';

/** Roles, the scopes a user holding each may receive, and whether they must use a second factor. */
export function AdminRoles() {
  const api = useAdmin();
  const items = useLoad(
    async (): Promise<ScopedItem[]> =>
      (await api.listRoles()).map((r) => ({
        key: r.name,
        scopes: r.scopes ?? [],
        flag: r.require_mfa === true,
      })),
  );
  return (
    <ScopedEditor
      kind="role"
      title="Roles"
      keyLabel="Role"
      withName={false}
      items={items}
      save={(item) => api.saveRole({ name: item.key, scopes: item.scopes, require_mfa: item.flag === true })}
      remove={(key) => api.deleteRole(key)}
      flag={{
        label: 'Requires MFA',
        id: 'require-mfa',
        hint: 'Holders must use a passkey or an authenticator app; those without one set it up at their next sign-in.',
      }}
    />
  );
}
