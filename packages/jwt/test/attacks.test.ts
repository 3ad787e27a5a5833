/** One named test per known attack on JWT libraries. Every rejection is asserted by error code. */
import { constants, sign as nodeSign } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createVerifier,
  decodeJWT,
  generateKeyPair,
  generateSecret,
  importJWK,
  type PrivateKey,
  type PublicKey,
  signJWT,
} from '../src/index.js';
import { INTERNALS } from '../src/keys/key.js';
import { b64, codeOf, forge } from './helpers.js';

const NOW = 1_800_000_000;
const clock = () => NOW * 1000;
const claims = { iss: 'https://issuer.test', sub: 'alice', aud: 'rooms', iat: NOW, exp: NOW + 600 };
const payloadText = JSON.stringify(claims);

let es256: PrivateKey;
let rs256: PrivateKey;
let verifier: ReturnType<typeof createVerifier>;
let header: string;

beforeAll(async () => {
  es256 = await generateKeyPair('ES256', { kid: 'es' });
  rs256 = await generateKeyPair('RS256', { kid: 'rs' });
  verifier = createVerifier({ keys: [es256.publicKey, rs256.publicKey], clock });
  header = JSON.stringify({ alg: 'ES256', typ: 'JWT', kid: 'es' });
});

const verify = (token: string) => codeOf(() => verifier.verify(token));

