import { useMemo } from 'preact/hooks';
import type { AdminApi } from '../../api/admin.js';
import { adminApi } from '../../api/admin.js';
import { useSessionManager } from '../../session/use-session.js';

/** The admin API bound to the current session. */
export function useAdmin(): AdminApi {
  const manager = useSessionManager();
  return useMemo(() => adminApi(manager), [manager]);
}
