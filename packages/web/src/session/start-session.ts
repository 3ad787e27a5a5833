/**
 * How the app takes up its session when a page opens: with the front desk's answer to a sign-in
 * (`{issuer}/?code=…&state=…&iss=…`), or else from the refresh cookie.
 */
import { checkSignInResponse, signInResponseFrom, takePendingSignIn } from './code-flow.js';
import type { SessionManager } from './session-manager.js';

/** What of the page the start reads and changes. */
export interface PageParts {
  location: Pick<Location, 'search' | 'pathname'>;
  history: Pick<History, 'replaceState' | 'state'>;
  storage: Storage | undefined;
}

/** This tab's sessionStorage, or undefined where the browser refuses it. */
export function tabStorage(): Storage | undefined {
  try {
    return typeof sessionStorage === 'undefined' ? undefined : sessionStorage;
  } catch {
    return undefined;
  }
}

function thisPage(): PageParts {
  return { location: window.location, history: window.history, storage: tabStorage() };
}

/**
 * Starts `manager`. An authorization response on the URL is taken off the address bar and out of
 * the history entry at once (a reload, the back button or a copied link never carries the code
 * again), checked against the sign-in this tab started, and exchanged; the page shows the front
 * desk (`#/`), or the sign-in page with the reason when it failed.
 *
 * @example
 * void startSession(session);
 */
export function startSession(manager: SessionManager, page: PageParts = thisPage()): Promise<void> {
  const response = signInResponseFrom(page.location.search);
  if (response === undefined) return manager.start();
  page.history.replaceState(page.history.state, '', `${page.location.pathname}#/`);
  const pending = takePendingSignIn(page.storage);
  return manager.start(
    async () => checkSignInResponse(response, pending, await manager.proofs.issuer()),
    pending?.resume,
  );
}
