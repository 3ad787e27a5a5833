/**
 * The public `/api/ui-config` (issuer, doors, the demo mailbox, what the front desk offers by
 * email), fetched once per page load and shared by every page that needs it.
 */
import { useEffect, useState } from 'preact/hooks';
import { apiRequest } from './http.js';
import type { UiConfig } from './types.js';

let loading: Promise<UiConfig> | undefined;

/**
 * The UI configuration (fetched once; a failed fetch is tried again by the next caller).
 *
 * @example
 * const { mailbox } = await loadUiConfig();
 */
export function loadUiConfig(): Promise<UiConfig> {
  loading ??= apiRequest<UiConfig>('/api/ui-config').catch((err: unknown) => {
    loading = undefined;
    throw err;
  });
  return loading;
}

/**
 * The UI configuration once loaded (undefined before, or when it could not be read).
 *
 * @example
 * const config = useUiConfig();
 * if (config?.mailbox) showMailboxLink();
 */
export function useUiConfig(): UiConfig | undefined {
  const [config, setConfig] = useState<UiConfig | undefined>(undefined);
  useEffect(() => {
    let live = true;
    loadUiConfig().then(
      (value) => live && setConfig(value),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, []);
  return config;
}
