// @vitest-environment happy-dom
// The web app's own sign-in, the authorization-code flow through the front desk's pages, rendered in
// happy-dom against a real `keycard demo`: the answer is exchanged and wiped from the address bar;
// an answer this tab did not ask for, one naming another issuer, the desk's refusal and a used code
// each show their reason and a button, and never send the browser round again by themselves.
import { fireEvent, screen, waitFor } from '@testing-library/preact';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PENDING_KEY } from '../../src/session/code-flow.js';
import {
  forgetCookies,
  type MountedApp,
  missingBuild,
  mountApp,
  mountAt,
  PASSWORDS,
  type RunningHotel,
  signInAnswer,
  signInAs,
  startHotelProcess,
} from './support/harness.js';

const skip = missingBuild() ?? '';

describe.skipIf(skip !== '')('signing the web app in', () => {
  let hotel: RunningHotel;
  let app: MountedApp | undefined;

  beforeAll(async () => {
    hotel = await startHotelProcess();
  });
  afterAll(async () => {
    await hotel?.dispose();
  });
  afterEach(() => {
    app?.unmount();
    app = undefined;
    sessionStorage.clear();
    forgetCookies();
  });

  /** A sign-in this tab started (pending in sessionStorage): its `state`. */
  async function startedSignIn(): Promise<string> {
    const start = await mountApp(hotel.url, '/signin');
    await waitFor(() => expect(location.pathname).toBe('/oauth/authorize'), { timeout: 10_000 });
    const state = new URL(location.href).searchParams.get('state') ?? '';
    start.unmount();
    return state;
  }

  /** Opens the app at `query` and waits for the sign-in page's reason; the browser stays here. */
  async function refusedWith(query: string): Promise<{ code: string | null; text: string }> {
    app = await mountAt(`${hotel.url}/?${query}`);
    const error = await screen.findByTestId('signin-error', {}, { timeout: 10_000 });
    await waitFor(() => expect(error.textContent).not.toBe(''));
    // The answer is off the address bar, and the page waits for a click instead of leaving again.
    expect(location.search).toBe('');
    expect(location.pathname).toBe('/');
    expect(location.hash).toBe('#/signin');
    expect(screen.getByTestId('signin-start').textContent).toBe('Sign in again');
    expect(app.session.getState().status).toBe('signed-out');
    return { code: error.getAttribute('data-code'), text: error.textContent ?? '' };
  }

  it('back from the front desk: the code becomes a session, the address bar and the pending sign-in are cleared', async () => {
    app = await signInAs(hotel.url, 'alice', PASSWORDS.alice);
    expect((await screen.findByTestId('card-username')).textContent).toBe('alice');
    expect(location.href).toBe(`${hotel.url}/#/`);
    expect(sessionStorage.getItem(PENDING_KEY)).toBeNull();
    const card = app.session.getState().card;
    expect(card?.tokenType).toBe('DPoP');
    expect(card?.payload['client_id']).toBe('keycard-web');
  });

  it('an answer this tab did not ask for is refused before anything else, its words unread', async () => {
    const forged = await refusedWith(
      `code=forged&state=not-mine&iss=${encodeURIComponent(hotel.url)}&error_description=call+555`,
    );
    expect(forged.code).toBe('ERR_SIGNIN_STATE');
    expect(forged.text).not.toContain('555');
    app?.unmount();
    // No sign-in pending at all (another tab's, or a reload of a used answer): the same.
    const none = await refusedWith(`error=access_denied&iss=${encodeURIComponent(hotel.url)}`);
    expect(none.code).toBe('ERR_SIGNIN_STATE');
    // The button starts a fresh sign-in.
    fireEvent.click(screen.getByTestId('signin-start'));
    await waitFor(() => expect(location.pathname).toBe('/oauth/authorize'), { timeout: 10_000 });
  });

  it('an answer naming another issuer, or none, is refused (RFC 9207)', async () => {
    let state = await startedSignIn();
    const other = await refusedWith(
      `code=x&state=${state}&iss=${encodeURIComponent('https://evil.example')}`,
    );
    expect(other.code).toBe('ERR_SIGNIN_ISSUER');
    app?.unmount();
    state = await startedSignIn();
    expect((await refusedWith(`code=x&state=${state}`)).code).toBe('ERR_SIGNIN_ISSUER');
  });

  it("the front desk's refusal is shown with its error", async () => {
    const state = await startedSignIn();
    const refused = await refusedWith(
      `error=access_denied&error_description=${encodeURIComponent('the person said no')}&state=${state}&iss=${encodeURIComponent(hotel.url)}`,
    );
    expect(refused.code).toBe('ERR_SIGNIN_REFUSED');
    expect(refused.text).toContain('access_denied');
  });

  it('a code used once already: the exchange is refused and the reason shown', async () => {
    const answer = await signInAnswer(hotel.url, 'bob', PASSWORDS.bob);
    const pending = sessionStorage.getItem(PENDING_KEY);
    app = await mountAt(answer);
    expect(app.session.getState().status).toBe('signed-in');
    app.unmount();
    // The same answer again, as if this tab had started it again.
    sessionStorage.setItem(PENDING_KEY, pending ?? '');
    const replayed = await refusedWith(new URL(answer).search.slice(1));
    expect(replayed.code).toBe('ERR_INVALID_GRANT');
  });
});
