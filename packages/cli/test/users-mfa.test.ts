// `keycard users mfa show|reset` and `keycard roles add --require-mfa` on a data dir: what they
// print, what they change, what they audit, and that no secret or code is ever printed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lookupKey, type OpenServices, openDataDir } from '@keycard/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from './helpers.js';

const PASSWORD = 'correct horse battery staple';

describe('keycard users mfa and roles --require-mfa', () => {
  let dir: string;
  const at = (...argv: string[]) => [...argv, '--data-dir', dir];
  /** Opens the data dir's services for `fn` (the CLI and the test never hold it at once). */
  async function withServices<T>(fn: (services: OpenServices) => Promise<T>): Promise<T> {
    const services = await openDataDir({ dataDir: dir, logger: { info() {}, warn() {}, error() {} } });
    try {
      return await fn(services);
    } finally {
      await services.close();
    }
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'keycard-cli-mfa-'));
    expect((await run(at('users', 'add', 'alice', '--password-stdin'), { stdin: PASSWORD })).code).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('roles add --require-mfa sets it, a save without the flag keeps it, --no-require-mfa clears it', async () => {
    const on = await run(at('roles', 'add', 'night-desk', '--scope', 'rooms:open', '--require-mfa'));
    expect(on.code).toBe(0);
    expect(on.stdout).toMatch(/saved role night-desk \(scopes rooms:open, second factor required\)/);
    const listed = await run(at('roles', 'list'));
    expect(listed.stdout).toMatch(/^NAME\s+SCOPES\s+MFA$/m);
    expect(listed.stdout).toMatch(/^night-desk\s+rooms:open\s+required$/m);
    expect(listed.stdout).toMatch(/^manager\s+admin\s+-$/m);
    const json = JSON.parse((await run(at('roles', 'list', '--json'))).stdout) as {
      name: string;
      requireMfa: boolean;
    }[];
    expect(json.find((r) => r.name === 'night-desk')?.requireMfa).toBe(true);

    expect((await run(at('roles', 'add', 'night-desk', '--scope', 'rooms:clean'))).stdout).toMatch(
      /second factor required/,
    );
    const off = await run(at('roles', 'add', 'night-desk', '--no-require-mfa'));
    expect(off.stdout).toBe('saved role night-desk (scopes -)\n');
    expect(
      await withServices(async ({ ctx }) => (await ctx.storage.roles.get('night-desk'))?.requireMfa),
    ).toBe(false);
    const both = await run(at('roles', 'add', 'x', '--require-mfa', '--no-require-mfa'));
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/exclude each other/);
  });

  it('users mfa show prints what is set up, never a secret; --json for scripts', async () => {
    const none = await run(at('users', 'mfa', 'show', 'alice'));
    expect(none.code).toBe(0);
    expect(none.stdout).toMatch(/^TOTP\s+off$/m);
    expect(none.stdout).toMatch(/^passkeys\s+none$/m);
    expect(none.stdout).toMatch(/^recovery codes\s+0 left$/m);
    expect(none.stdout).toMatch(/^required\s+no$/m);

    const seeded = await withServices(async ({ ctx }) => {
      const user = (await ctx.storage.users.getByUsername(lookupKey('alice')))!;
      await ctx.storage.totp.put({
        userId: user.id,
        secretSealed: ctx.sealer.seal('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', 'totp-secret'),
        createdAt: Date.UTC(2030, 0, 1),
        confirmedAt: Date.UTC(2030, 0, 1),
        lastUsedStep: 1,
      });
      await ctx.storage.passkeys.create({
        id: 'pk-1',
        userId: user.id,
        credentialId: 'Y3JlZGVudGlhbC1pZA',
        publicKey: 'cHVibGljLWtleS1ieXRlcw',
        counter: 3,
        transports: ['usb'],
        name: 'Work key',
        aaguid: '00000000-0000-0000-0000-000000000000',
        backedUp: false,
        deviceType: 'singleDevice',
        createdAt: Date.UTC(2030, 0, 2),
        lastUsedAt: null,
      });
      await ctx.storage.recoveryCodes.replace(
        user.id,
        ['a'.repeat(64), 'b'.repeat(64)],
        Date.UTC(2030, 0, 1),
      );
      return user;
    });
    const shown = await run(at('users', 'mfa', 'show', 'alice'));
    expect(shown.stdout).toMatch(/^TOTP\s+on since 2030-01-01T00:00:00Z$/m);
    expect(shown.stdout).toMatch(/^passkeys\s+1$/m);
    expect(shown.stdout).toMatch(
      /^ {2}pk-1 {2}"Work key" {2}added 2030-01-02T00:00:00Z {2}last used never$/m,
    );
    expect(shown.stdout).toMatch(/^recovery codes\s+2 left$/m);
    for (const secret of ['JBSWY3DP', 'Y3JlZGVudGlhbC1pZA', 'cHVibGljLWtleS1ieXRlcw', 'aaaa']) {
      expect(shown.stdout).not.toContain(secret);
    }
    const json = JSON.parse((await run(at('users', 'mfa', 'show', 'alice', '--json'))).stdout);
    expect(json).toEqual({
      user: { id: seeded.id, username: 'alice' },
      totp: { enabled: true, confirmedAt: Date.UTC(2030, 0, 1) },
      passkeys: [
        {
          id: 'pk-1',
          name: 'Work key',
          createdAt: Date.UTC(2030, 0, 2),
          lastUsedAt: null,
          backedUp: false,
          deviceType: 'singleDevice',
        },
      ],
      recoveryCodesRemaining: 2,
      required: false,
    });
  });

  it('users mfa reset removes every factor and code, audited mfa.reset by the cli', async () => {
    const reset = await run(at('users', 'mfa', 'reset', 'alice'));
    expect(reset.code).toBe(0);
    expect(reset.stdout).toBe(
      'reset second factors of alice: TOTP removed, 1 passkey(s), 2 recovery code(s) removed\n',
    );
    const after = JSON.parse((await run(at('users', 'mfa', 'show', 'alice', '--json'))).stdout);
    expect(after).toMatchObject({
      totp: { enabled: false, confirmedAt: null },
      passkeys: [],
      recoveryCodesRemaining: 0,
    });
    const events = await withServices(({ ctx }) => ctx.storage.audit.list({ type: 'mfa.reset', limit: 10 }));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      actor: 'cli',
      subject: after.user.id,
      detail: { totp: true, passkeys: 1, recoveryCodes: 2 },
    });
  });

  it('an unknown user fails with its code; the group and --help list the commands', async () => {
    for (const command of ['show', 'reset']) {
      const res = await run(at('users', 'mfa', command, 'nobody'));
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(/ERR_USER_NOT_FOUND/);
    }
    expect((await run(at('users', 'mfa', 'show'))).code).toBe(2);
    const group = await run(['users', 'mfa', '--help']);
    expect(group.code).toBe(0);
    expect(group.stdout).toMatch(/users mfa show/);
    expect(group.stdout).toMatch(/users mfa reset/);
    const help = await run(['users', 'mfa', 'reset', '--help']);
    expect(help.stdout).toMatch(/^Usage: keycard users mfa reset NAME/);
  });
});
