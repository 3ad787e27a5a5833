/// <reference types="node" />
// Page component tests: the real app (App, SessionManager, DPoP proofs) rendered in happy-dom,
// talking over real HTTP to a real `keycard demo` child process (the one the Chromium tests use).
// happy-dom's fetch resolves the app's relative `/api/*` paths against the page URL set here.
import { cleanup, render } from '@testing-library/preact';
import { App } from '../../../src/app.js';
import { dpopKeyLoader } from '../../../src/dpop/key-store.js';
import { issuerLoader, ProofSigner } from '../../../src/session/proofs.js';
import { SessionManager } from '../../../src/session/session-manager.js';
import { createTabSync } from '../../../src/session/tab-sync.js';
import { SessionContext } from '../../../src/session/use-session.js';

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

/** Renders the whole app at `origin` + `#<path>` and waits until the session is restored (or not). */
export async function mountApp(origin: string, path: string): Promise<MountedApp> {
  (window as unknown as HappyWindow).happyDOM.setURL(`${origin}/#${path}`);
  const session = new SessionManager(createTabSync(), new ProofSigner(dpopKeyLoader(), issuerLoader()));
  render(
    <SessionContext.Provider value={session}>
      <App />
    </SessionContext.Provider>,
  );
  await session.start();
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