describe('known attacks', () => {
  it('sanity: a well-formed token from the issuer verifies', () => {
    expect(verify(forge(header, payloadText, es256))).toBe('OK');
  });

  it('alg "none" in every case variant, with and without a signature', () => {
    for (const alg of ['none', 'None', 'NONE', 'nOnE', 'NoNe']) {
      for (const kid of ['es', undefined]) {
        const h = b64(JSON.stringify({ alg, kid }));
        expect(verify(`${h}.${b64(payloadText)}.`)).toBe('ERR_JWS_ALG_NOT_ALLOWED');
        expect(verify(`${h}.${b64(payloadText)}.${b64('x'.repeat(32))}`)).toBe('ERR_JWS_ALG_NOT_ALLOWED');
      }
    }
  });

  it('HMAC keyed with the public key (CVE-2015-9235, CVE-2023-48223)', () => {
    // The attacker HMACs with every public encoding of our key they can find.
    const pem = es256.publicKey[INTERNALS].keyObject.export({ type: 'spki', format: 'pem' }) as string;
    for (const secret of [pem, ` ${pem}`, `\n${pem}`, JSON.stringify(es256.publicKey.toJWK())]) {
      const forged = importJWK({ kty: 'oct', k: b64(secret), alg: 'HS256' });
      for (const kid of ['es', 'rs', undefined]) {
        const h = JSON.stringify({ alg: 'HS256', typ: 'JWT', kid });
        expect(verify(forge(h, payloadText, forged))).toBe('ERR_JWS_ALG_NOT_ALLOWED');
      }
    }
    // A public key can never become an HMAC key, and HS* cannot be mixed into an asymmetric verifier.
    expect(codeOf(() => importJWK({ ...es256.publicKey.toJWK(), alg: 'HS256' }))).toBe('ERR_JWK_INVALID');
    expect(codeOf(() => createVerifier({ keys: [es256.publicKey], algorithms: ['ES256', 'HS256'] }))).toBe(
      'ERR_JOSE_INVALID_OPTIONS',
    );
    // A getKey that returns the public key for an HS256 header still fails: the key is bound to ES256.
    const dynamic = createVerifier({ getKey: () => es256.publicKey, algorithms: ['HS256'], clock });
    const forged = importJWK({ kty: 'oct', k: b64(pem), alg: 'HS256' });
    expect(codeOf(() => dynamic.verify(forge('{"alg":"HS256"}', payloadText, forged)))).toBe(
      'ERR_JWS_ALG_NOT_ALLOWED',
    );
  });

  it('ECDSA r = s = 0 ("psychic signatures", CVE-2022-21449) and r or s >= n', async () => {
    const orders = {
      ES256: 'ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551',
      ES384:
        'ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973',
      ES512:
        '01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409',
    } as const;
    for (const alg of ['ES256', 'ES384', 'ES512'] as const) {
      const key = await generateKeyPair(alg);
      const v = createVerifier({ keys: [key.publicKey], clock });
      const valid = signJWT(claims, key);
      const input = valid.slice(0, valid.lastIndexOf('.'));
      const size = { ES256: 32, ES384: 48, ES512: 66 }[alg];
      const n = Buffer.from(orders[alg], 'hex');
      const sig = Buffer.from(valid.slice(valid.lastIndexOf('.') + 1), 'base64url');
      const r = sig.subarray(0, size);
      const s = sig.subarray(size);
      const candidates = [
        Buffer.alloc(2 * size), // r = s = 0
        Buffer.concat([n, n]), // r = s = n
        Buffer.concat([n, s]), // r = n
        Buffer.concat([r, n]), // s = n
        Buffer.concat([Buffer.alloc(size, 0xff), s]), // r > n
        Buffer.concat([r, Buffer.alloc(size, 0xff)]), // s > n
      ];
      expect(codeOf(() => v.verify(valid))).toBe('OK');
      for (const bad of candidates) {
        expect(codeOf(() => v.verify(`${input}.${bad.toString('base64url')}`))).toBe(
          'ERR_JWS_SIGNATURE_INVALID',
        );
      }
    }
  });

  it('DER-encoded ECDSA signature instead of raw r||s', () => {
    const input = `${b64(header)}.${b64(payloadText)}`;
    const der = nodeSign('sha256', Buffer.from(input), es256[INTERNALS].keyObject);
    expect(verify(`${input}.${der.toString('base64url')}`)).toBe('ERR_JWS_SIGNATURE_INVALID');
  });

  it('embedded jwk header (CVE-2018-0114): the token cannot bring its own key', async () => {
    const attacker = await generateKeyPair('ES256', { kid: 'es' });
    const h = JSON.stringify({ alg: 'ES256', kid: 'es', jwk: attacker.publicKey.toJWK() });
    expect(verify(forge(h, payloadText, attacker))).toBe('ERR_JOSE_NOT_SUPPORTED');
    // Even signed by our own key, a token carrying jwk is refused.
    expect(verify(forge(h, payloadText, es256))).toBe('ERR_JOSE_NOT_SUPPORTED');
  });

  it('jku and x5u headers are refused, never fetched', () => {
    for (const member of ['jku', 'x5u']) {
      const h = JSON.stringify({ alg: 'ES256', kid: 'es', [member]: 'https://attacker.test/jwks.json' });
      expect(verify(forge(h, payloadText, es256))).toBe('ERR_JOSE_NOT_SUPPORTED');
    }
  });

  it('x5c is ignored: it never selects or replaces the key', async () => {
    const attacker = await generateKeyPair('ES256', { kid: 'es' });
    const h = JSON.stringify({ alg: 'ES256', kid: 'es', x5c: ['MIIB...'] });
    expect(verify(forge(h, payloadText, es256))).toBe('OK');
    expect(verify(forge(h, payloadText, attacker))).toBe('ERR_JWS_SIGNATURE_INVALID');
  });

  it('kid injection: path traversal or SQL in kid only finds no key', () => {
    const seen: unknown[] = [];
    const dynamic = createVerifier({
      getKey: (h) => {
        seen.push(h.kid);
        return undefined;
      },
      algorithms: ['ES256'],
      clock,
    });
    for (const kid of ['../../etc/passwd', "' OR 1=1 --", '/dev/null', '%00', 'es\u0000']) {
      const token = forge(JSON.stringify({ alg: 'ES256', kid }), payloadText, es256);
      const err = (() => {
        try {
          verifier.verify(token);
        } catch (e) {
          return e as { code: string; kid?: string };
        }
      })();
      expect(err?.code).toBe('ERR_JWKS_NO_MATCHING_KEY');
      expect(err?.kid).toBe(kid);
      expect(codeOf(() => dynamic.verify(token))).toBe('ERR_JWKS_NO_MATCHING_KEY');
    }
    expect(seen).toEqual(['../../etc/passwd', "' OR 1=1 --", '/dev/null', '%00', 'es\u0000']);
  });

  it('crit (any value) is refused: we implement no critical extension', () => {
    for (const crit of [['exp'], ['b64'], [], 'b64']) {
      const h = JSON.stringify({ alg: 'ES256', kid: 'es', crit, b64: true, exp: 1 });
      expect(verify(forge(h, payloadText, es256))).toBe('ERR_JOSE_NOT_SUPPORTED');
    }
  });

  it('b64: false (RFC 7797 unencoded payload) is refused', () => {
    const h = JSON.stringify({ alg: 'ES256', kid: 'es', b64: false, crit: ['b64'] });
    expect(verify(forge(h, payloadText, es256))).toBe('ERR_JOSE_NOT_SUPPORTED');
    const h2 = JSON.stringify({ alg: 'ES256', kid: 'es', b64: false });
    expect(verify(forge(h2, payloadText, es256))).toBe('ERR_JOSE_NOT_SUPPORTED');
  });

  it('duplicate member names in header or payload, at any depth, escaped or not', () => {
    const headers = [
      '{"alg":"ES256","kid":"es","alg":"ES256"}',
      '{"alg":"ES256","kid":"rs","kid":"es"}',
      '{"alg":"ES256","kid":"es","\\u0061lg":"ES256"}',
      '{"alg":"ES256","kid":"es","x":{"a":1,"a":2}}',
    ];
    for (const h of headers) expect(verify(forge(h, payloadText, es256))).toBe('ERR_JWS_INVALID');
    const body = payloadText.slice(0, -1);
    const payloads = [
      `${body},"exp":${NOW + 9_999_999}}`,
      `${body},"sub":"admin"}`,
      `${body},"\\u0073ub":"admin"}`,
      `${body} , "sub" : "admin" }`,
      `${body},"nested":{"role":"guest","role":"admin"}}`,
      `${body},"list":[{"a":1},{"b":1,"b":2}]}`,
    ];
    for (const p of payloads) expect(verify(forge(header, p, es256))).toBe('ERR_JWS_INVALID');
    // The same names in different objects are fine.
    expect(verify(forge(header, `${body},"x":{"sub":1},"y":[{"sub":2},{"sub":3}]}`, es256))).toBe('OK');
  });

  it('non-canonical base64url in any segment', () => {
    const token = forge(header, payloadText, es256);
    const [h, p, s] = token.split('.') as [string, string, string];
    const variants = [
      `${h}=.${p}.${s}`,
      `${h}.${p}=.${s}`,
      `${h}.${p}.${s}=`,
      `${h}.${p}.${s}==`,
      `${h}.${p}.${s.replace(/-/g, '+').replace(/_/g, '/')}`, // dropped below when s has neither - nor _
      `${h}.${p}.+${s.slice(1)}`,
      `${h}.${p}.${s.slice(0, 5)}/${s.slice(6)}`,
      `${h}.${p}.${s} `,
      ` ${token}`,
      `${h}.${p}.${s}\n`,
      `${h}.${p.slice(0, 10)} ${p.slice(10)}.${s}`,
      `${h}.${p}.${s}AAA`, // length 1 mod 4
    ];
    // Same bytes, other spelling: flip the unused low bits of the last signature character (86 chars = 2 bits).
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(s.at(-1)!);
    variants.push(`${h}.${p}.${s.slice(0, -1)}${alphabet[last | 1]}`);
    expect(Buffer.from(variants.at(-1)!.split('.')[2]!, 'base64url')).toEqual(Buffer.from(s, 'base64url'));
    for (const v of variants.filter((t) => t !== token)) expect(verify(v)).toBe('ERR_JWS_INVALID');
  });

  it('non-ASCII look-alikes of base64url characters (Node keeps only the low byte) in any segment', () => {
    const token = forge(header, payloadText, es256);
    expect(verify(token)).toBe('OK');
    const [h, p, s] = token.split('.') as [string, string, string];
    // U+0100 + c has the low byte of c: Node's lenient decoder would read it as c.
    const respell = (seg: string, at: number) =>
      seg.slice(0, at) + String.fromCharCode(0x100 + seg.charCodeAt(at)) + seg.slice(at + 1);
    expect(Buffer.from(respell(s, 3), 'base64url')).toEqual(Buffer.from(s, 'base64url'));
    for (const v of [
      `${respell(h, 2)}.${p}.${s}`,
      `${h}.${respell(p, 5)}.${s}`,
      `${h}.${p}.${respell(s, 3)}`,
    ])
      expect(verify(v)).toBe('ERR_JWS_INVALID');
    expect(codeOf(() => decodeJWT(`${h}.${p}.${respell(s, 3)}`))).toBe('ERR_JWS_INVALID');
  });

  it('oversize tokens are refused before any parsing; the limit is configurable', () => {
    const big = forge(header, JSON.stringify({ ...claims, pad: 'x'.repeat(20_000) }), es256);
    expect(verify(big)).toBe('ERR_JWS_INVALID');
    expect(verify(`${'a'.repeat(20_000)}`)).toBe('ERR_JWS_INVALID');
    const roomy = createVerifier({ keys: [es256.publicKey], clock, maxTokenSize: 64 * 1024 });
    expect(codeOf(() => roomy.verify(big))).toBe('OK');
    const tight = createVerifier({ keys: [es256.publicKey], clock, maxTokenSize: 100 });
    expect(codeOf(() => tight.verify(forge(header, payloadText, es256)))).toBe('ERR_JWS_INVALID');
  });

  it('deeply nested JSON is refused (header and payload)', () => {
    const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
    const p = `${payloadText.slice(0, -1)},"x":${deep(100)}}`;
    expect(verify(forge(header, p, es256))).toBe('ERR_JWS_INVALID');
    const objects = `${payloadText.slice(0, -1)},"x":${'{"a":'.repeat(60)}1${'}'.repeat(60)}}`;
    expect(verify(forge(header, objects, es256))).toBe('ERR_JWS_INVALID');
    const h = `{"alg":"ES256","kid":"es","x":${deep(100)}}`;
    expect(verify(forge(h, payloadText, es256))).toBe('ERR_JWS_INVALID');
    // Moderate nesting is fine.
    expect(verify(forge(header, `${payloadText.slice(0, -1)},"x":${deep(10)}}`, es256))).toBe('OK');
  });

  it('wrong typ is refused when typ is required; case and application/ prefix are normalised', () => {
    const at = createVerifier({ keys: [es256.publicKey], clock, typ: 'at+jwt' });
    const withTyp = (typ?: string) =>
      codeOf(() => at.verify(forge(JSON.stringify({ alg: 'ES256', kid: 'es', typ }), payloadText, es256)));
    expect(withTyp('at+jwt')).toBe('OK');
    expect(withTyp('AT+JWT')).toBe('OK');
    expect(withTyp('application/at+jwt')).toBe('OK');
    expect(withTyp('Application/At+Jwt')).toBe('OK');
    expect(withTyp('JWT')).toBe('ERR_JWT_CLAIM_INVALID');
    expect(withTyp('id_token+jwt')).toBe('ERR_JWT_CLAIM_INVALID');
    expect(withTyp(undefined)).toBe('ERR_JWT_CLAIM_INVALID');
    expect(codeOf(() => at.verify(forge('{"alg":"ES256","kid":"es","typ":7}', payloadText, es256)))).toBe(
      'ERR_JWS_INVALID',
    );
  });

  it("alg substitution: the header alg must be the key's algorithm", async () => {
    // kid points at the ES256 key but claims RS256 (both allowed in this verifier).
    const h = JSON.stringify({ alg: 'RS256', kid: 'es' });
    expect(verify(forge(h, payloadText, rs256))).toBe('ERR_JWS_ALG_NOT_ALLOWED');
    const h2 = JSON.stringify({ alg: 'ES384', kid: 'es' });
    const es384 = await generateKeyPair('ES384');
    expect(verify(forge(h2, payloadText, es384))).toBe('ERR_JWS_ALG_NOT_ALLOWED');
    const rsOnly = createVerifier({ keys: [es256.publicKey, rs256.publicKey], algorithms: ['RS256'], clock });
    expect(codeOf(() => rsOnly.verify(forge(header, payloadText, es256)))).toBe('ERR_JWS_ALG_NOT_ALLOWED');
  });

  it('PS256 must use the hash-length salt; an RS256 signature does not pass as PS256 or back', async () => {
    const ps = await generateKeyPair('PS256');
    const v = createVerifier({ keys: [ps.publicKey], clock });
    const input = `${b64(JSON.stringify({ alg: 'PS256' }))}.${b64(payloadText)}`;
    const keyObject = ps[INTERNALS].keyObject;
    const pad = constants.RSA_PKCS1_PSS_PADDING;
    const salt0 = nodeSign('sha256', Buffer.from(input), { key: keyObject, padding: pad, saltLength: 0 });
    const pkcs1 = nodeSign('sha256', Buffer.from(input), keyObject);
    const good = nodeSign('sha256', Buffer.from(input), { key: keyObject, padding: pad, saltLength: 32 });
    expect(codeOf(() => v.verify(`${input}.${good.toString('base64url')}`))).toBe('OK');
    expect(codeOf(() => v.verify(`${input}.${salt0.toString('base64url')}`))).toBe(
      'ERR_JWS_SIGNATURE_INVALID',
    );
    expect(codeOf(() => v.verify(`${input}.${pkcs1.toString('base64url')}`))).toBe(
      'ERR_JWS_SIGNATURE_INVALID',
    );
  });

  it('header and payload must be JSON objects, payload valid UTF-8; claims of the wrong type', () => {
    for (const h of ['[]', 'null', '"ES256"', '{"alg":1}', '{"kid":"es"}', '{']) {
      expect(verify(forge(h, payloadText, es256))).toBe('ERR_JWS_INVALID');
    }
    for (const p of ['[]', 'null', '1', '"x"'])
      expect(verify(forge(header, p, es256))).toBe('ERR_JWT_INVALID');
    const invalidUtf8 = Buffer.concat([
      Buffer.from(payloadText.slice(0, -1)),
      Buffer.from(',"x":"\xff"}', 'latin1'),
    ]);
    const input = `${b64(header)}.${b64(invalidUtf8)}`;
    const sig = es256[INTERNALS].sign!(input).toString('base64url');
    expect(verify(`${input}.${sig}`)).toBe('ERR_JWS_INVALID');
    // A real U+FFFD (valid UTF-8 EF BF BD) is just a character.
    expect(verify(forge(header, JSON.stringify({ ...claims, note: 'a\uFFFDb' }), es256))).toBe('OK');
    for (const exp of ['"1900000000"', '1e400', '-1', 'null', '9007199254740993', 'true']) {
      expect(
        verify(
          forge(header, JSON.stringify({ ...claims, exp: 0 }).replace('"exp":0', `"exp":${exp}`), es256),
        ),
      ).toBe('ERR_JWT_INVALID');
    }
    expect(verify(forge(header, JSON.stringify({ ...claims, aud: ['rooms', 1] }), es256))).toBe(
      'ERR_JWT_INVALID',
    );
    expect(verify(forge(header, JSON.stringify({ ...claims, iss: 1 }), es256))).toBe('ERR_JWT_INVALID');
  });

  it('wrong segment counts and empty segments', () => {
    const token = forge(header, payloadText, es256);
    const [h, p, s] = token.split('.');
    for (const t of [
      '',
      '.',
      '..',
      `${h}.${p}`,
      `${h}.${p}.${s}.`,
      `${h}.${p}.${s}.${s}`,
      `.${p}.${s}`,
      `${h}..${s}`,
    ]) {
      expect(verify(t)).toBe('ERR_JWS_INVALID');
    }
    expect(verify(`${h}.${p}.`)).toBe('ERR_JWS_INVALID');
    expect(codeOf(() => verifier.verify(42 as never))).toBe('ERR_JWS_INVALID');
  });

  it('a secret never verifies an asymmetric token and vice versa (distinct key types)', async () => {
    const secret = generateSecret('HS256', { kid: 'es' });
    const hs = createVerifier({ keys: [secret], clock });
    expect(codeOf(() => hs.verify(forge(header, payloadText, es256)))).toBe('ERR_JWS_ALG_NOT_ALLOWED');
    const pk: PublicKey = es256.publicKey;
    const other = generateSecret('HS256');
    expect(codeOf(() => createVerifier({ keys: [pk, other] }))).toBe('ERR_JOSE_INVALID_OPTIONS');
  });
});
