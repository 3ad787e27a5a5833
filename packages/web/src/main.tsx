import { render } from 'preact';
import { App } from './app.js';
import { dpopKeyLoader } from './dpop/key-store.js';
import { issuerLoader, ProofSigner } from './session/proofs.js';
import { SessionManager } from './session/session-manager.js';
import { startSession } from './session/start-session.js';
import { createTabSync } from './session/tab-sync.js';
import { SessionContext } from './session/use-session.js';
import './styles/index.css';

const session = new SessionManager(createTabSync(), new ProofSigner(dpopKeyLoader(), issuerLoader()));
const root = document.getElementById('app');
if (root) {
  render(
    <SessionContext.Provider value={session}>
      <App />
    </SessionContext.Provider>,
    root,
  );
}
void startSession(session);
