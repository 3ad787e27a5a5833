import {
  DpopNonceRequired,
  DpopProofInvalid,
  DpopProofReplayed,
  isJoseError,
  JoseInvalidOptions,
} from '../errors.js';
import { ALGORITHMS, isAlgorithm, isHmacAlgorithm } from '../internal/algorithms.js';
import { timingSafeEqual } from '../internal/crypto.js';
import { normalizeTyp } from '../jws/header-rules.js';
import { parseHeader, parsePayload, parseSignature, split } from '../jws/parse.js';
import { importJWK } from '../keys/import-jwk.js';
import { keyInternals } from '../keys/key.js';
import { calculateThumbprint } from '../keys/thumbprint.js';
import type { AsymmetricAlgorithm, JWK, JWSHeader } from '../types.js';
import { accessTokenHash, isAscii } from './access-token-hash.js';
import { normalizeHtu } from './normalize-htu.js';
import { freezeJson, type ProofKey, proofKeys } from './proof-key-cache.js';
import { PUBLIC_MEMBERS } from './public-jwk.js';
import type { DpopReplayCache } from './replay-cache.js';

/**
 * The claims of a verified DPoP proof (RFC 9449 §4.2).
 *
 * @example
 * ```ts
 * const { jti, htm, htu, iat } = verified.claims;
 * ```
 */
export interface DpopProofClaims {
  jti: string;
  htm: string;
  htu: string;
  iat: number;
  ath?: string;
  nonce?: string;
}

/**
 * A verified DPoP proof.
 *
 * @example
 * ```ts
 * const { jkt } = verifyDpopProof(proof, { method: 'POST', url });
 * ```
 */
export interface VerifiedDpopProof {
  /** RFC 7638 thumbprint (SHA-256, base64url) of `header.jwk`: the value of a bound card's `cnf.jkt`. */
  jkt: string;
  /** The proof key, public members only. */
  jwk: JWK;
  claims: DpopProofClaims;
  header: JWSHeader;
}

/**
 * Options of {@link verifyDpopProof}.
 *
 * @example
 * ```ts
 * verifyDpopProof(proof, { method: 'GET', url: 'https://rooms.example/rooms/12', accessToken, expectedJkt });
 * ```
 */
export interface VerifyDpopProofOptions {
  /** The request's HTTP method; compared case-sensitively with `htm`. */
  method: string;
  /** The request's URI; compared with `htu` after {@link normalizeHtu} on both sides. */
  url: string | URL;
  /** When given, `ath` is required and must be its hash. */
  accessToken?: string;
  /** When given, the proof key's thumbprint must equal it (a bound card's `cnf.jkt`). */
  expectedJkt?: string;
  /** When given, a `nonce` claim is required and must be accepted (else ERR_DPOP_NONCE_REQUIRED). */
  nonce?: string | readonly string[] | ((nonce: string | undefined) => boolean);
  /** Allow-list; default every asymmetric algorithm @keycard/jwt supports. Never HS* or none. */
  algorithms?: readonly AsymmetricAlgorithm[];
  /** Oldest accepted `iat`, in seconds before now; default 300. */
  maxAgeSeconds?: number;
  /** How far `iat` may lie in the future, in seconds; default 5. */
  leewaySeconds?: number;
  /** Current time in milliseconds; default Date.now. */
  clock?: () => number;
  /** Maximum proof size in bytes, checked before any parsing; default 8192. */
  maxProofBytes?: number;
  /** When given, a proof whose (jkt, jti) it has seen is ERR_DPOP_PROOF_REPLAYED (checked last). */
  replayCache?: DpopReplayCache;
}

const DPOP_TYP = 'dpop+jwt';
const MAX_JTI_LENGTH = 256;
// Key by reference and extensions we do not implement; `kid` is ignored (the key is always `jwk`).
const REFUSED_HEADER = ['jku', 'x5u', 'x5c', 'x5t', 'x5t#S256', 'crit', 'b64', 'zip'] as const;
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;
// An attacker picks the proof key, and RSA verification costs grow with the exponent and the modulus:
// a 4000-byte `e` takes ~200 ms of CPU per proof. Real keys use e = 65537 (3 bytes); 4 bytes and an
// 8192-bit modulus are generous. Lengths of the base64url text, checked before any import.
const MAX_RSA_E_CHARS = 6; // 4 bytes
const MAX_RSA_N_CHARS = 1366; // 8192 bits
const ASYMMETRIC: readonly AsymmetricAlgorithm[] = ALGORITHMS.filter(
  (alg): alg is AsymmetricAlgorithm => !isHmacAlgorithm(alg),
);
const DEFAULT_ALGORITHMS: ReadonlySet<string> = new Set(ASYMMETRIC);

