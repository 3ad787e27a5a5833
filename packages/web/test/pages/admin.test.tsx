// @vitest-environment happy-dom
// The admin pages rendered in happy-dom against a real `keycard demo` server: the sessions list marks
// your own session, Revoke / Rotate / Delete ask in a <dialog> first (Cancel changes nothing), times
// just recorded read "just now", the client form's type select offers both types in full, and the
// client form registers code-flow clients (redirect and logout URIs) and keys-only ones (pasted JWKs).
import { generateKeyPairSync } from 'node:crypto';
import { fireEvent, screen, waitFor, within } from '@testing-library/preact';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type MountedApp,
  missingBuild,
  PASSWORDS,
  type RunningHotel,
  signInAs,
  startHotelProcess,
} from './support/harness.js';

const skip = missingBuild() ?? '';

describe.skipIf(skip !== '')('admin pages', () => {
  let hotel: RunningHotel;
  let app: MountedApp;

  beforeAll(async () => {
    hotel = await startHotelProcess();
  });
  afterAll(async () => {
    await hotel?.dispose();
  });
  afterEach(() => app?.unmount());

  async function asCarol(path: string): Promise<void> {
    app = await signInAs(hotel.url, 'carol', PASSWORDS.carol);
    app.go(path);
  }

  it('marks your own session and asks before revoking it', async () => {
    await asCarol('/admin/sessions');
    const own = await screen.findByTestId('admin-session-own');
    expect(own.textContent).toBe('You, this browser');
    const row = own.closest('tr');
    expect(row?.getAttribute('data-current')).toBe('true');
    expect(row?.getAttribute('data-testid')).toBe(`admin-session-${app.session.getState().card?.sessionId}`);
    // Only one row is yours.
    expect(screen.getAllByTestId('admin-session-own')).toHaveLength(1);
    // "Signed in" was a moment ago: never "in 1 s".
    expect(within(row as HTMLElement).getAllByText('just now').length).toBeGreaterThan(0);
    expect(row?.textContent).not.toMatch(/\bin \d+ s\b/);

    const revoke = within(row as HTMLElement).getByRole('button', { name: /Revoke the session of carol/ });
    fireEvent.click(revoke);
    const dialog = await screen.findByRole('dialog');
    expect(dialog.hasAttribute('open')).toBe(true);
    expect(within(dialog).getByRole('heading').textContent).toBe('Revoke your own session?');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(dialog.hasAttribute('open')).toBe(false));
    expect(screen.getByTestId('admin-sessions-status').textContent).toBe('');
    expect(app.session.getState().status).toBe('signed-in');
  });

  it("revokes alice's session only after the dialog is confirmed", async () => {
    const { apiLogin } = await import('./support/harness.js');
    await apiLogin(hotel.url, 'alice');
    await asCarol('/admin/sessions');
    const row = (await screen.findAllByTestId(/^admin-session-/)).find(
      (el) => el.getAttribute('data-user') === 'alice',
    );
    expect(row).toBeDefined();
    fireEvent.click(within(row as HTMLElement).getByRole('button', { name: /Revoke the session of alice/ }));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByRole('heading').textContent).toBe('Revoke the session of alice?');
    fireEvent.click(within(dialog).getByTestId('confirm-ok'));
    await waitFor(() =>
      expect(screen.getByTestId('admin-sessions-status').textContent).toMatch(/Revoked the session of alice/),
    );
    await waitFor(() =>
      expect(
        screen.queryAllByTestId(/^admin-session-/).filter((el) => el.getAttribute('data-user') === 'alice'),
      ).toHaveLength(0),
    );
  });

  it('rotates the signing key only after the dialog is confirmed', async () => {
    await asCarol('/admin/keys');
    const current = async () =>
      (await screen.findAllByTestId(/^admin-key-/))
        .find((el) => el.getAttribute('data-state') === 'current')
        ?.getAttribute('data-testid');
    const before = await current();
    expect(before).toBeDefined();
    fireEvent.click(screen.getByTestId('admin-keys-rotate'));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByRole('heading').textContent).toBe('Rotate the signing key now?');
    fireEvent.click(within(dialog).getByTestId('confirm-cancel'));
    await waitFor(() => expect(dialog.hasAttribute('open')).toBe(false));
    expect(await current()).toBe(before);

    fireEvent.click(screen.getByTestId('admin-keys-rotate'));
    fireEvent.click(within(await screen.findByRole('dialog')).getByTestId('confirm-ok'));
    await waitFor(() => expect(screen.getByTestId('admin-keys-status').textContent).toMatch(/Rotated/));
    await waitFor(async () => expect(await current()).not.toBe(before));
    // A key created moments ago.
    expect(screen.getByTestId('admin-keys-list').textContent).not.toMatch(/\bin \d+ s\b/);
  });

  it('asks before deleting a client, and the type select offers both types in full', async () => {
    await asCarol('/admin/clients');
    const select = (await screen.findByLabelText('Type')) as HTMLSelectElement;
    expect([...select.options].map((o) => o.text)).toEqual([
      'confidential (secret or keys)',
      'public (no secret)',
    ]);
    fireEvent.change(select, { target: { value: 'public' } });
    expect(select.value).toBe('public');

    fireEvent.click(await screen.findByTestId('admin-client-rooms-service-delete'));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByRole('heading').textContent).toBe('Delete client rooms-service?');
    fireEvent.click(within(dialog).getByTestId('confirm-cancel'));
    await waitFor(() => expect(dialog.hasAttribute('open')).toBe(false));
    expect(screen.getByTestId('admin-client-rooms-service')).toBeDefined();
  });

  it('registers a public code-flow client with its redirect, logout and back-channel URIs', async () => {
    await asCarol('/admin/clients');
    const type = (await screen.findByLabelText('Type')) as HTMLSelectElement;
    fireEvent.change(type, { target: { value: 'public' } });
    fireEvent.input(screen.getByLabelText('Client id'), { target: { value: 'photos-app' } });
    fireEvent.click(screen.getByTestId('admin-client-create-grant-client_credentials'));
    // The URI fields appear with the grant that uses them; a public client has no key fields.
    expect(screen.queryByLabelText(/Redirect URIs/)).toBeNull();
    fireEvent.click(screen.getByTestId('admin-client-create-grant-authorization_code'));
    expect(screen.queryByLabelText(/Public keys/)).toBeNull();
    const redirects = screen.getByLabelText(/Redirect URIs/);
    // A fragment is refused by the server, which names the field.
    fireEvent.input(redirects, { target: { value: 'https://photos.example.com/cb#x' } });
    fireEvent.click(screen.getByTestId('admin-client-create-submit'));
    await waitFor(() =>
      expect(screen.getByTestId('admin-client-create-status').textContent).toMatch(
        /redirectUris\[0\]: must not contain a fragment/,
      ),
    );
    fireEvent.input(redirects, { target: { value: 'https://photos.example.com/cb\nhttp://127.0.0.1/cb' } });
    fireEvent.input(screen.getByLabelText(/Post-logout redirect URIs/), {
      target: { value: 'https://photos.example.com/bye' },
    });
    fireEvent.input(screen.getByLabelText('Back-channel logout URI'), {
      target: { value: 'https://photos.example.com/backchannel' },
    });
    fireEvent.click(screen.getByTestId('admin-client-create-submit'));
    await waitFor(() =>
      expect(screen.getByTestId('admin-client-create-status').textContent).toBe('Client photos-app created.'),
    );
    expect(screen.queryByTestId('admin-client-secret-box')).toBeNull();
    const uris = await screen.findByTestId('admin-client-photos-app-uris');
    expect([...uris.querySelectorAll('li')].map((li) => li.textContent)).toEqual([
      'https://photos.example.com/cb',
      'http://127.0.0.1/cb',
      'after sign-out: https://photos.example.com/bye',
      'back-channel: https://photos.example.com/backchannel',
    ]);
    expect(screen.getByTestId('admin-client-photos-app-credentials').textContent).toBe('no credentials');
    expect(screen.getByTestId('admin-client-photos-app-grants').textContent).toBe('authorization_code');
  });

  it('registers a keys-only confidential client from a pasted JWK: no secret shown', async () => {
    await asCarol('/admin/clients');
    fireEvent.input(await screen.findByLabelText('Client id'), { target: { value: 'photos-worker' } });
    const keys = screen.getByLabelText(/Public keys/);
    fireEvent.input(keys, { target: { value: '{"keys": [' } });
    fireEvent.click(screen.getByTestId('admin-client-create-no-secret'));
    fireEvent.click(screen.getByTestId('admin-client-create-submit'));
    await waitFor(() =>
      expect(screen.getByTestId('admin-client-create-status').textContent).toMatch(
        /Public keys: not valid JSON/,
      ),
    );
    // A private key is refused by the server, naming the member.
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = (key: typeof publicKey) =>
      JSON.stringify({ ...key.export({ format: 'jwk' }), kid: 'w1', alg: 'ES256' });
    fireEvent.input(keys, { target: { value: jwk(privateKey) } });
    fireEvent.click(screen.getByTestId('admin-client-create-submit'));
    await waitFor(() =>
      expect(screen.getByTestId('admin-client-create-status').textContent).toMatch(
        /jwks\.keys\[0\]: has the private member "d"/,
      ),
    );
    fireEvent.input(keys, { target: { value: jwk(publicKey) } });
    fireEvent.click(screen.getByTestId('admin-client-create-submit'));
    await waitFor(() =>
      expect(screen.getByTestId('admin-client-create-status').textContent).toBe(
        'Client photos-worker created.',
      ),
    );
    expect(screen.queryByTestId('admin-client-secret-box')).toBeNull();
    expect((await screen.findByTestId('admin-client-photos-worker-credentials')).textContent).toBe(
      'keys: w1',
    );
    expect(screen.getByTestId('admin-client-photos-worker-uris').textContent).toBe('none');
  });

  it('the audit log lists what just happened, newest first, as "just now"', async () => {
    await asCarol('/admin/audit');
    const entries = await screen.findAllByTestId('admin-audit-entry');
    expect(entries.length).toBeGreaterThan(0);
    expect(entries[0]?.textContent).toMatch(/just now/);
    expect(screen.getByTestId('admin-audit-list').textContent).not.toMatch(/\bin \d+ s\b/);
    // Every cell carries its column's label, for the stacked layout on phones.
    const first = entries[0] as HTMLElement;
    expect([...first.querySelectorAll('td')].map((td) => td.getAttribute('data-label'))).toEqual([
      'When',
      'Type',
      'Actor',
      'Subject',
      'IP',
      'Detail',
    ]);
  });
});
