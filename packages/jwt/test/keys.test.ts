import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  type AsymmetricAlgorithm,
  calculateThumbprint,
  createVerifier,
  generateKeyPair,
  generateSecret,
  type HmacAlgorithm,
  importJWK,
  importPEM,
  KeySet,
  signJWT,
} from '../src/index.js';
import { codeOf, expectCode } from './helpers.js';

const ASYMMETRIC: AsymmetricAlgorithm[] = [
  'EdDSA',
  'ES256',
  'ES384',
  'ES512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
];
const HMAC: HmacAlgorithm[] = ['HS256', 'HS384', 'HS512'];
const exp = Math.floor(Date.now() / 1000) + 600;

describe('keys', () => {
  it.each(ASYMMETRIC)('%s: generate, sign, verify, JWK round trip', async (alg) => {
    const key = await generateKeyPair(alg);
    expect(key.type).toBe('private');
    expect(key.alg).toBe(alg);
    expect(key.kid).toBe(calculateThumbprint(key.publicKey.toJWK()));
    const token = signJWT({ sub: 'alice', exp }, key);
    expect(createVerifier({ keys: [key.publicKey] }).verify(token).payload.sub).toBe('alice');

    const publicJwk = key.publicKey.toJWK();
    expect(publicJwk).toMatchObject({ alg, kid: key.kid, use: 'sig' });
    expect(publicJwk.d).toBeUndefined();
    const reimported = importJWK(publicJwk);
    expect(reimported.type).toBe('public');
    expect(createVerifier({ keys: [reimported as never] }).verify(token).payload.sub).toBe('alice');

    const privateAgain = importJWK(key.toJWK());
    expect(privateAgain.type).toBe('private');
    expect(privateAgain.kid).toBe(key.kid);
    expect(
      createVerifier({ keys: [key.publicKey] }).verify(signJWT({ exp }, privateAgain as never)).key,
    ).toBe(key.publicKey);
  });

  it.each(HMAC)('%s: generate, sign, verify, JWK round trip', (alg) => {
    const secret = generateSecret(alg);
    expect(secret.type).toBe('secret');
    const token = signJWT({ sub: 'svc', exp }, secret);
    expect(createVerifier({ keys: [secret] }).verify(token).payload.sub).toBe('svc');
    const again = importJWK(secret.toJWK());
    expect(createVerifier({ keys: [again as never] }).verify(token).payload.sub).toBe('svc');
  });

  it('refuses HMAC secrets shorter than the hash', () => {
    const k = Buffer.alloc(31, 1).toString('base64url');
    expectCode(() => importJWK({ kty: 'oct', k, alg: 'HS256' }), 'ERR_JWK_INVALID');
    const k47 = Buffer.alloc(47, 1).toString('base64url');
    expectCode(() => importJWK({ kty: 'oct', k: k47, alg: 'HS384' }), 'ERR_JWK_INVALID');
    expect(importJWK({ kty: 'oct', k: Buffer.alloc(32, 1).toString('base64url'), alg: 'HS256' }).type).toBe(
      'secret',
    );
  });

  it('refuses RSA keys under 2048 bits', () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const jwk = publicKey.export({ format: 'jwk' });
    expectCode(() => importJWK({ ...jwk, kty: 'RSA', alg: 'RS256' }), 'ERR_JWK_INVALID');
    expectCode(
      () => importPEM(publicKey.export({ format: 'pem', type: 'spki' }) as string, 'RS256'),
      'ERR_JWK_INVALID',
    );
  });

  it('needs an alg, and JWK alg and option must agree', async () => {
    const jwk = (await generateKeyPair('ES256')).publicKey.toJWK();
    const { alg: _alg, ...noAlg } = jwk;
    expectCode(() => importJWK(noAlg), 'ERR_JWK_INVALID');
    expect(importJWK(noAlg, { alg: 'ES256' }).alg).toBe('ES256');
    expectCode(() => importJWK(jwk, { alg: 'ES384' }), 'ERR_JWK_INVALID');
    expectCode(() => importJWK({ ...jwk, alg: 'none' }), 'ERR_JOSE_NOT_SUPPORTED');
  });

  it('binds a key to its curve and type', async () => {
    const es256 = (await generateKeyPair('ES256')).publicKey.toJWK();
    expectCode(() => importJWK({ ...es256, alg: 'ES384' }), 'ERR_JWK_INVALID');
    expectCode(() => importJWK({ ...es256, alg: 'RS256' }), 'ERR_JWK_INVALID');
    expectCode(() => importJWK({ ...es256, alg: 'HS256' }), 'ERR_JWK_INVALID');
    expectCode(() => importJWK({ ...es256, use: 'enc' }), 'ERR_JWK_INVALID');
    expectCode(() => importJWK({ ...es256, x: `${es256.x}=` }), 'ERR_JWK_INVALID');
    expectCode(() => importJWK({ ...es256, x: es256.x!.slice(1) }), 'ERR_JWK_INVALID');
    expectCode(
      () => importJWK({ kty: 'OKP', crv: 'X25519', x: es256.x!, alg: 'EdDSA' }),
      'ERR_JOSE_NOT_SUPPORTED',
    );
  });

  it('refuses a private JWK whose public members belong to another key', async () => {
    const a = (await generateKeyPair('ES256')).toJWK();
    const b = (await generateKeyPair('ES256')).toJWK();
    expectCode(() => importJWK({ ...a, x: b.x, y: b.y }), 'ERR_JWK_INVALID');
  });

  it('imports SPKI, PKCS#8 and certificate PEM', async () => {
    const key = await generateKeyPair('ES256');
    const { createPrivateKey, createPublicKey } = await import('node:crypto');
    const priv = createPrivateKey({ key: key.toJWK() as never, format: 'jwk' });
    const pkcs8 = priv.export({ format: 'pem', type: 'pkcs8' }) as string;
    const spki = createPublicKey(priv).export({ format: 'pem', type: 'spki' }) as string;
    const fromPkcs8 = importPEM(pkcs8, 'ES256');
    const fromSpki = importPEM(spki, 'ES256');
    expect(fromPkcs8.type).toBe('private');
    expect(fromSpki.type).toBe('public');
    expect(fromSpki.kid).toBe(key.kid);
    expectCode(() => importPEM(spki, 'ES512'), 'ERR_JWK_INVALID');
    expectCode(() => importPEM('not a pem', 'ES256'), 'ERR_JWK_INVALID');
    expectCode(() => importPEM(spki, 'HS256' as never), 'ERR_JOSE_NOT_SUPPORTED');
  });

  it('computes RFC 7638 thumbprints (RFC 8037 §A.3 Ed25519 example)', () => {
    expect(
      calculateThumbprint({ kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' }),
    ).toBe('kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k');
    expectCode(() => calculateThumbprint({ kty: 'EC', crv: 'P-256', x: 'AA' }), 'ERR_JWK_INVALID');
  });

  it('KeySet: skips unusable keys, binds alg-less keys when unambiguous, refuses duplicate kids', async () => {
    const es = (await generateKeyPair('ES256', { kid: 'es' })).publicKey.toJWK();
    const rs = (await generateKeyPair('RS256', { kid: 'rs' })).publicKey.toJWK();
    const { alg: _a, ...rsNoAlg } = rs;
    const set = KeySet.from({
      keys: [
        es,
        { ...rsNoAlg },
        { ...es, kid: 'enc', use: 'enc' },
        { kty: 'OKP', crv: 'X448', x: 'AA', kid: 'x448' },
        { kty: 'EC', kid: 'broken', alg: 'ES256' },
        'junk',
      ],
    });
    expect(set.keys.map((k) => k.kid)).toEqual(['es']); // RSA without alg is ambiguous among RS*/PS*
    const rsOnly = KeySet.from({ keys: [es, rsNoAlg] }, { algorithms: ['RS256'] });
    expect(rsOnly.keys.map((k) => [k.kid, k.alg])).toEqual([['rs', 'RS256']]);
    expect(rsOnly.get('rs')?.alg).toBe('RS256');
    expect(rsOnly.get('es')).toBeUndefined();
    expectCode(() => KeySet.from({ keys: [es, es] }), 'ERR_JWKS_INVALID');
    expectCode(() => KeySet.from([es]), 'ERR_JWKS_INVALID');
    expectCode(() => KeySet.from(null), 'ERR_JWKS_INVALID');
    expect(set.toJSON()).toEqual({ keys: [es] });
  });

  it('KeySet keeps only the public half of a private JWK and never publishes secrets', async () => {
    const priv = (await generateKeyPair('EdDSA')).toJWK();
    const secret = generateSecret('HS256').toJWK();
    const set = KeySet.from({ keys: [priv, secret] });
    expect(set.keys.map((k) => k.type)).toEqual(['public', 'secret']);
    expect(JSON.stringify(set.toJSON())).not.toContain('"d"');
    expect(JSON.stringify(set.toJSON())).not.toContain(secret.k);
  });

  it('key classes cannot be constructed directly', async () => {
    const key = await generateKeyPair('EdDSA');
    const Ctor = key.publicKey.constructor as new (...args: unknown[]) => unknown;
    expect(() => new Ctor(Symbol('x'), 'EdDSA', null, 'kid')).toThrow(TypeError);
    expect(codeOf(() => signJWT({ exp }, key.publicKey as never))).toBe('ERR_JOSE_INVALID_OPTIONS');
  });
});
