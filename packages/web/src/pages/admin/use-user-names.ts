import { useLoad } from '../../components/use-load.js';
import { useAdmin } from './use-admin.js';

/** A map from user id to username, so sessions and audit entries can show names. */
export function useUserNames(): Map<string, string> {
  const api = useAdmin();
  const users = useLoad(async () => new Map((await api.listUsers()).map((u) => [u.id, u.username])));
  return users.data ?? new Map();
}