function invalid(reason: string, init: { cause?: unknown; claim?: string } = {}): never {
  const cause = init.cause === undefined ? new Error(reason) : new Error(reason, { cause: init.cause });
  throw new DpopProofInvalid(undefined, {
    cause,
    ...(init.claim === undefined ? {} : { claim: init.claim }),
  });
}

function bad(message: string): never {
  throw new JoseInvalidOptions(message);
}

function seconds(value: number | undefined, name: string, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value >= 0 && value <= max))
    bad(`${name} must be a number from 0 to ${max}`);
  return value;
}

function allowList(algorithms: readonly AsymmetricAlgorithm[] | undefined): ReadonlySet<string> {
  if (algorithms === undefined) return DEFAULT_ALGORITHMS;
  if (!Array.isArray(algorithms) || algorithms.length === 0) bad('algorithms must be a non-empty array');
  for (const alg of algorithms) {
    if (!isAlgorithm(alg) || isHmacAlgorithm(alg)) bad('algorithms must be asymmetric JWS algorithms');
  }
  return new Set(algorithms);
}

/** Header rules of RFC 9449 §4.3 (checks 4–7), then the proof key bound to the header's alg. */
function proofKey(header: JWSHeader, algorithms: ReadonlySet<string>): ProofKey {
  if (typeof header.typ !== 'string' || normalizeTyp(header.typ) !== DPOP_TYP)
    invalid('typ must be dpop+jwt');
  if (header.alg.toLowerCase() === 'none') invalid('alg none is never accepted');
  if (!algorithms.has(header.alg)) invalid('alg is not allowed');
  for (const name of REFUSED_HEADER)
    if (header[name] !== undefined) invalid(`header member ${name} is refused`);
  const jwk = header.jwk as Record<string, unknown> | undefined;
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) invalid('header jwk is required');
  for (const name of PRIVATE_MEMBERS) if (jwk[name] !== undefined) invalid('header jwk has private members');
  // Own properties only: a kty of `constructor` or `__proto__` must not find Object.prototype members.
  const kty = jwk.kty;
  const members =
    typeof kty === 'string' && Object.hasOwn(PUBLIC_MEMBERS, kty) ? PUBLIC_MEMBERS[kty] : undefined;
  if (members === undefined) invalid('header jwk kty is not supported');
  if (
    kty === 'RSA' &&
    ((typeof jwk.e === 'string' && jwk.e.length > MAX_RSA_E_CHARS) ||
      (typeof jwk.n === 'string' && jwk.n.length > MAX_RSA_N_CHARS))
  ) {
    invalid('header jwk RSA exponent or modulus is too large');
  }
  // Only the public members reach importJWK (plus alg/use/key_ops, which must fit): the key is bound
  // to the header alg, and a key of another type or curve is refused there.
  // A fixed kid spares importJWK a thumbprint of its own; the jkt below is taken once.
  const importable: JWK = { kty: kty as string, kid: 'dpop-proof-key' };
  for (const name of [...members, 'alg', 'use', 'key_ops'])
    if (jwk[name] !== undefined) importable[name] = jwk[name];
  let key: ReturnType<typeof importJWK>;
  try {
    key = importJWK(importable, { alg: header.alg as AsymmetricAlgorithm });
  } catch (cause) {
    if (isJoseError(cause)) invalid('header jwk does not fit alg', { cause });
    throw cause;
  }
  const internals = keyInternals(key);
  if (key.type !== 'public' || internals === undefined) invalid('header jwk must be a public key');
  // The thumbprint is taken over the canonical members, and the header must carry exactly those, so
  // one key always has one jkt.
  const canonical = key.toJWK();
  const publicJwk: JWK = { kty: canonical.kty };
  for (const name of members) {
    if (jwk[name] !== canonical[name]) invalid(`header jwk member ${name} is not canonical`);
    publicJwk[name] = canonical[name];
  }
  return {
    header: freezeJson(header),
    jwk: Object.freeze(publicJwk),
    jkt: calculateThumbprint(publicJwk),
    verify: internals.verify,
  };
}

function nonceAccepted(
  option: NonNullable<VerifyDpopProofOptions['nonce']>,
  nonce: string | undefined,
): boolean {
  if (typeof option === 'function') return option(nonce) === true;
  if (nonce === undefined) return false;
  return typeof option === 'string' ? option === nonce : option.includes(nonce);
}

/**
 * Verifies a DPoP proof JWT (RFC 9449 §4.3) for one request: strict JWS parsing (size first, canonical
 * base64url, strict JSON), `typ: dpop+jwt`, an asymmetric `alg` from the allow-list bound to the
 * header's public `jwk`, the signature with that key, then `jti`, `htm`, `htu`, `iat`, `ath`, the key
 * thumbprint, the nonce and the replay cache. Synchronous. Throws ERR_DPOP_PROOF_INVALID (detail in
 * `cause`), ERR_DPOP_NONCE_REQUIRED or ERR_DPOP_PROOF_REPLAYED.
 *
 * @example
 * ```ts
 * const proof = verifyDpopProof(req.headers.dpop, {
 *   method: req.method,
 *   url: `https://rooms.example${req.url}`,
 *   accessToken,
 *   expectedJkt: claims.cnf.jkt,
 *   replayCache,
 * });
 * ```
 */
