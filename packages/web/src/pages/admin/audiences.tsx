import { useLoad } from '../../components/use-load.js';
import type { ScopedItem } from './scoped-editor.js';
import { ScopedEditor } from './scoped-editor.js';
import { useAdmin } from './use-admin.js';

/** Audiences (which services a card opens) and the scopes each understands. */
export function AdminAudiences() {
  const api = useAdmin();
  const items = useLoad(
    async (): Promise<ScopedItem[]> =>
      (await api.listAudiences()).map((a) => ({ key: a.id, name: a.name, scopes: a.scopes ?? [] })),
  );
  return (
    <ScopedEditor
      kind="audience"
      title="Audiences and scopes"
      keyLabel="Audience (aud)"
      withName
      items={items}
      save={(item) => api.saveAudience({ id: item.key, name: item.name ?? item.key, scopes: item.scopes })}
      remove={(key) => api.deleteAudience(key)}
    />
  );
}
