// Keys, one shared token per algorithm, and sign/verify subjects for every library compared in
// bench/jwt.mjs. Every subject is checked once before timing (see assertSubjects).
import crypto from 'node:crypto';
import * as fastJwt from 'fast-jwt';
import * as jose from 'jose';
import jsonwebtoken from 'jsonwebtoken';

export const ALGS = [
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
  'HS256',
  'HS384',
  'HS512',
];

export const ISS = 'https://auth.bench.test';
export const AUD = 'bench-api';

/** The claims every subject signs and every verifier accepts (a typical keycard access token). */
export function benchClaims() {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: ISS,
    sub: 'user_8f14e45fceea167a',
    aud: AUD,
    exp: now + 3600,
    iat: now,
    nbf: now,
    jti: 'b1f3c2d4e5f60718293a4b5c6d7e8f90',
    client_id: 'keycard-web',
    scope: 'openid profile rooms:read rooms:write',
    sid: 'sess_5a1b2c3d4e5f',
    roles: ['guest'],
    username: 'alice',
  };
}

const HASH = { 256: 'sha256', 384: 'sha384', 512: 'sha512' };

function nodeKeyPair(alg) {
  const fam = alg.slice(0, 2);
  if (alg === 'EdDSA') return crypto.generateKeyPairSync('ed25519');
  if (fam === 'ES') {
    const namedCurve = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' }[alg];
    return crypto.generateKeyPairSync('ec', { namedCurve });
  }
  return crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
}

/** Node crypto options for one algorithm: hash name (null for Ed25519) and key wrapper. */
function nodeParams(alg, key) {
  const fam = alg.slice(0, 2);
  const hash = alg === 'EdDSA' ? null : HASH[alg.slice(2)];
  if (fam === 'ES') return { hash, key: { key, dsaEncoding: 'ieee-p1363' } };
  if (fam === 'PS') {
    return {
      hash,
      key: {
        key,
        padding: crypto.constants.RSA_PKCS1_PSS_PADDING,
        saltLength: crypto.constants.RSA_PSS_SALTLEN_DIGEST,
      },
    };
  }
  return { hash, key };
}

