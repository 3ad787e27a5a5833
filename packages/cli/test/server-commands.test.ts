import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IO } from '../src/framework/io.js';
import { main } from '../src/main.js';
import { run } from './helpers.js';

const PASSWORD = 'correct horse battery staple';

describe('server administration commands on a data dir', () => {
  let dir: string;
  const at = (...argv: string[]) => [...argv, '--data-dir', dir];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'keycard-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('users add / list / roles / disable / passwd / remove', async () => {
    const added = await run(
      at('users', 'add', 'alice', '--role', 'manager', '--claim', 'room=101', '--password-stdin'),
      {
        stdin: `${PASSWORD}\n`,
      },
    );
    expect(added.stderr).toMatch(/master key/);
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(/created user alice/);
    const listed = await run(at('users', 'list', '--json'));
    expect(JSON.parse(listed.stdout)).toMatchObject([
      { username: 'alice', roles: ['manager'], claims: { room: 101 } },
    ]);
    expect(listed.stdout).not.toMatch(/argon2/);
    expect((await run(at('users', 'list'))).stdout).toMatch(/^USERNAME\s+ID/);

    const dup = await run(at('users', 'add', 'ALICE', '--password-stdin'), { stdin: PASSWORD });
    expect(dup.code).toBe(1);
    expect(dup.stderr).toMatch(/ERR_USERNAME_TAKEN/);
    const badRole = await run(at('users', 'add', 'bob', '--role', 'nope', '--password-stdin'), {
      stdin: PASSWORD,
    });
    expect(badRole.stderr).toMatch(/ERR_ROLE_NOT_FOUND/);
    expect((await run(at('users', 'add', 'bob'))).code).toBe(2);
    expect((await run(at('users', 'add', 'bob', '--password-stdin'), { stdin: 'tty' })).code).toBe(2);

    expect((await run(at('users', 'roles', 'alice', '--role', 'guest', '--role', 'manager'))).stdout).toMatch(
      /roles guest,manager/,
    );
    expect((await run(at('users', 'disable', 'alice'))).stdout).toMatch(/disabled user alice/);
    expect((await run(at('users', 'disable', 'alice', '--enable'))).stdout).toMatch(/enabled/);
    expect(
      (await run(at('users', 'passwd', 'alice', '--password-stdin'), { stdin: 'another long password\n' }))
        .code,
    ).toBe(0);
    expect((await run(at('users', 'disable', 'nobody'))).code).toBe(1);
    expect((await run(at('users', 'add', 'temp', '--password-stdin'), { stdin: PASSWORD })).code).toBe(0);
    expect((await run(at('users', 'remove', 'temp'))).stdout).toMatch(/removed user temp/);
  });

  it('audiences, roles, clients and keys', async () => {
    expect(
      (await run(at('audiences', 'add', 'rooms', '--name', 'Rooms', '--scope', 'rooms:open'))).code,
    ).toBe(0);
    expect((await run(at('audiences', 'list', '--json'))).stdout).toMatch(/"rooms"/);
    expect((await run(at('roles', 'add', 'housekeeping', '--scope', 'rooms:open'))).stdout).toMatch(
      /rooms:open/,
    );
    expect((await run(at('roles', 'list'))).stdout).toMatch(/housekeeping/);
    const client = await run(
      at(
        'clients',
        'add',
        'billing',
        '--type',
        'confidential',
        '--grant',
        'client_credentials',
        '--audience',
        'rooms',
      ),
    );
    expect(client.code).toBe(0);
    expect(client.stdout).toMatch(/client secret \(shown once\): [A-Za-z0-9_-]{43}/);
    const clients = await run(at('clients', 'list', '--json'));
    expect(clients.stdout).toMatch(/billing/);
    // Only whether there is a secret: never the secret, nor its hash.
    expect(clients.stdout).not.toMatch(/secretHash|"secret"/);
    expect(clients.stdout).not.toContain(/shown once\): (\S+)/.exec(client.stdout)?.[1]);
    expect(clients.stdout).toMatch(/"hasSecret": true/);
    expect((await run(at('clients', 'add', 'x', '--grant', 'implicit'))).code).toBe(2);
    expect((await run(at('clients', 'remove', 'billing'))).code).toBe(0);
    expect((await run(at('clients', 'remove', 'billing'))).stderr).toMatch(/ERR_CLIENT_NOT_FOUND/);
    expect((await run(at('roles', 'remove', 'housekeeping'))).code).toBe(0);
    // The built-in client can be replaced: deleting it is not undone by the next start.
    expect((await run(at('clients', 'remove', 'keycard-web'))).code).toBe(0);
    expect((await run(at('clients', 'list', '--json'))).stdout).not.toMatch(/keycard-web/);
    const web = await run(
      at(
        'clients',
        'add',
        'keycard-web',
        '--type',
        'public',
        '--first-party',
        '--grant',
        'password',
        '--grant',
        'refresh_token',
        '--audience',
        'keycard',
        '--audience',
        'rooms',
        '--scope',
        'admin',
      ),
    );
    expect(web.stdout).toMatch(/created public client keycard-web/);
    expect(web.stdout).not.toMatch(/secret/);
    expect((await run(at('audiences', 'remove', 'rooms'))).code).toBe(0);

    const before = JSON.parse((await run(at('keys', 'list', '--json'))).stdout);
    expect(before.map((k: { state: string }) => k.state).sort()).toEqual(['current', 'next']);
    const rotated = await run(at('keys', 'rotate'));
    expect(rotated.stdout).toMatch(/^current /);
    const after = JSON.parse((await run(at('keys', 'list', '--json'))).stdout);
    expect(after.map((k: { state: string }) => k.state).sort()).toEqual(['current', 'next', 'retired']);
  });

  it('clients add --multi-audience --require-dpop --exchange; audiences add --uri', async () => {
    expect((await run(at('audiences', 'add', 'door-a', '--uri', 'https://a.example/'))).stdout).toMatch(
      /uri https:\/\/a\.example\//,
    );
    expect((await run(at('audiences', 'add', 'door-b', '--uri', 'https://a.example/'))).stderr).toMatch(
      /ERR_CONFLICT/,
    );
    expect((await run(at('audiences', 'add', 'door-b', '--scope', 'b:charge'))).code).toBe(0);
    expect(
      (await run(at('clients', 'add', 'x1', '--grant', 'client_credentials', '--exchange', 'door-a'))).code,
    ).toBe(2);
    const ok = await run(
      at(
        'clients',
        'add',
        'door-a-svc',
        '--grant',
        'client_credentials',
        '--audience',
        'door-a',
        '--multi-audience',
        '--require-dpop',
        '--exchange',
        'door-a:door-b:b:charge,b:refund',
      ),
    );
    expect(ok.code).toBe(0);
    const listed = JSON.parse((await run(at('clients', 'list', '--json'))).stdout) as Array<
      Record<string, unknown>
    >;
    expect(listed.find((c) => c['id'] === 'door-a-svc')).toMatchObject({
      multiAudience: true,
      requireDpop: true,
      grants: ['client_credentials', 'urn:ietf:params:oauth:grant-type:token-exchange'],
      tokenExchange: [{ from: 'door-a', to: 'door-b', scopes: ['b:charge', 'b:refund'] }],
    });
    expect(JSON.parse((await run(at('audiences', 'list', '--json'))).stdout)).toContainEqual(
      expect.objectContaining({ id: 'door-a', uri: 'https://a.example/' }),
    );
    // A client id with the shape of a user id is refused (subjects cannot be confused).
    const lookalike = await run(
      at('clients', 'add', 'AAAAAAAAAAAAAAAAAAAAAA', '--grant', 'client_credentials'),
    );
    expect(lookalike.stderr).toMatch(/ERR_CONFLICT/);
  });

  it('reports a bad config with the field name (exit 2)', async () => {
    const res = await main(['users', 'list', '--data-dir', dir], {
      ...ioWith({ KEYCARD_ACCESS_TOKEN_TTL: '5' }),
    });
    expect(res).toBe(2);
  });

  it('keycard serve: serves the data dir, sees CLI changes, stops on SIGTERM', async () => {
    let stdout = '';
    const io = { ...ioWith({}), stdout: { write: (s: string) => (stdout += s) } };
    // Other code in this worker may listen for SIGTERM too: call only the listener serve added.
    const before = new Set(process.listeners('SIGTERM'));
    const serving = main(['serve', '--port', '0', '--data-dir', dir], io);
    const url = await waitFor(() => /listening on (\S+)/.exec(stdout)?.[1]);
    const login = await fetch(`${url}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        username: 'alice',
        password: 'another long password',
        client_id: 'keycard-cli',
      }),
    });
    expect(login.status).toBe(200);
    const { access_token } = (await login.json()) as { access_token: string };
    const me = () => fetch(`${url}/api/me`, { headers: { authorization: `Bearer ${access_token}` } });
    expect((await me()).status).toBe(200);
    expect((await run(at('users', 'disable', 'alice'))).code).toBe(0);
    expect((await me()).status).toBe(401);
    const added = process.listeners('SIGTERM').filter((l) => !before.has(l));
    expect(added).toHaveLength(1);
    (added[0] as (signal: string) => void)('SIGTERM');
    expect(await serving).toBe(0);
    expect(stdout).toMatch(/stopped/);
    expect(process.listeners('SIGTERM').filter((l) => !before.has(l))).toHaveLength(0);
  });
});

function ioWith(env: Record<string, string>): IO {
  return {
    stdout: { write: () => true },
    stderr: { write: () => true },
    stdin: Readable.from([]) as IO['stdin'],
    env,
    cwd: process.cwd(),
    now: Date.now,
  };
}

async function waitFor<T>(probe: () => T | undefined, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
