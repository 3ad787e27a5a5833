/** Preact glue for the SessionManager: a context and a hook that re-renders on changes. */
import { createContext } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import type { SessionManager, SessionState } from './session-manager.js';

export const SessionContext = createContext<SessionManager | undefined>(undefined);

/** The session manager of the app. */
export function useSessionManager(): SessionManager {
  const manager = useContext(SessionContext);
  if (!manager) throw new Error('SessionContext is missing');
  return manager;
}

/**
 * The current session state; the component re-renders when it changes.
 *
 * @example
 * const { status, card } = useSession();
 */
export function useSession(): SessionState {
  const manager = useSessionManager();
  const [state, setState] = useState(manager.getState());
  useEffect(() => {
    setState(manager.getState());
    return manager.subscribe(setState);
  }, [manager]);
  return state;
}
