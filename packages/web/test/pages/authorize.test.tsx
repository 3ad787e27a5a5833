// @vitest-environment happy-dom
// The authorization pages (`#/authorize?i=…`) rendered in happy-dom against a real `keycard demo`
// with two code-flow apps registered: sign-in, consent, "continue as", deny, and an expired link.
// The page leaves with window.location.assign: happy-dom records the URL without loading it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fireEvent, screen, waitFor, within } from '@testing-library/preact';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { APP_REDIRECT, authorizeRoute, codeRequest, seedCodeClients } from './support/code-clients.js';
import {
  type MountedApp,
  missingBuild,
  mountApp,
  PASSWORDS,
  type RunningHotel,
  startHotelProcess,
} from './support/harness.js';

const skip = missingBuild() ?? '';

describe.skipIf(skip !== '')('the authorization pages', () => {
  let hotel: RunningHotel;
  let dataDir: string;
  let app: MountedApp | undefined;
  let pages: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'keycard-authorize-pages-'));
    seedCodeClients(dataDir, [
      {
        id: 'room-service',
        name: 'Room service',
        firstParty: false,
        scopes: ['openid', 'profile', 'rooms'],
        audiences: ['rooms'],
      },
      {
        id: 'hotel-desk',
        name: 'Hotel desk app',
        firstParty: true,
        scopes: ['openid', 'profile', 'rooms'],
        audiences: ['rooms'],
      },
    ]);
    hotel = await startHotelProcess({ dataDir });
    // The pages open on localhost: happy-dom, like browsers, sends the front desk's Secure cookie only
    // to https or localhost origins (the API calls are same-origin either way).
    pages = hotel.url.replace('//127.0.0.1:', '//localhost:');
  });
  afterAll(async () => {
    await hotel?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });
  afterEach(() => {
    app?.unmount();
    app = undefined;
  });

  /** Where the page sent the browser, once it has left (the app's redirect URI with its answer). */
  async function leftFor(): Promise<URLSearchParams> {
    await waitFor(() => expect(window.location.href.startsWith(`${APP_REDIRECT}?`)).toBe(true), {
      timeout: 10_000,
    });
    return new URL(window.location.href).searchParams;
  }

  /** The step the page settles on: the sign-in form, the consent question or "Continue as …". */
  async function step(): Promise<'signin' | 'consent' | 'continue'> {
    let found: 'signin' | 'consent' | 'continue' | undefined;
    await waitFor(
      () => {
        if (screen.queryByTestId('authorize-signin-form')) found = 'signin';
        else if (screen.queryByTestId('authorize-consent')) found = 'consent';
        else if (screen.queryByTestId('authorize-continue-step')) found = 'continue';
        expect(found).toBeDefined();
      },
      { timeout: 10_000 },
    );
    return found as 'signin' | 'consent' | 'continue';
  }

  /** Signs in as `username` on the page, as another account when someone is signed in already. */
  async function signInAs(username: keyof typeof PASSWORDS) {
    if ((await step()) !== 'signin') fireEvent.click(screen.getByTestId('authorize-another-account'));
    await signIn(username);
    await waitFor(() => expect(screen.queryByTestId('authorize-signin-form')).toBeNull(), {
      timeout: 10_000,
    });
  }

  async function signIn(username: keyof typeof PASSWORDS) {
    const form = await screen.findByTestId('authorize-signin-form', {}, { timeout: 10_000 });
    fireEvent.input(within(form).getByLabelText('Username'), { target: { value: username } });
    fireEvent.input(within(form).getByLabelText('Password'), { target: { value: PASSWORDS[username] } });
    fireEvent.submit(form);
  }

  it('an app asks: sign in, see what it asks in plain words, allow, back to the app with a code', async () => {
    app = await mountApp(
      pages,
      await authorizeRoute(hotel.url, codeRequest('room-service', { login_hint: 'alice' })),
    );
    const page = await screen.findByTestId('page-authorize');
    expect(
      await within(page).findByRole('heading', { name: 'Sign in to continue to Room service' }),
    ).toBeDefined();
    const scopes = screen.getByTestId('authorize-scopes');
    expect(within(scopes).getByText('Know who you are (your keycard account id)')).toBeDefined();
    expect(within(scopes).getByText('See your username and when your account last changed')).toBeDefined();
    expect(within(scopes).getByText('Use the permission “rooms”')).toBeDefined();
    expect(within(screen.getByTestId('authorize-doors')).getByText('Rooms (Express)')).toBeDefined();

    const form = screen.getByTestId('authorize-signin-form');
    expect((within(form).getByLabelText('Username') as HTMLInputElement).value).toBe('alice');
    await signIn('alice');
    const consent = await screen.findByTestId('authorize-consent', {}, { timeout: 10_000 });
    expect(screen.getByRole('heading', { name: 'Allow Room service?' })).toBeDefined();
    expect(within(consent).getByTestId('authorize-username-shown').textContent).toBe('alice');
    fireEvent.click(within(consent).getByTestId('authorize-allow'));
    const answer = await leftFor();
    expect(answer.get('code')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(answer.get('state')).toBe('page-state');
    expect(answer.get('iss')).toBe(hotel.url);
  });

  it('a wrong password gets the one message, and the form stays', async () => {
    app = await mountApp(pages, await authorizeRoute(hotel.url, codeRequest('hotel-desk')));
    // Alice is signed in at the desk since the test before: sign in as someone else.
    expect(await step()).toBe('continue');
    fireEvent.click(screen.getByTestId('authorize-another-account'));
    const form = await screen.findByTestId('authorize-signin-form');
    fireEvent.input(within(form).getByLabelText('Username'), { target: { value: 'bob' } });
    fireEvent.input(within(form).getByLabelText('Password'), { target: { value: 'not-his-password' } });
    fireEvent.submit(form);
    const error = screen.getByTestId('authorize-signin-error');
    await waitFor(() => expect(error.textContent).toBe('Wrong username or password'), { timeout: 10_000 });
    expect(error.getAttribute('data-code')).toBe('ERR_INVALID_CREDENTIALS');
  });

  it('signed in at the desk: "Continue as bob", or use another account', async () => {
    app = await mountApp(pages, await authorizeRoute(hotel.url, codeRequest('hotel-desk')));
    await signInAs('bob');
    // A first-party app is never asked: straight back with a code.
    expect((await leftFor()).get('code')).toBeTruthy();
    app.unmount();

    app = await mountApp(
      pages,
      await authorizeRoute(hotel.url, codeRequest('hotel-desk', { state: 'again' })),
    );
    const cont = await screen.findByTestId('authorize-continue', {}, { timeout: 10_000 });
    expect(cont.textContent).toBe('Continue as bob');
    fireEvent.click(screen.getByTestId('authorize-another-account'));
    const form = await screen.findByTestId('authorize-signin-form');
    expect((within(form).getByLabelText('Username') as HTMLInputElement).value).toBe('');
    fireEvent.click(screen.getByTestId('authorize-back'));
    fireEvent.click(await screen.findByTestId('authorize-continue'));
    const answer = await leftFor();
    expect(answer.get('state')).toBe('again');
    expect(answer.get('code')).toBeTruthy();
  });

  it('deny: back to the app with access_denied and its state', async () => {
    app = await mountApp(
      pages,
      await authorizeRoute(hotel.url, codeRequest('room-service', { state: 'no-thanks' })),
    );
    await signInAs('carol');
    expect(await step()).toBe('consent');
    fireEvent.click(await screen.findByTestId('authorize-deny', {}, { timeout: 10_000 }));
    const answer = await leftFor();
    expect(answer.get('error')).toBe('access_denied');
    expect(answer.get('state')).toBe('no-thanks');
    expect(answer.get('code')).toBeNull();
  });

  it('an expired, forged or missing link says so and offers nothing to submit', async () => {
    for (const route of ['/authorize?i=v1.AAAA.BBBB.CCCC', '/authorize']) {
      app = await mountApp(pages, route);
      expect(await screen.findByTestId('authorize-expired', {}, { timeout: 10_000 })).toBeDefined();
      expect(screen.getByRole('heading', { name: 'This sign-in link has expired' })).toBeDefined();
      expect(screen.queryByTestId('authorize-signin-form')).toBeNull();
      app.unmount();
      app = undefined;
    }
  });
});
