import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { messageOf } from '../lib/errors.js';

export interface Loaded<T> {
  data: T | undefined;
  error: string | undefined;
  loading: boolean;
  reload: () => Promise<void>;
}

/**
 * Loads data when the component mounts and on `reload()`; keeps the last data while reloading.
 *
 * @example
 * const users = useLoad(() => session.request('/api/admin/users'));
 */
export function useLoad<T>(load: () => Promise<T>): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const loadRef = useRef(load);
  loadRef.current = load;
  const mounted = useRef(true);

  const reload = useCallback(async () => {
    setLoading(true);
    try {
      const value = await loadRef.current();
      if (!mounted.current) return;
      setData(value);
      setError(undefined);
    } catch (err) {
      if (mounted.current) setError(messageOf(err));
    } finally {
      if (mounted.current) setLoading(false);
    }
  }, []);

  useEffect(() => {
    mounted.current = true;
    void reload();
    return () => {
      mounted.current = false;
    };
  }, [reload]);

  return { data, error, loading, reload };
}
