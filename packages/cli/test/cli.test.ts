/** The CLI framework and its first commands, run in-process through main() with a fake IO. */
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../src/commands/index.js';
import { run } from './helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keycard-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function newKey(alg: string, sub = alg): Promise<{ out: string; key: string; jwks: string }> {
  const out = join(dir, sub);
  const result = await run(['keys', 'generate', '--alg', alg, '--out', out]);
  expect(result.code).toBe(0);
  const files = await readdir(out);
  const key = join(out, files.find((f) => f.endsWith('.private.jwk.json'))!);
  return { out, key, jwks: join(out, 'jwks.json') };
}

describe('framework', () => {
  it('keycard --help lists every command; no arguments prints it as a usage error', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    for (const c of commands) expect(help.stdout).toContain(c.path.join(' '));
    const none = await run([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('Commands:');
  });

  it('group help: keycard keys --help, keycard token', async () => {
    const keys = await run(['keys', '--help']);
    expect(keys.code).toBe(0);
    expect(keys.stdout).toContain('keys generate');
    expect(keys.stdout).not.toContain('token sign');
    const token = await run(['token']);
    expect(token.code).toBe(2);
    expect(token.stderr).toContain('token verify');
  });

  it.each(commands.map((c) => [c.path.join(' ')]))('keycard %s --help', async (path) => {
    const result = await run([...path.split(' '), '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Usage: keycard ${path}`);
    expect(result.stdout).toContain('--help');
  });

  it('unknown command, unknown option, missing or extra arguments are usage errors (exit 2)', async () => {
    expect((await run(['frobnicate'])).code).toBe(2);
    expect((await run(['keys', 'explode'])).code).toBe(2);
    expect((await run(['token', 'decode', '--nope', 'x'])).code).toBe(2);
    expect((await run(['token', 'decode', 'a', 'b'])).code).toBe(2);
    expect((await run(['token', 'verify', 'x'])).code).toBe(2); // --jwks missing
    expect((await run(['token', 'sign'])).code).toBe(2); // --key missing
    expect((await run(['keys', 'generate', '--alg', 'none'])).code).toBe(2);
    expect((await run(['keys', 'generate', '--alg', 'es256'])).code).toBe(2);
    const bad = await run(['token', 'sign', '--key', 'x', '--ttl', 'soon']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--ttl');
  });
});

describe('keys generate', () => {
  it.each(['ES256', 'EdDSA', 'PS256'])('%s: private JWK with mode 0600 and a public JWK Set', async (alg) => {
    const { key, jwks } = await newKey(alg);
    expect((await stat(key)).mode & 0o777).toBe(0o600);
    const priv = JSON.parse(await readFile(key, 'utf8'));
    expect(priv).toMatchObject({ alg, use: 'sig' });
    expect(priv.d).toBeDefined();
    const set = JSON.parse(await readFile(jwks, 'utf8'));
    expect(set.keys).toHaveLength(1);
    expect(set.keys[0].d).toBeUndefined();
    expect(set.keys[0].kid).toBe(priv.kid);
  });

  it('appends to an existing jwks.json, refuses to overwrite a key file, checks --kid', async () => {
    const out = join(dir, 'rotate');
    expect((await run(['keys', 'generate', '--out', out, '--kid', 'k1'])).code).toBe(0);
    expect((await run(['keys', 'generate', '--out', out, '--kid', 'k2', '--alg', 'ES384'])).code).toBe(0);
    const set = JSON.parse(await readFile(join(out, 'jwks.json'), 'utf8'));
    expect(set.keys.map((k: { kid: string }) => k.kid)).toEqual(['k1', 'k2']);
    const again = await run(['keys', 'generate', '--out', out, '--kid', 'k1']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already exists');
    expect((await run(['keys', 'generate', '--out', out, '--kid', '../evil'])).code).toBe(2);
  });

  it('HS256 writes only the secret', async () => {
    const out = join(dir, 'hs');
    const result = await run(['keys', 'generate', '--alg', 'HS256', '--out', out]);
    expect(result.code).toBe(0);
    expect((await readdir(out)).filter((f) => f === 'jwks.json')).toEqual([]);
  });
});

describe('token sign / decode / verify', () => {
  const NOW = 1_800_000_000_000;

  it('signs with iat, exp, jti; verify returns the claims as JSON', async () => {
    const { key, jwks } = await newKey('ES256', 'sv');
    const signed = await run(
      [
        'token',
        'sign',
        '--key',
        key,
        '--sub',
        'alice',
        '--aud',
        'rooms',
        '--iss',
        'https://i',
        '--scope',
        'a b',
        '--ttl',
        '10m',
        '--claims',
        '{"room":"101"}',
      ],
      { now: NOW },
    );
    expect(signed.code).toBe(0);
    const token = signed.stdout.trim();
    const verified = await run(
      ['token', 'verify', '--jwks', jwks, '--aud', 'rooms', '--iss', 'https://i', '--typ', 'at+jwt', token],
      { now: NOW + 1000 },
    );
    expect(verified.stderr).toBe('');
    expect(verified.code).toBe(0);
    const claims = JSON.parse(verified.stdout);
    expect(claims).toMatchObject({
      sub: 'alice',
      aud: 'rooms',
      iss: 'https://i',
      scope: 'a b',
      room: '101',
      iat: NOW / 1000,
      exp: NOW / 1000 + 600,
    });
    expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('decode shows header, claims and relative times, marked NOT verified', async () => {
    const { key } = await newKey('EdDSA', 'dec');
    const token = (
      await run(['token', 'sign', '--key', key, '--sub', 'bob', '--ttl', '10m'], { now: NOW })
    ).stdout.trim();
    const decoded = await run(['token', 'decode', token], { now: NOW + 48_000 });
    expect(decoded.code).toBe(0);
    expect(decoded.stdout).toContain('NOT VERIFIED');
    expect(decoded.stdout).toContain('"sub": "bob"');
    expect(decoded.stdout).toContain('expires in 9m 12s');
    expect(decoded.stdout).toContain('issued 48s ago');
    expect(decoded.stdout).toContain(new Date(NOW + 600_000).toISOString());
    const json = await run(['token', 'decode', '--json'], { stdin: `${token}\n` });
    expect(JSON.parse(json.stdout)).toMatchObject({ verified: false, payload: { sub: 'bob' } });
    const broken = await run(['token', 'decode', 'not.a.token']);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/^ERR_JWS_INVALID/);
  });

  it('verify: token from stdin with surrounding whitespace; nothing else forgiven', async () => {
    const { key, jwks } = await newKey('ES256', 'stdin');
    const token = (await run(['token', 'sign', '--key', key], { now: NOW })).stdout.trim();
    const ok = await run(['token', 'verify', '--jwks', jwks], { stdin: ` \n${token}\r\n\t`, now: NOW });
    expect(ok.code).toBe(0);
    const inner = await run(['token', 'verify', '--jwks', jwks], {
      stdin: `${token.slice(0, 20)} ${token.slice(20)}`,
      now: NOW,
    });
    expect(inner.code).toBe(1);
    expect(inner.stderr).toMatch(/^ERR_JWS_INVALID/);
    const bom = await run(['token', 'verify', '--jwks', jwks], { stdin: `\ufeff${token}`, now: NOW });
    expect(bom.code).toBe(1);
  });

  it('verify: expired, wrong audience, algorithm not allowed → exit 1 with the code on stderr', async () => {
    const { key, jwks } = await newKey('ES256', 'bad');
    const token = (
      await run(['token', 'sign', '--key', key, '--aud', 'rooms', '--ttl', '60s'], { now: NOW })
    ).stdout.trim();
    const expired = await run(['token', 'verify', '--jwks', jwks, token], { now: NOW + 61_000 });
    expect([expired.code, expired.stderr.split(':')[0]]).toEqual([1, 'ERR_JWT_EXPIRED']);
    const leeway = await run(['token', 'verify', '--jwks', jwks, '--leeway', '30s', token], {
      now: NOW + 61_000,
    });
    expect(leeway.code).toBe(0);
    const aud = await run(['token', 'verify', '--jwks', jwks, '--aud', 'pool', token], { now: NOW });
    expect([aud.code, aud.stderr.split(':')[0]]).toEqual([1, 'ERR_JWT_CLAIM_INVALID']);
    const typ = await run(['token', 'verify', '--jwks', jwks, '--typ', 'JWT', token], { now: NOW });
    expect(typ.code).toBe(1);
    const alg = await run(['token', 'verify', '--jwks', jwks, '--alg', 'EdDSA,ES384', token], { now: NOW });
    expect(alg.code).toBe(2); // the JWKS then has no usable key: a setup problem, not a token verdict
    const other = await newKey('ES256', 'other');
    const wrongKey = await run(['token', 'verify', '--jwks', other.jwks, token], { now: NOW });
    expect([wrongKey.code, wrongKey.stderr.split(':')[0]]).toEqual([1, 'ERR_JWKS_NO_MATCHING_KEY']);
    expect((await run(['token', 'verify', '--jwks', jwks, '--leeway', '301s', token])).code).toBe(2);
  });

  it('verify: empty stdin is an invalid token; a TTY stdin without TOKEN is a usage error', async () => {
    const { jwks } = await newKey('ES256', 'tty');
    const empty = await run(['token', 'verify', '--jwks', jwks], { stdin: '' });
    expect([empty.code, empty.stderr.split(':')[0]]).toEqual([1, 'ERR_JWS_INVALID']);
    const tty = await run(['token', 'verify', '--jwks', jwks], { stdin: 'tty' });
    expect(tty.code).toBe(2);
    const huge = await run(['token', 'verify', '--jwks', jwks], {
      stdin: Buffer.alloc(3 * 1024 * 1024, 0x41),
    });
    expect(huge.code).toBe(1);
  });

  it('verify: JWKS file problems are exit 2', async () => {
    const missing = await run(['token', 'verify', '--jwks', join(dir, 'nope.json'), 'a.b.c']);
    expect(missing.code).toBe(2);
    const junk = join(dir, 'junk.json');
    await writeFile(junk, '{not json');
    expect((await run(['token', 'verify', '--jwks', junk, 'a.b.c'])).code).toBe(2);
    await writeFile(junk, '[1,2]');
    expect((await run(['token', 'verify', '--jwks', junk, 'a.b.c'])).code).toBe(2);
    await writeFile(junk, '{"keys":[]}');
    expect((await run(['token', 'verify', '--jwks', junk, 'a.b.c'])).code).toBe(2);
  });

  it('verify never crashes on arbitrary input: exit 1 and a JOSE error code', async () => {
    const { jwks } = await newKey('ES256', 'fuzz');
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 200 }), async (input) => {
        const result = await run(['token', 'verify', '--jwks', jwks], { stdin: input });
        expect(result.code).toBe(1);
        expect(result.stderr).toMatch(/^ERR_[A-Z_]+: /);
      }),
      { numRuns: 60 },
    );
  });
});
