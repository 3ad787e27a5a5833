// `keycard clients add` for the authorization code flow: redirect and logout URIs, public keys from
// a file, a keys-only client (--no-secret); `clients list` and `clients show` print them, never a secret.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from './helpers.js';

function ecKeys(kid: string) {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    publicJwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256' },
    privateJwk: { ...privateKey.export({ format: 'jwk' }), kid, alg: 'ES256' },
  };
}

describe('keycard clients add for code-flow clients', () => {
  let dir: string;
  const at = (...argv: string[]) => [...argv, '--data-dir', join(dir, 'data')];
  const file = (name: string, content: unknown) => {
    writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
    return name;
  };
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'keycard-cli-clients-'));
    expect((await run(at('audiences', 'add', 'photos', '--scope', 'photos:read'))).code).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('registers redirect URIs, logout URIs and keys; list and show print them', async () => {
    const keys = ecKeys('reports-1');
    const added = await run(
      at(
        'clients',
        'add',
        'reports',
        '--grant',
        'authorization_code',
        '--grant',
        'refresh_token',
        '--audience',
        'photos',
        '--redirect-uri',
        'https://reports.example.com/cb',
        '--redirect-uri',
        'http://127.0.0.1/cb',
        '--post-logout-redirect-uri',
        'https://reports.example.com/bye',
        '--backchannel-logout-uri',
        'https://reports.example.com/logout',
        '--jwks-file',
        file('reports.jwks.json', { keys: [keys.publicJwk] }),
        '--no-secret',
      ),
      { cwd: dir },
    );
    expect(added.stderr).not.toMatch(/error/i);
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(/created confidential client reports/);
    expect(added.stdout).toMatch(/public keys \(private_key_jwt\): reports-1/);
    expect(added.stdout).not.toMatch(/secret/);

    const listed = JSON.parse((await run(at('clients', 'list', '--json'))).stdout) as Array<
      Record<string, unknown>
    >;
    expect(listed.find((c) => c['id'] === 'reports')).toMatchObject({
      hasSecret: false,
      grants: ['authorization_code', 'refresh_token'],
      redirectUris: ['https://reports.example.com/cb', 'http://127.0.0.1/cb'],
      postLogoutRedirectUris: ['https://reports.example.com/bye'],
      backchannelLogoutUri: 'https://reports.example.com/logout',
      jwks: { keys: [keys.publicJwk] },
    });
    const table = (await run(at('clients', 'list'))).stdout;
    expect(table).toMatch(
      /^ID\s+TYPE\s+CREDENTIALS\s+FIRSTPARTY\s+GRANTS\s+AUDIENCES\s+SCOPES\s+REDIRECTURIS$/m,
    );
    expect(table).toMatch(
      /^reports\s+confidential\s+private_key_jwt\s+.*https:\/\/reports\.example\.com\/cb,http:\/\/127\.0\.0\.1\/cb$/m,
    );

    const shown = await run(at('clients', 'show', 'reports'));
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^credentials\s+private_key_jwt$/m);
    expect(shown.stdout).toMatch(
      /^redirect URIs\s+https:\/\/reports\.example\.com\/cb\n\s+http:\/\/127\.0\.0\.1\/cb$/m,
    );
    expect(shown.stdout).toMatch(/^post-logout redirect URIs\s+https:\/\/reports\.example\.com\/bye$/m);
    expect(shown.stdout).toMatch(/^back-channel logout URI\s+https:\/\/reports\.example\.com\/logout$/m);
    expect(shown.stdout).toMatch(/^public keys\s+reports-1 \(EC P-256, ES256\)$/m);
    expect(JSON.parse((await run(at('clients', 'show', 'reports', '--json'))).stdout)).toMatchObject({
      id: 'reports',
      jwks: { keys: [keys.publicJwk] },
    });
    const missing = await run(at('clients', 'show', 'nobody'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/ERR_CLIENT_NOT_FOUND/);
  });

  it('a public code-flow client with a loopback redirect; one JWK in a file is a set of one', async () => {
    const spa = await run(
      at(
        'clients',
        'add',
        'spa',
        '--type',
        'public',
        '--grant',
        'authorization_code',
        '--redirect-uri',
        'http://[::1]:8080/cb',
      ),
    );
    expect(spa.code).toBe(0);
    expect(spa.stdout).toMatch(/created public client spa/);
    const single = ecKeys('one');
    const both = await run(
      at(
        'clients',
        'add',
        'both',
        '--grant',
        'client_credentials',
        '--jwks-file',
        file('one.jwk.json', single.publicJwk),
      ),
      { cwd: dir },
    );
    expect(both.code).toBe(0);
    expect(both.stdout).toMatch(/client secret \(shown once\): [A-Za-z0-9_-]{43}/);
    expect((await run(at('clients', 'show', 'both'))).stdout).toMatch(
      /^credentials\s+secret\+private_key_jwt$/m,
    );
  });

  it('refuses what the server refuses, naming the field; bad files and flags are usage errors', async () => {
    const refused = async (argv: string[], message: RegExp, code = 1) => {
      const res = await run(at('clients', 'add', 'bad', ...argv), { cwd: dir });
      expect(res.stderr).toMatch(message);
      expect(res.code).toBe(code);
    };
    await refused(
      ['--grant', 'authorization_code'],
      /redirectUris: the authorization_code grant needs at least one redirect URI \(ERR_VALIDATION\)/,
    );
    await refused(
      ['--grant', 'client_credentials', '--redirect-uri', 'https://a.example/cb'],
      /redirectUris: only a client with the authorization_code grant/,
    );
    await refused(
      ['--grant', 'authorization_code', '--redirect-uri', 'http://a.example/cb'],
      /redirectUris\[0\]: http is allowed only/,
    );
    await refused(
      ['--grant', 'authorization_code', '--redirect-uri', 'https://a.example/cb#x'],
      /must not contain a fragment/,
    );
    await refused(
      [
        '--grant',
        'authorization_code',
        '--redirect-uri',
        'https://a.example/cb',
        '--backchannel-logout-uri',
        'http://a.example/bc',
      ],
      /backchannelLogoutUri: must use https/,
    );
    await refused(
      ['--grant', 'client_credentials', '--no-secret'],
      /secret: a confidential client needs a client secret, jwks/,
    );
    await refused(
      [
        '--grant',
        'client_credentials',
        '--jwks-file',
        file('private.json', { keys: [ecKeys('p').privateJwk] }),
      ],
      /jwks\.keys\[0\]: has the private member "d"/,
    );
    await refused(
      ['--grant', 'client_credentials', '--jwks-file', file('broken.json', '{"keys": [')],
      /not valid JSON/,
      2,
    );
    await refused(
      ['--grant', 'client_credentials', '--jwks-file', 'missing.json'],
      /cannot read .*missing\.json: ENOENT/,
      2,
    );
    await refused(
      ['--grant', 'client_credentials', '--jwks-file', 'https://a.example/jwks'],
      /takes a file path/,
      2,
    );
    await refused(
      ['--type', 'public', '--grant', 'authorization_code', '--no-secret'],
      /public clients have no secret/,
      2,
    );
    expect(
      JSON.parse((await run(at('clients', 'list', '--json'))).stdout).map((c: { id: string }) => c.id),
    ).not.toContain('bad');
  });

  it('documents the flags in --help', async () => {
    const help = (await run(['clients', 'add', '--help'])).stdout;
    for (const flag of [
      '--redirect-uri URI',
      '--post-logout-redirect-uri URI',
      '--backchannel-logout-uri URI',
      '--jwks-file PATH',
      '--no-secret',
    ])
      expect(help).toContain(flag);
    expect(help).toMatch(/authorization_code/);
    expect((await run(['clients', '--help'])).stdout).toMatch(/clients show/);
  });
});
