// @vitest-environment happy-dom
// The front desk rendered in happy-dom against a real `keycard demo` server: the key card counts
// down while the session lives; once the manager revokes the session (through the real admin API),
// the next door or API answer ends it here, the countdown stops and the card reads "Revoked".
import { fireEvent, screen, waitFor } from '@testing-library/preact';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  apiLogin,
  type MountedApp,
  missingBuild,
  PASSWORDS,
  type RunningHotel,
  signInAs,
  startHotelProcess,
} from './support/harness.js';

const skip = missingBuild() ?? '';

async function revokeAsManager(url: string, sessionId: string): Promise<void> {
  const card = await apiLogin(url, 'carol');
  const res = await fetch(`${url}/api/admin/sessions/${encodeURIComponent(sessionId)}`, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${card}` },
  });
  expect(res.status).toBeLessThan(300);
}

describe.skipIf(skip !== '')('front desk', () => {
  let hotel: RunningHotel;
  let app: MountedApp;

  beforeAll(async () => {
    hotel = await startHotelProcess();
  });
  afterAll(async () => {
    await hotel?.dispose();
  });
  afterEach(() => app?.unmount());

  it('draws the card with roles and a live countdown, the void stamp absent', async () => {
    app = await signInAs(hotel.url, 'alice', PASSWORDS.alice);
    app.go('/');
    const card = await screen.findByTestId('card');
    expect(card.getAttribute('data-state')).toBe('active');
    expect(screen.getByTestId('card-username').textContent).toBe('alice');
    expect(screen.getByTestId('card-roles').textContent).toContain('guest');
    expect(Number(screen.getByTestId('card-expiry').getAttribute('data-seconds-left'))).toBeGreaterThan(0);
    expect(screen.queryByTestId('card-void')).toBeNull();
  });

  it('a revoked session: the API answers 401, the countdown stops and the card shows "Revoked"', async () => {
    app = await signInAs(hotel.url, 'alice', PASSWORDS.alice);
    app.go('/');
    await screen.findByTestId('card');
    const sessionId = app.session.getState().card?.sessionId;
    expect(sessionId).toBeDefined();
    await revokeAsManager(hotel.url, sessionId as string);

    // The account page's first call meets the revocation (401 for the card, then a refused refresh).
    app.go('/account');
    await waitFor(() => expect(app.session.getState().status).toBe('signed-out'), { timeout: 10_000 });
    expect(app.session.getState().revoked).toBe(true);
    app.go('/');
    const card = await screen.findByTestId('card');
    await waitFor(() => expect(card.getAttribute('data-state')).toBe('revoked'));
    expect(screen.getByTestId('card-void').textContent).toBe('Revoked');
    expect(screen.getByTestId('card-expiry').getAttribute('data-seconds-left')).toBe('0');
    expect(screen.getByTestId('card-expiry').textContent).toBe('no longer valid');
    expect(screen.getByTestId('app-notice').textContent).toMatch(/revoked/);
    expect(screen.getByTestId('desk-card-keycard').textContent).toContain('revoked');
    // The old card can still be tried on the doors, and a new sign-in is offered.
    expect(screen.getByTestId('try-old-card')).toBeDefined();
    expect(screen.getByTestId('signin-again')).toBeDefined();
  });

  it('checking out stamps the card "Checked out" (not revoked)', async () => {
    app = await signInAs(hotel.url, 'bob', PASSWORDS.bob);
    app.go('/');
    fireEvent.click(await screen.findByTestId('checkout'));
    await waitFor(() => expect(screen.getByTestId('card').getAttribute('data-state')).toBe('checked-out'));
    expect(screen.getByTestId('card-void').textContent).toBe('Checked out');
    expect(app.session.getState().revoked).toBe(false);
  });
});
