// @vitest-environment happy-dom
// The sign-in page (handing over to the front desk's sign-in pages), the inspector and the account
// page rendered in happy-dom against a real `keycard demo` server.
import { fireEvent, screen, waitFor, within } from '@testing-library/preact';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { authorizeRoute } from './support/code-clients.js';
import {
  apiLogin,
  type MountedApp,
  missingBuild,
  mountApp,
  PASSWORDS,
  type RunningHotel,
  signInAs,
  startHotelProcess,
} from './support/harness.js';

const skip = missingBuild() ?? '';

describe.skipIf(skip !== '')('sign-in, inspector and account pages', () => {
  let hotel: RunningHotel;
  let app: MountedApp;

  beforeAll(async () => {
    hotel = await startHotelProcess();
  });
  afterAll(async () => {
    await hotel?.dispose();
  });
  afterEach(() => app?.unmount());

  it("sign-in: the front desk's form beside what the app asks, one message for a wrong password", async () => {
    app = await mountApp(hotel.url, '/signin');
    // The app's own page says what the card does, and hands over to the front desk's sign-in pages.
    const page = await screen.findByTestId('page-signin');
    expect(within(page).getByRole('heading', { name: 'What your key card does' })).toBeDefined();
    await waitFor(() => expect(location.pathname).toBe('/oauth/authorize'), { timeout: 10_000 });
    const request = new URL(location.href).searchParams;
    expect(request.get('client_id')).toBe('keycard-web');
    expect(request.get('redirect_uri')).toBe(`${hotel.url}/`);
    app.unmount();

    app = await mountApp(hotel.url, await authorizeRoute(hotel.url, Object.fromEntries(request)));
    const form = await screen.findByTestId('authorize-signin-form', {}, { timeout: 10_000 });
    expect(form.closest('.signin > .signin-panel')).not.toBeNull();
    expect(screen.getByTestId('authorize-doors')).toBeDefined();
    fireEvent.input(within(form).getByLabelText('Username'), { target: { value: 'alice' } });
    fireEvent.input(within(form).getByLabelText('Password'), { target: { value: 'not-her-password' } });
    fireEvent.submit(form);
    const error = screen.getByTestId('authorize-signin-error');
    await waitFor(() => expect(error.textContent).toBe('Wrong username or password'), { timeout: 10_000 });
    expect(error.getAttribute('data-code')).toBe('ERR_INVALID_CREDENTIALS');
  });

  it('sign-in: the right password opens the front desk', async () => {
    app = await signInAs(hotel.url, 'bob', PASSWORDS.bob);
    expect((await screen.findByTestId('card-username', {}, { timeout: 10_000 })).textContent).toBe('bob');
  });

  it('inspector: `not.a.token` gets one message, the right one, and cannot be sent', async () => {
    app = await mountApp(hotel.url, '/inspector');
    fireEvent.input(await screen.findByLabelText('Token (JWS compact)'), {
      target: { value: 'not.a.token' },
    });
    const message = 'This is not a JWT: the first part (the header) is not base64url-encoded JSON.';
    await waitFor(() => expect(screen.getByTestId('inspector-error').textContent).toBe(message));
    expect(document.body.textContent?.split(message).length).toBe(2); // exactly once on the page
    expect(document.body.textContent).not.toContain('expected three base64url parts');
    expect((screen.getByTestId('inspector-verify') as HTMLButtonElement).disabled).toBe(true);
    fireEvent.submit(screen.getByTestId('inspector-verify').closest('form') as HTMLFormElement);
    expect(screen.queryByTestId('inspector-valid')).toBeNull();

    fireEvent.input(screen.getByLabelText('Token (JWS compact)'), { target: { value: 'two.parts' } });
    await waitFor(() =>
      expect(screen.getByTestId('inspector-error').textContent).toBe(
        'This is not a JWT: expected three base64url parts separated by dots.',
      ),
    );
  });

  it('inspector: a genuine card verifies, every check listed once', async () => {
    app = await mountApp(hotel.url, '/inspector');
    const token = await apiLogin(hotel.url, 'bob');
    fireEvent.input(await screen.findByLabelText('Token (JWS compact)'), { target: { value: token } });
    fireEvent.click(screen.getByTestId('inspector-verify'));
    const valid = await screen.findByTestId('inspector-valid', {}, { timeout: 10_000 });
    expect(valid.getAttribute('data-valid')).toBe('true');
    expect(screen.getByTestId('inspector-error').textContent).toBe('');
    expect(screen.getAllByTestId('inspector-check-signature')).toHaveLength(1);
    expect(screen.getByTestId('inspector-claims-iat').textContent).toMatch(/just now|s ago/);
  });

  it('account: this device is marked and was signed in "just now"', async () => {
    app = await signInAs(hotel.url, 'alice', PASSWORDS.alice);
    app.go('/account');
    const badge = await screen.findByTestId('session-current', {}, { timeout: 10_000 });
    const row = badge.closest('tr') as HTMLElement;
    expect(row.getAttribute('data-current')).toBe('true');
    expect(within(row).getAllByText('just now').length).toBeGreaterThan(0);
    expect(row.textContent).not.toMatch(/\bin \d+ s\b/);
    // Shared form fields: every input has its label.
    for (const id of ['password-current', 'password-new', 'password-confirm']) {
      expect(document.querySelector(`label[for="${id}"]`)).not.toBeNull();
    }
  });
});
