// @vitest-environment happy-dom
// The account page's "Apps you allowed" and offline-access marks, and the sign-out pages
// (`#/logout?l=…`, `#/signed-out`), rendered in happy-dom against a real `keycard demo` server. The
// records the authorization-code flow would leave (an app, alice's consent, an offline session, a
// browser session) are written into the demo's database. The sign-out page runs at
// http://localhost:<port> (the same demo): happy-dom keeps `Secure` cookies only for https and
// localhost, like browsers for a secure context.
import { get } from 'node:http';
import { fireEvent, screen, waitFor, within } from '@testing-library/preact';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type MountedApp,
  missingBuild,
  mountApp,
  PASSWORDS,
  type RunningHotel,
  signInAs,
  startHotelProcess,
} from './support/harness.js';
import {
  browserSessionCookie,
  readBack,
  type SignOutSeed,
  seedAliceUse,
  seedApp,
  seedBrowserSession,
} from './support/sign-out-seed.js';

const skip = missingBuild() ?? '';
const APP = 'travel-desk';
const BYE = 'https://travel.example/bye';

/** `Location` of a GET, through Node's own HTTP client (not the page's fetch). */
function locationOf(url: string, cookie: string): Promise<{ status: number; location: string }> {
  return new Promise((resolve, reject) => {
    get(url, { headers: { cookie } }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, location: String(res.headers.location ?? '') });
    }).on('error', reject);
  });
}

describe.skipIf(skip !== '')('apps you allowed and the sign-out pages', () => {
  let hotel: RunningHotel;
  let app: MountedApp | undefined;
  let seed: SignOutSeed;
  /** The demo under the name happy-dom treats as a secure context. */
  let localhost: string;

  beforeAll(async () => {
    hotel = await startHotelProcess();
    localhost = hotel.url.replace('127.0.0.1', 'localhost');
    await seedApp(hotel.dataDir, APP, 'Travel Desk', BYE);
  });
  afterAll(async () => {
    await hotel?.dispose();
  });
  afterEach(() => {
    app?.unmount();
    app = undefined;
  });

  /**
   * What `/oauth/logout` sends a browser where someone is signed in (`browserSessionId`; by default
   * a new one) to, so that they confirm.
   */
  async function logoutPath(state: string, browserSessionId?: string): Promise<string> {
    const params = new URLSearchParams({ client_id: APP, post_logout_redirect_uri: BYE, state });
    const id = browserSessionId ?? (await seedBrowserSession(hotel.dataDir));
    const cookie = `__Host-keycard_sso=${await browserSessionCookie(hotel.dataDir, id)}`;
    const { status, location } = await locationOf(`${hotel.url}/oauth/logout?${params}`, cookie);
    expect(status).toBe(303);
    expect(location).toMatch(/^\/#\/logout\?l=/);
    return location.slice('/#'.length);
  }

  it('lists the apps alice allowed, marks the offline session, and revokes after the dialog', async () => {
    seed = await seedAliceUse(hotel.dataDir, APP);
    app = await signInAs(hotel.url, 'alice', PASSWORDS.alice);
    app.go('/account');

    const row = await screen.findByTestId(`consent-${APP}`);
    expect(within(row).getByRole('rowheader').textContent).toBe('Travel Desk');
    expect(screen.getByTestId(`consent-${APP}-grants`).textContent).toContain('offline_access');
    const offline = await screen.findByTestId(`session-${seed.offlineSessionId}`);
    expect(offline.getAttribute('data-offline')).toBe('true');
    expect(within(offline).getByTestId('session-offline').textContent).toBe('Offline access');
    const mine = screen.getByTestId(`session-${app.session.getState().card?.sessionId}`);
    expect(mine.getAttribute('data-offline')).toBe('false');

    // Cancel changes nothing.
    fireEvent.click(within(row).getByRole('button', { name: 'Revoke access for Travel Desk' }));
    let dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByRole('heading').textContent).toBe('Revoke access for Travel Desk?');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(dialog.hasAttribute('open')).toBe(false));
    expect((await readBack(hotel.dataDir, seed, APP)).consent).toBeDefined();

    fireEvent.click(within(row).getByRole('button', { name: 'Revoke access for Travel Desk' }));
    dialog = await screen.findByRole('dialog');
    fireEvent.click(within(dialog).getByTestId('confirm-ok'));
    await waitFor(() =>
      expect(screen.getByTestId('consents-status').textContent).toBe('Revoked access for Travel Desk.'),
    );
    await waitFor(() => expect(screen.queryByTestId(`consent-${APP}`)).toBeNull());
    // The sessions list reloads: the app's offline session is gone with the consent.
    await waitFor(() => expect(screen.queryByTestId(`session-${seed.offlineSessionId}`)).toBeNull());
    const stored = await readBack(hotel.dataDir, seed, APP);
    expect(stored.consent).toBeUndefined();
    expect(stored.offlineSession?.revokedReason).toBe('consent_revoked');
  });

  it('signed in at the front desk: "Sign out" ends the browser session and goes back to the app with its state', async () => {
    seed = await seedAliceUse(hotel.dataDir, APP);
    const path = await logoutPath('st-1', seed.browserSessionId);
    app = await mountApp(localhost, '/');
    // The cookie the front desk set at sign-in (HttpOnly there; a page script could not write that flag).
    const value = await browserSessionCookie(hotel.dataDir, seed.browserSessionId);
    // biome-ignore lint/suspicious/noDocumentCookie: plants the server's cookie as the browser would hold it
    document.cookie = `__Host-keycard_sso=${value}; Secure; Path=/; SameSite=Lax`;
    app.go(path);

    const panel = await screen.findByTestId('logout-panel');
    expect(panel.getAttribute('data-client')).toBe(APP);
    expect(screen.getByTestId('page-logout').textContent).toContain('Travel Desk asks you to sign out');
    expect(screen.getByTestId('logout-user').textContent).toContain('You are signed in as alice');
    expect(screen.getByTestId('logout-stay')).toBeDefined();
    fireEvent.click(screen.getByTestId('logout-confirm'));

    await waitFor(() => expect(window.location.href).toBe(`${BYE}?state=st-1`));
    const stored = await readBack(hotel.dataDir, seed, APP);
    expect(stored.browserSession?.endedReason).toBe('logout');
    // The offline-access grant outlives the browser session.
    expect(stored.offlineSession?.revokedAt).toBeNull();
  });

  it('not signed in here: the page says so and only offers to go back', async () => {
    // A link made in a browser where alice is signed in, opened in one where nobody is.
    app = await mountApp(localhost, await logoutPath('st-2'));
    expect((await screen.findByTestId('logout-user')).textContent).toContain('not signed in');
    expect(screen.queryByTestId('logout-stay')).toBeNull();
    const back = screen.getByTestId('logout-confirm');
    expect(back.textContent).toBe('Back to Travel Desk');
    fireEvent.click(back);
    await waitFor(() => expect(window.location.href).toBe(`${BYE}?state=st-2`));
  });

  it('an altered link says it has expired; the signed-out page is plain', async () => {
    const path = await logoutPath('st-3');
    app = await mountApp(hotel.url, `${path.slice(0, -3)}xyz`);
    expect((await screen.findByTestId('page-logout-expired')).textContent).toContain(
      'This sign-out link has expired',
    );
    app.go('/signed-out');
    expect((await screen.findByTestId('page-signed-out')).textContent).toContain('You are signed out');
  });
});
