/**
 * Messages a person can act on (issue 9 items 12 and 13), through main() as the other CLI tests do:
 * skipped JWKS keys are named with the reason; short EC coordinates from other libraries are accepted;
 * claim mismatches say expected and actual values; usage errors name the missing argument and show the
 * usage; unknown commands get a suggestion; an unreachable JWKS names its URL and the cause.
 */
import { createECDH } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from './helpers.js';

const NOW = 1_800_000_000_000;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keycard-cli-messages-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function newKey(alg: string, sub: string): Promise<{ key: string; jwks: string }> {
  const out = join(dir, sub);
  expect((await run(['keys', 'generate', '--alg', alg, '--kid', sub, '--out', out])).code).toBe(0);
  const files = await readdir(out);
  return {
    key: join(out, files.find((f) => f.endsWith('.private.jwk.json'))!),
    jwks: join(out, 'jwks.json'),
  };
}

async function writeJSON(name: string, value: unknown): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, JSON.stringify(value));
  return path;
}

describe('token verify names skipped JWKS keys', () => {
  it('a JWKS whose only key is unusable: exit 2, the key and the reason named', async () => {
    const { key, jwks } = await newKey('ES256', 'only');
    const token = (await run(['token', 'sign', '--key', key], { now: NOW })).stdout.trim();
    const [jwk] = JSON.parse(await readFile(jwks, 'utf8')).keys;
    const broken = await writeJSON('broken.json', { keys: [{ ...jwk, alg: 'ES384' }] });
    const result = await run(['token', 'verify', '--jwks', broken, token], { now: NOW });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('the JWKS has no usable signing key');
    expect(result.stderr).toContain('key "only" skipped: JWK crv does not fit ES384');
  });

  it('a JWKS with one skipped key and one good one: the refusal names the skipped key', async () => {
    const signer = await newKey('ES256', 'signer');
    const other = await newKey('ES256', 'other');
    const token = (await run(['token', 'sign', '--key', signer.key], { now: NOW })).stdout.trim();
    const [signerJwk] = JSON.parse(await readFile(signer.jwks, 'utf8')).keys;
    const [otherJwk] = JSON.parse(await readFile(other.jwks, 'utf8')).keys;
    const mixed = await writeJSON('mixed.json', { keys: [otherJwk, { ...signerJwk, use: 'enc' }] });
    const result = await run(['token', 'verify', '--jwks', mixed, token], { now: NOW });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^ERR_JWKS_NO_MATCHING_KEY/);
    expect(result.stderr).toContain('key "signer" skipped: use is "enc", not "sig"');
    expect(result.stderr).not.toContain(token);
  });

  it('an EC key exported without the leading zero byte of x (PyJWT 2.6) verifies', async () => {
    // The first private scalar 1, 2, 3, … whose public x starts with a zero byte: deterministic.
    let found: { d: Buffer; x: Buffer; y: Buffer } | undefined;
    for (let i = 1; found === undefined; i++) {
      const d = Buffer.alloc(32);
      d.writeUInt32BE(i, 28);
      const ecdh = createECDH('prime256v1');
      ecdh.setPrivateKey(d);
      const point = ecdh.getPublicKey();
      if (point[1] === 0) found = { d, x: point.subarray(1, 33), y: point.subarray(33) };
    }
    const b64 = (b: Buffer) => b.toString('base64url');
    const jwk = {
      kty: 'EC',
      crv: 'P-256',
      x: b64(found.x),
      y: b64(found.y),
      kid: 'py',
      alg: 'ES256',
      use: 'sig',
    };
    const key = await writeJSON('py.private.jwk.json', { ...jwk, d: b64(found.d) });
    const token = (await run(['token', 'sign', '--key', key], { now: NOW })).stdout.trim();
    const short = await writeJSON('py-jwks.json', { keys: [{ ...jwk, x: b64(found.x.subarray(1)) }] });
    const result = await run(['token', 'verify', '--jwks', short, token], { now: NOW });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });
});

describe('messages a person can act on', () => {
  it('token verify --aud/--iss/--typ: expected and actual values, never the token', async () => {
    const { key, jwks } = await newKey('ES256', 'claims');
    const token = (
      await run(['token', 'sign', '--key', key, '--aud', 'rooms', '--iss', 'https://front.desk'], {
        now: NOW,
      })
    ).stdout.trim();
    const aud = await run(['token', 'verify', '--jwks', jwks, '--aud', 'office', token], { now: NOW });
    expect(aud.code).toBe(1);
    expect(aud.stderr).toContain('unexpected aud: expected "office", got "rooms"');
    const two = await run(['token', 'verify', '--jwks', jwks, '--aud', 'office', '--aud', 'pool', token], {
      now: NOW,
    });
    expect(two.stderr).toContain('unexpected aud: expected one of ["office","pool"], got "rooms"');
    const iss = await run(['token', 'verify', '--jwks', jwks, '--iss', 'https://other', token], { now: NOW });
    expect(iss.stderr).toContain('unexpected iss: expected "https://other", got "https://front.desk"');
    const typ = await run(['token', 'verify', '--jwks', jwks, '--typ', 'JWT', token], { now: NOW });
    expect(typ.stderr).toContain('unexpected typ: expected "jwt", got "at+jwt"');
    for (const result of [aud, two, iss, typ]) {
      expect(result.stderr).not.toContain(token);
      expect(result.stderr).not.toContain(token.split('.')[2]);
    }
  });

  it('users add with no name: names the missing argument and shows the usage', async () => {
    const result = await run(['users', 'add', '--password-stdin']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('keycard users add: missing argument NAME');
    expect(result.stderr).toContain('Usage: keycard users add NAME [--role ROLE]...');
  });

  it.each([
    ['serv', 'keycard serve'],
    ['tokne', 'keycard token'],
    ['token verfy', 'keycard token verify'],
    ['user add', 'keycard users add'],
    ['keys rotat', 'keycard keys rotate'],
  ])('unknown command %s suggests %s', async (typed, suggestion) => {
    const result = await run(typed.split(' '));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`Did you mean '${suggestion}'?`);
  });

  it('an unknown command far from every command gets no suggestion', async () => {
    const result = await run(['frobnicate']);
    expect(result.code).toBe(2);
    expect(result.stderr).not.toContain('Did you mean');
  });

  it('an unreachable JWKS URL: the URL (without its query) and the cause are named', async () => {
    // A port that was just listening and is now closed: the connection is refused at once.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const url = `http://127.0.0.1:${port}/.well-known/jwks.json?access=s3cret`;
    const result = await run(['token', 'verify', '--jwks', url, 'a.b.c']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`http://127.0.0.1:${port}/.well-known/jwks.json`);
    expect(result.stderr).toContain('ECONNREFUSED');
    expect(result.stderr).not.toContain('s3cret');
  });

  it('a gateway flag renamed before 1.0 is refused with its new name, not ignored', async () => {
    for (const [old, now] of [
      ['--timeout=5000', '--upstream-timeout-ms'],
      ['--max-staleness', '--max-staleness-seconds'],
    ] as const) {
      const result = await run(['gateway', old, '60', '--forward-auth', '--issuer', 'http://127.0.0.1:1']);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`was renamed: use ${now}`);
    }
  });
});
