// @vitest-environment happy-dom
// The admin pages rendered in happy-dom against a real `keycard demo` server: the sessions list marks
// your own session, Revoke / Rotate / Delete ask in a <dialog> first (Cancel changes nothing), times
// just recorded read "just now", and the client form's type select offers both types in full.
import { fireEvent, screen, waitFor, within } from '@testing-library/preact';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type MountedApp,
  missingBuild,
  mountApp,
  PASSWORDS,
  type RunningHotel,
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
    app = await mountApp(hotel.url, '/signin');
    await app.session.login('carol', PASSWORDS.carol);
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
      'confidential (has a secret)',
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