export function verifyDpopProof(proof: string, options: VerifyDpopProofOptions): VerifiedDpopProof {
  if (typeof options !== 'object' || options === null) bad('options must be an object');
  if (typeof options.method !== 'string' || options.method === '') bad('method must be a non-empty string');
  const algorithms = allowList(options.algorithms);
  const maxAge = seconds(options.maxAgeSeconds, 'maxAgeSeconds', 300, 86_400);
  const leeway = seconds(options.leewaySeconds, 'leewaySeconds', 5, 300);
  const maxProofBytes = options.maxProofBytes ?? 8192;
  if (!Number.isSafeInteger(maxProofBytes) || maxProofBytes < 16)
    bad('maxProofBytes must be an integer >= 16');
  if (options.clock !== undefined && typeof options.clock !== 'function') bad('clock must be a function');

  let first: number;
  let second: number;
  let segment: string;
  let cached: ProofKey | undefined;
  let header: JWSHeader;
  let payload: Record<string, unknown>;
  let signature: Buffer;
  try {
    [first, second] = split(proof, maxProofBytes);
    segment = proof.slice(0, first);
    // A header segment seen before with a good signature: its checks and key import are not redone.
    cached = proofKeys.get(segment);
    header = cached?.header ?? parseHeader(segment);
    payload = parsePayload(proof.slice(first + 1, second));
    signature = parseSignature(proof.slice(second + 1));
  } catch (cause) {
    if (isJoseError(cause)) invalid('the proof is not a well-formed JWS', { cause });
    throw cause;
  }
  if (cached !== undefined && !algorithms.has(header.alg)) invalid('alg is not allowed');
  const key = cached ?? proofKey(header, algorithms);
  if (!key.verify(proof.slice(0, second), signature)) invalid('signature is invalid');
  if (cached === undefined) proofKeys.set(segment, key);

  const { jti, htm, htu, iat, ath, nonce } = payload;
  if (typeof jti !== 'string' || jti === '' || jti.length > MAX_JTI_LENGTH) {
    invalid(`jti must be a string of 1 to ${MAX_JTI_LENGTH} characters`, { claim: 'jti' });
  }
  if (typeof htm !== 'string' || htm !== options.method)
    invalid('htm does not match the request method', { claim: 'htm' });
  if (typeof htu !== 'string' || htu.includes('?') || htu.includes('#')) {
    invalid('htu must be a URI without query or fragment', { claim: 'htu' });
  }
  let htuMatches: boolean;
  try {
    htuMatches = normalizeHtu(htu) === normalizeHtu(options.url);
  } catch (cause) {
    invalid('htu or the request URL is not an http(s) URL', { cause, claim: 'htu' });
  }
  if (!htuMatches) invalid('htu does not match the request URL', { claim: 'htu' });
  if (typeof iat !== 'number' || !Number.isFinite(iat)) invalid('iat must be a number', { claim: 'iat' });
  const now = (options.clock ?? Date.now)() / 1000;
  if (now - iat > maxAge) invalid('iat is too old', { claim: 'iat' });
  if (iat - now > leeway) invalid('iat is in the future', { claim: 'iat' });
  if (ath !== undefined && typeof ath !== 'string') invalid('ath must be a string', { claim: 'ath' });
  if (options.accessToken !== undefined) {
    if (typeof options.accessToken !== 'string' || !isAscii(options.accessToken))
      invalid('access token is not ASCII');
    const expected = Buffer.from(accessTokenHash(options.accessToken));
    if (ath === undefined || !timingSafeEqual(Buffer.from(ath), expected)) {
      invalid('ath does not match the access token', { claim: 'ath' });
    }
  }
  if (options.expectedJkt !== undefined && key.jkt !== options.expectedJkt) {
    invalid('the proof key is not the one the token is bound to', { claim: 'jkt' });
  }
  if (nonce !== undefined && typeof nonce !== 'string') invalid('nonce must be a string', { claim: 'nonce' });
  if (options.nonce !== undefined && !nonceAccepted(options.nonce, nonce)) {
    throw new DpopNonceRequired(undefined, { claim: 'nonce' });
  }
  if (options.replayCache !== undefined && !options.replayCache.check(key.jkt, jti, iat)) {
    throw new DpopProofReplayed(undefined, { claim: 'jti' });
  }
  const claims: DpopProofClaims = { jti, htm, htu, iat };
  if (ath !== undefined) claims.ath = ath;
  if (nonce !== undefined) claims.nonce = nonce;
  return { jkt: key.jkt, jwk: key.jwk, claims: Object.freeze(claims), header: key.header };
}
