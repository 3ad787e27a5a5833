/// <reference types="node" />
// Page component tests: the real app (App, SessionManager, DPoP proofs) rendered in happy-dom,
// talking over real HTTP to a real `keycard demo` child process (the one the Chromium tests use).
// happy-dom's fetch resolves the app's relative `/api/*` paths against the page URL set here.
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import * as HappySymbol from 'happy-dom/lib/PropertySymbol.js';
import WindowBrowserContext from 'happy-dom/lib/window/WindowBrowserContext.js';
import { expect } from 'vitest';
import { App } from '../../../src/app.js';
import { dpopKeyLoader } from '../../../src/dpop/key-store.js';
import { issuerLoader, ProofSigner } from '../../../src/session/proofs.js';
import { SessionManager } from '../../../src/session/session-manager.js';
import { startSession } from '../../../src/session/start-session.js';
import { createTabSync } from '../../../src/session/tab-sync.js';
import { SessionContext } from '../../../src/session/use-session.js';
import { authorizeRoute } from './code-clients.js';

export {
  apiLogin,
  missingBuild,
  PASSWORDS,
  type RunningHotel,
  startHotelProcess,
} from '../../../../../test/browser/support/hotel.js';

interface HappyWindow {
  happyDOM: { setURL(url: string): void };
}

export interface MountedApp {
  session: SessionManager;
  /** Moves to `#<path>` (the app's hash routes). */
  go(path: string): void;
  unmount(): void;
}

// happy-dom has no IndexedDB: one key for the whole window stands in for the browser's stored key,
// so a code bound to it at `#/signin` is exchanged with it after the trip to the sign-in pages.
const browserKey = dpopKeyLoader();

/** Renders the whole app at `origin` + `#<path>` and waits until the session is restored (or not). */
export function mountApp(origin: string, path: string): Promise<MountedApp> {
  return mountAt(`${origin}/#${path}`);
}

/**
 * Empties the window's cookie jar: a browser that holds no session. happy-dom keeps Secure cookies
 * for `localhost` (the hotel's address) as browsers do, and one window serves a whole test file, so
 * a test that must not inherit the test before's sessions says so. happy-dom has no public call for
 * it; its own window (behind the test's global one) leads to the jar.
 */
export function forgetCookies(): void {
  const happyWindow = (document as unknown as Record<symbol, unknown>)[HappySymbol.window];
  const frame = new WindowBrowserContext(
    happyWindow as ConstructorParameters<typeof WindowBrowserContext>[0],
  ).getBrowserFrame();
  if (!frame) throw new Error("happy-dom's cookie jar is out of reach: update forgetCookies()");
  frame.page.context.cookieContainer.clearCookies();
}

/** Renders the whole app at `url` and starts it the way main.tsx does (a sign-in answer included). */
export async function mountAt(url: string): Promise<MountedApp> {
  (window as unknown as HappyWindow).happyDOM.setURL(url);
  const session = new SessionManager(createTabSync(), new ProofSigner(browserKey, issuerLoader()));
  render(
    <SessionContext.Provider value={session}>
      <App />
    </SessionContext.Provider>,
  );
  await startSession(session);
  return {
    session,
    go(to) {
      location.hash = `#${to}`;
    },
    unmount() {
      session.stop();
      cleanup();
    },
  };
}

/**
 * The first half of a sign-in, the way the app does it: `#/signin` sends the page to
 * `/oauth/authorize` (happy-dom records the URL without loading it), whose answer is the sign-in
 * pages' route (read here over plain HTTP: no front-desk cookie goes along, so the form is shown);
 * the form there is filled and sent, and the pages send the browser back. Returns that URL,
 * `{issuer}/?code=…&state=…&iss=…`, not yet opened; this tab's sessionStorage holds the pending
 * sign-in it answers.
 */
export async function signInAnswer(origin: string, username: string, password: string): Promise<string> {
  // Someone new signs in: at a browser where nobody is (the test before may have left a session).
  forgetCookies();
  const start = await mountApp(origin, '/signin');
  await waitFor(() => expect(location.pathname).toBe('/oauth/authorize'), { timeout: 10_000 });
  const request = Object.fromEntries(new URL(location.href).searchParams);
  start.unmount();
  const pages = await mountApp(origin, await authorizeRoute(origin, request));
  const form = await screen.findByTestId('authorize-signin-form', {}, { timeout: 10_000 });
  fireEvent.input(within(form).getByLabelText('Username'), { target: { value: username } });
  fireEvent.input(within(form).getByLabelText('Password'), { target: { value: password } });
  fireEvent.submit(form);
  await waitFor(() => expect(new URL(location.href).searchParams.get('code')).not.toBeNull(), {
    timeout: 10_000,
  });
  const answer = location.href;
  pages.unmount();
  return answer;
}

/**
 * Signs in the way the app does ({@link signInAnswer}), then opens the app at the answer, where it
 * exchanges the code; returns the app signed in.
 *
 * @example
 * app = await signInAs(hotel.url, 'alice', PASSWORDS.alice);
 */
export async function signInAs(origin: string, username: string, password: string): Promise<MountedApp> {
  const app = await mountAt(await signInAnswer(origin, username, password));
  expect(app.session.getState().signInError).toBeUndefined();
  expect(app.session.getState().status).toBe('signed-in');
  return app;
}