/** Creates the key material of one algorithm in every shape the libraries want. */
export async function makeKeys(alg) {
  const kid = `bench-${alg.toLowerCase()}`;
  if (alg.startsWith('HS')) {
    const bytes = crypto.randomBytes(Number(alg.slice(2)) / 8);
    const secret = crypto.createSecretKey(bytes);
    return {
      alg,
      kid,
      hmac: true,
      hash: HASH[alg.slice(2)],
      signKey: secret,
      verifyKey: secret,
      bytes,
      privateJwk: { kty: 'oct', k: bytes.toString('base64url'), kid, alg },
      publicJwk: { kty: 'oct', k: bytes.toString('base64url'), kid, alg },
      joseSign: bytes,
      joseVerify: bytes,
      fastSign: bytes,
      fastVerify: bytes,
    };
  }
  const { privateKey, publicKey } = nodeKeyPair(alg);
  const privateJwk = { ...privateKey.export({ format: 'jwk' }), kid, alg };
  const publicJwk = { ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' };
  return {
    alg,
    kid,
    hmac: false,
    signKey: privateKey,
    verifyKey: publicKey,
    privateJwk,
    publicJwk,
    joseSign: await jose.importJWK(privateJwk, alg),
    joseVerify: await jose.importJWK(publicJwk, alg),
    fastSign: privateKey.export({ format: 'pem', type: 'pkcs8' }),
    fastVerify: publicKey.export({ format: 'pem', type: 'spki' }),
    sign: nodeParams(alg, privateKey),
    verify: nodeParams(alg, publicKey),
  };
}

/** The raw node:crypto floor: the least work that still signs / verifies a JWS compact token. */
export function rawSubjects(k) {
  const headerSeg = Buffer.from(JSON.stringify({ alg: k.alg, typ: 'JWT', kid: k.kid })).toString('base64url');
  if (k.hmac) {
    const sign = (claims) => {
      const input = `${headerSeg}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
      return `${input}.${crypto.createHmac(k.hash, k.signKey).update(input).digest('base64url')}`;
    };
    const verify = (token) => {
      const d1 = token.indexOf('.');
      const d2 = token.lastIndexOf('.');
      const sig = Buffer.from(token.slice(d2 + 1), 'base64url');
      const mac = crypto.createHmac(k.hash, k.verifyKey).update(token.slice(0, d2)).digest();
      if (sig.length !== mac.length || !crypto.timingSafeEqual(sig, mac)) throw new Error('bad signature');
      return JSON.parse(Buffer.from(token.slice(d1 + 1, d2), 'base64url').toString());
    };
    return { sign, verify };
  }
  const sign = (claims) => {
    const input = `${headerSeg}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    return `${input}.${crypto.sign(k.sign.hash, Buffer.from(input), k.sign.key).toString('base64url')}`;
  };
  const verify = (token) => {
    const d1 = token.indexOf('.');
    const d2 = token.lastIndexOf('.');
    const payload = JSON.parse(Buffer.from(token.slice(d1 + 1, d2), 'base64url').toString());
    const sig = Buffer.from(token.slice(d2 + 1), 'base64url');
    if (!crypto.verify(k.verify.hash, Buffer.from(token.slice(0, d2)), k.verify.key, sig)) {
      throw new Error('bad signature');
    }
    return payload;
  };
  return { sign, verify };
}

/** Loads the built @keycard/jwt (dist/), or explains why it cannot be measured yet. */
export async function loadKeycard() {
  try {
    const mod = await import('@keycard/jwt');
    if (typeof mod.createVerifier !== 'function' || typeof mod.createSigner !== 'function') {
      return { error: '@keycard/jwt dist has no createSigner/createVerifier yet (not landed or not built)' };
    }
    return { mod };
  } catch (err) {
    return { error: `@keycard/jwt cannot be imported: ${err.message}` };
  }
}

/**
 * Subjects for one algorithm: [{ id, lib, op, fn, async? }]. `token` is the shared valid token
 * that every verify subject checks; sign subjects all sign the same claims object.
 */
export function subjectsFor(k, token, claims, keycard) {
  const raw = rawSubjects(k);
  const list = [];
  const add = (lib, op, fn, extra = {}) => list.push({ id: `${lib}:${op}`, lib, op, fn, ...extra });

  add('raw', 'sign', () => raw.sign(claims));
  add('raw', 'verify', () => raw.verify(token));

  if (keycard) {
    const priv = keycard.importJWK(k.privateJwk);
    const pub = k.hmac ? priv : keycard.importJWK(k.publicJwk);
    const signer = keycard.createSigner(priv, { typ: 'JWT' });
    const verifier = keycard.createVerifier({ keys: [pub], algorithms: [k.alg], issuer: ISS, audience: AUD });
    add('keycard', 'sign', () => signer.sign(claims));
    add('keycard', 'verify', () => verifier.verify(token).payload);
  }

  const joseOpts = { algorithms: [k.alg], issuer: ISS, audience: AUD };
  add(
    'jose',
    'sign',
    () =>
      new jose.SignJWT(claims).setProtectedHeader({ alg: k.alg, typ: 'JWT', kid: k.kid }).sign(k.joseSign),
    { async: true },
  );
  add('jose', 'verify', async () => (await jose.jwtVerify(token, k.joseVerify, joseOpts)).payload, {
    async: true,
  });

  const fastSigner = fastJwt.createSigner({
    key: k.fastSign,
    algorithm: k.alg,
    kid: k.kid,
    header: { typ: 'JWT' },
  });
  const fastOpts = { key: k.fastVerify, algorithms: [k.alg], allowedIss: ISS, allowedAud: AUD };
  const fastVerify = fastJwt.createVerifier({ ...fastOpts, cache: false });
  const fastVerifyCached = fastJwt.createVerifier({ ...fastOpts, cache: true });
  add('fast-jwt', 'sign', () => fastSigner(claims));
  add('fast-jwt', 'verify', () => fastVerify(token));
  add('fast-jwt (cache)', 'verify', () => fastVerifyCached(token));

  // jsonwebtoken 9 has no EdDSA.
  if (k.alg !== 'EdDSA') {
    const jwtOpts = { algorithms: [k.alg], issuer: ISS, audience: AUD };
    add('jsonwebtoken', 'sign', () =>
      jsonwebtoken.sign(claims, k.signKey, {
        algorithm: k.alg,
        keyid: k.kid,
        header: { alg: k.alg, typ: 'JWT' },
      }),
    );
    add('jsonwebtoken', 'verify', () => jsonwebtoken.verify(token, k.verifyKey, jwtOpts));
  }
  return list;
}

/**
 * Runs every subject once and throws unless it really succeeded: verifiers must return the
 * expected subject claim for the shared token; signers must produce a token the raw floor verifies.
 */
export async function assertSubjects(k, subjects, claims) {
  const raw = rawSubjects(k);
  for (const s of subjects) {
    const out = await s.fn();
    if (s.op === 'verify') {
      if (out?.sub !== claims.sub || out?.aud !== claims.aud) {
        throw new Error(`${k.alg} ${s.id}: verify did not return the expected claims`);
      }
    } else {
      const payload = raw.verify(out);
      if (payload.sub !== claims.sub || payload.jti !== claims.jti) {
        throw new Error(`${k.alg} ${s.id}: signed token does not carry the claims`);
      }
      const header = JSON.parse(Buffer.from(out.split('.')[0], 'base64url').toString());
      if (header.alg !== k.alg) throw new Error(`${k.alg} ${s.id}: header alg is ${header.alg}`);
    }
  }
}
