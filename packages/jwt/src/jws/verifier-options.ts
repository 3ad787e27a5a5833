/** Checks VerifierOptions once, when a verifier is created, and turns them into prepared state. */
import { JoseInvalidOptions } from '../errors.js';
import { isAlgorithm, isHmacAlgorithm } from '../internal/algorithms.js';
import type { ClaimsPolicy } from '../jwt/claims.js';
import type { VerificationKey } from '../keys/key.js';
import { KeySet } from '../keys/key-set.js';
import type { JWKS, JWSAlgorithm, JWSHeader } from '../types.js';
import { normalizeTyp } from './header-rules.js';
import { DEFAULT_MAX_TOKEN_SIZE } from './parse.js';

/**
 * Options of {@link createVerifier}.
 *
 * @example
 * ```ts
 * createVerifier({ keys, issuer: 'https://auth.example', audience: 'rooms', typ: 'at+jwt', leewaySeconds: 5 });
 * ```
 */
export interface VerifierOptions {
  /** The verification keys: a KeySet, an array of PublicKey/SecretKey, or a JWK Set. */
  keys?: KeySet | VerificationKey[] | JWKS;
  /** Alternative key lookup (e.g. the guard's remote JWKS cache); used when `keys` is not given. */
  getKey?: (header: JWSHeader) => VerificationKey | undefined;
  /** Allow-list. Default: the algorithms of the given keys (required with getKey). HS* and asymmetric never mix. */
  algorithms?: JWSAlgorithm[];
  /** Accepted `iss` value(s). */
  issuer?: string | string[];
  /** Accepted audience(s): the token `aud` (string or array) must contain at least one. */
  audience?: string | string[];
  /** Required `sub`. */
  subject?: string;
  /** Required header `typ`, e.g. 'at+jwt' (also accepts 'application/at+jwt', any case); unset: not checked. */
  typ?: string;
  /** Clock tolerance in seconds; default 0, at most 300. */
  leewaySeconds?: number;
  /** Current time in milliseconds; default Date.now. */
  clock?: () => number;
  /** Maximum age in seconds since `iat` (requires iat). */
  maxTokenAgeSeconds?: number;
  /** Require `exp`; default true. */
  requireExp?: boolean;
  /** Claims that must be present. */
  requiredClaims?: string[];
  /** Maximum token size in bytes; default 16384, checked before any parsing. */
  maxTokenSize?: number;
}

/** Verifier state derived from the options. */
export interface PreparedOptions {
  readonly keySet: KeySet | undefined;
  readonly getKey: ((header: JWSHeader) => VerificationKey | undefined) | undefined;
  readonly algorithms: ReadonlySet<string>;
  readonly typ: string | undefined;
  readonly maxTokenSize: number;
  readonly policy: ClaimsPolicy;
}

function bad(message: string): never {
  throw new JoseInvalidOptions(message);
}

function stringList(value: unknown, name: string): readonly string[] | undefined {
  if (value === undefined) return undefined;
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || !list.every((v) => typeof v === 'string' && v !== '')) {
    bad(`${name} must be a non-empty string or array of non-empty strings`);
  }
  return Object.freeze([...list]);
}

function seconds(value: unknown, name: string, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !(value >= 0 && value <= max))
    bad(`${name} must be a number from 0 to ${max}`);
  return value;
}

function toKeySet(keys: VerifierOptions['keys'], algorithms: JWSAlgorithm[] | undefined): KeySet {
  if (keys instanceof KeySet) return keys;
  if (Array.isArray(keys)) return KeySet.fromKeys(keys);
  return KeySet.from(keys, algorithms === undefined ? {} : { algorithms });
}

/** Options renamed before 1.0 (units in the name): refused with the new name, never ignored. */
const RENAMED: Record<string, string> = { leeway: 'leewaySeconds', maxTokenAge: 'maxTokenAgeSeconds' };

export function prepareOptions(opts: VerifierOptions): PreparedOptions {
  if (typeof opts !== 'object' || opts === null) bad('options must be an object');
  for (const [old, now] of Object.entries(RENAMED))
    if (Object.hasOwn(opts, old)) bad(`${old} was renamed: use ${now}`);
  if (opts.keys === undefined && typeof opts.getKey !== 'function') bad('keys or getKey is required');
  if (opts.algorithms !== undefined) {
    if (!Array.isArray(opts.algorithms) || opts.algorithms.length === 0)
      bad('algorithms must be a non-empty array');
    for (const alg of opts.algorithms) if (!isAlgorithm(alg)) bad('algorithms has an unsupported entry');
  }
  const keySet = opts.keys === undefined ? undefined : toKeySet(opts.keys, opts.algorithms);
  let algorithms: JWSAlgorithm[];
  if (opts.algorithms !== undefined) algorithms = opts.algorithms;
  else if (keySet !== undefined) algorithms = keySet.keys.map((key) => key.alg);
  else bad('algorithms is required with getKey');
  if (algorithms.length === 0) bad('no usable keys and no algorithms');
  const hmac = algorithms.filter((alg) => isHmacAlgorithm(alg)).length;
  if (hmac !== 0 && hmac !== algorithms.length)
    bad('HS* algorithms cannot be mixed with asymmetric algorithms');
  if (opts.clock !== undefined && typeof opts.clock !== 'function') bad('clock must be a function');
  if (opts.typ !== undefined && (typeof opts.typ !== 'string' || opts.typ === ''))
    bad('typ must be a non-empty string');
  if (opts.subject !== undefined && typeof opts.subject !== 'string') bad('subject must be a string');
  if (opts.requireExp !== undefined && typeof opts.requireExp !== 'boolean')
    bad('requireExp must be a boolean');
  const required = opts.requiredClaims ?? [];
  if (!Array.isArray(required) || !required.every((c) => typeof c === 'string'))
    bad('requiredClaims must be strings');
  const maxTokenSize = opts.maxTokenSize ?? DEFAULT_MAX_TOKEN_SIZE;
  if (!Number.isSafeInteger(maxTokenSize) || maxTokenSize < 16) bad('maxTokenSize must be an integer >= 16');

  return {
    keySet,
    getKey: keySet === undefined ? opts.getKey : undefined,
    algorithms: new Set(algorithms),
    typ: opts.typ === undefined ? undefined : normalizeTyp(opts.typ),
    maxTokenSize,
    policy: Object.freeze({
      issuers: stringList(opts.issuer, 'issuer'),
      audiences: stringList(opts.audience, 'audience'),
      subject: opts.subject,
      leewaySeconds: seconds(opts.leewaySeconds, 'leewaySeconds', 300) ?? 0,
      clock: opts.clock ?? Date.now,
      maxTokenAgeSeconds: seconds(opts.maxTokenAgeSeconds, 'maxTokenAgeSeconds', Number.MAX_SAFE_INTEGER),
      requireExp: opts.requireExp ?? true,
      requiredClaims: Object.freeze([...required]),
    }),
  };
}
