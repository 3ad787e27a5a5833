/**
 * Leaving the app for the front desk's sign-in pages: a plain sign-in (`#/signin`) and a step-up
 * (a door asked for a stronger sign-in) start the same code flow; the step-up adds what the door
 * asked for and what to do once back.
 */
import { beginSignIn, redirectUriOf, type SignInResume, type SignInStrength } from './code-flow.js';
import type { SessionManager } from './session-manager.js';
import { tabStorage } from './start-session.js';

/** How to leave: `replace` for a page that only redirects (Back must not land on it). */
export interface LeaveOptions extends SignInStrength {
  replace: boolean;
  resume?: SignInResume | undefined;
}

/**
 * Sends the browser to `{issuer}/oauth/authorize` with a fresh code-flow request bound to this
 * browser's DPoP key. Opened under another origin than the issuer's, it first moves to the issuer's
 * own `#/signin` (the session's cookies and key live there). Throws AppError when the tab cannot
 * keep the sign-in's state or the issuer cannot be read.
 *
 * @example
 * await leaveForSignIn(manager, { replace: false, acrValues: ['urn:keycard:acr:mfa'], resume: { door: 'office' } });
 */
export async function leaveForSignIn(manager: SessionManager, options: LeaveOptions): Promise<void> {
  const issuer = await manager.proofs.issuer();
  if (new URL(issuer).origin !== window.location.origin) {
    window.location.replace(`${redirectUriOf(issuer)}#/signin`);
    return;
  }
  const url = await beginSignIn({
    issuer,
    jkt: await manager.proofs.jkt(),
    storage: tabStorage(),
    acrValues: options.acrValues,
    maxAge: options.maxAge,
    resume: options.resume,
  });
  if (options.replace) window.location.replace(url);
  else window.location.assign(url);
}
