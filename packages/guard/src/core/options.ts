import type { JWSAlgorithm } from '@keycard/jwt';
import { DEFAULT_DPOP_ALGORITHMS } from '../dpop/algorithms.js';
import type { GuardError } from '../errors.js';
import { optionError } from '../errors.js';
import type { CacheAdmission, GuardOptions, StalePolicy } from '../types.js';
import type { ResolvedDpopOptions } from './dpop-options.js';
import { resolveDpopOptions } from './dpop-options.js';

/**
 * Asymmetric algorithms accepted by default (HS* never: a guard holds public keys only).
 * @example
 * createGuard({ issuer, audience: 'rooms', algorithms: DEFAULT_ALGORITHMS.filter((a) => a !== 'RS256') });
 */
export const DEFAULT_ALGORITHMS: readonly JWSAlgorithm[] = DEFAULT_DPOP_ALGORITHMS;

/** `leewaySeconds` when not given. */
export const DEFAULT_LEEWAY_SECONDS = 5;

export interface ResolvedOptions {
  readonly issuer: string | undefined;
  readonly tokenIssuer: string | undefined;
  readonly discoveryUri: string | undefined;
  readonly jwksUri: string | undefined;
  readonly keys: { keys: unknown[] } | undefined;
  readonly audience: readonly string[];
  readonly algorithms: readonly JWSAlgorithm[];
  readonly typ: string | undefined;
  readonly leewaySeconds: number;
  readonly requiredScopes: readonly string[];
  readonly cookie: string | undefined;
  readonly realm: string;
  readonly cacheSize: number;
  readonly cacheAdmission: CacheAdmission;
  readonly fetchTimeoutMs: number;
  readonly jwks: {
    readonly timeoutMs: number;
    readonly maxBytes: number;
    readonly minTtlMs: number;
    readonly maxTtlMs: number;
    readonly cooldownMs: number;
  };
  readonly revocation:
    | {
        readonly streamUri: string | undefined;
        readonly pollUri: string | undefined;
        readonly maxStalenessMs: number;
        readonly stalePolicy: StalePolicy;
        readonly authorization: (() => string | Promise<string>) | undefined;
        readonly minReconnectDelayMs: number;
        readonly maxReconnectDelayMs: number;
        readonly idleTimeoutMs: number;
        readonly pollWaitSeconds: number;
        readonly streamFailuresBeforePoll: number;
      }
    | undefined;
  readonly onError: (error: GuardError) => void;
  readonly clock: () => number;
  /** `publicUrl` without a trailing slash. */
  readonly publicUrl: string | undefined;
  readonly trustProxy: boolean;
  readonly dpop: ResolvedDpopOptions | undefined;
}

/** Option names changed before 1.0: refused with the new name rather than silently ignored. */
const RENAMED: Record<string, string> = { leeway: 'leewaySeconds' };
const RENAMED_JWKS: Record<string, string> = {
  minTtl: 'jwks.minTtlSeconds',
  maxTtl: 'jwks.maxTtlSeconds',
  cooldown: 'jwks.cooldownSeconds',
};
const RENAMED_REVOCATION: Record<string, string> = {
  maxStaleness: 'revocation.maxStalenessSeconds',
  enabled: 'revocation: false (the only way to turn the feed off)',
};

function refuseRenamed(given: object, prefix: string, renamed: Record<string, string>): void {
  for (const [old, now] of Object.entries(renamed)) {
    if (Object.hasOwn(given, old)) throw optionError(`${prefix}${old}`, `was renamed: use ${now}`);
  }
}

const TOKEN_CHARS = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function url(name: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw optionError(name, 'must be a URL string');
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw optionError(name, 'must be an absolute URL');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw optionError(name, 'must be http(s)');
  return value;
}

function num(name: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw optionError(name, `must be a number between ${min} and ${max}`);
  }
  return value;
}

function cacheAdmission(value: unknown): CacheAdmission {
  if (value === undefined) return 'repeat';
  if (value !== 'repeat' && value !== 'always')
    throw optionError('cacheAdmission', "must be 'repeat' or 'always'");
  return value;
}

function strings(name: string, value: unknown, allowEmpty: boolean): string[] {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || (!allowEmpty && list.length === 0)) {
    throw optionError(
      name,
      allowEmpty ? 'must be an array of strings' : 'must be a non-empty string or array',
    );
  }
  for (const item of list) {
    if (typeof item !== 'string' || item.length === 0)
      throw optionError(name, 'must contain non-empty strings');
  }
  return [...list];
}

/**
 * Validates `createGuard` options and fills in defaults. Throws ERR_GUARD_OPTIONS_INVALID naming the
 * option at fault; the result is frozen.
 */
export function resolveOptions(options: GuardOptions): ResolvedOptions {
  if (options === null || typeof options !== 'object') throw optionError('options', 'must be an object');
  refuseRenamed(options, '', RENAMED);
  const issuer = url('issuer', options.issuer)?.replace(/\/+$/, '');
  const tokenIssuer = options.tokenIssuer === undefined ? issuer : url('tokenIssuer', options.tokenIssuer);
  const jwksUri = url('jwksUri', options.jwksUri);
  const keys = options.keys;
  if (keys !== undefined && (keys === null || typeof keys !== 'object' || !Array.isArray(keys.keys))) {
    throw optionError('keys', 'must be a JWK Set ({ keys: [...] })');
  }
  if (keys !== undefined && jwksUri !== undefined)
    throw optionError('keys', 'cannot be combined with jwksUri');
  let discoveryUri = url('discoveryUri', options.discoveryUri);
  if (discoveryUri === undefined && issuer !== undefined) {
    discoveryUri = `${issuer}/.well-known/openid-configuration`;
  }
  if (keys === undefined && jwksUri === undefined && discoveryUri === undefined) {
    throw optionError('issuer', 'is required (or give jwksUri or keys)');
  }
  if (tokenIssuer === undefined) throw optionError('tokenIssuer', 'is required when issuer is not given');
  const audience = strings('audience', options.audience, false);
  const algorithms =
    options.algorithms === undefined ? DEFAULT_ALGORITHMS : strings('algorithms', options.algorithms, false);
  for (const alg of algorithms) {
    if (!DEFAULT_ALGORITHMS.includes(alg as JWSAlgorithm)) {
      throw optionError('algorithms', `contains "${alg}", which is not an asymmetric JWS algorithm`);
    }
  }
  let typ: string | undefined = 'at+jwt';
  if (options.typ === false) typ = undefined;
  else if (options.typ !== undefined) {
    if (typeof options.typ !== 'string' || options.typ === '')
      throw optionError('typ', 'must be a string or false');
    typ = options.typ;
  }
  const cookie = options.cookie;
  if (cookie !== undefined && (typeof cookie !== 'string' || !TOKEN_CHARS.test(cookie))) {
    throw optionError('cookie', 'must be a valid cookie name');
  }
  const realm = options.realm ?? 'keycard';
  if (typeof realm !== 'string' || !/^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/.test(realm)) {
    throw optionError('realm', 'must be printable ASCII without quotes or backslashes');
  }
  for (const fn of ['onError', 'clock'] as const) {
    if (options[fn] !== undefined && typeof options[fn] !== 'function')
      throw optionError(fn, 'must be a function');
  }
  const jw = options.jwks ?? {};
  if (jw === null || typeof jw !== 'object') throw optionError('jwks', 'must be an object');
  refuseRenamed(jw, 'jwks.', RENAMED_JWKS);
  const minTtl = num('jwks.minTtlSeconds', jw.minTtlSeconds, 30, 0, 86_400);
  const maxTtl = num('jwks.maxTtlSeconds', jw.maxTtlSeconds, 3600, 0, 86_400);
  if (maxTtl < minTtl) throw optionError('jwks.maxTtlSeconds', 'must not be below jwks.minTtlSeconds');
  const rv = options.revocation;
  if (rv !== undefined && rv !== false && (rv === null || typeof rv !== 'object'))
    throw optionError('revocation', 'must be an object or false');
  let revocation: ResolvedOptions['revocation'];
  if (rv !== false) {
    const r = rv ?? {};
    refuseRenamed(r, 'revocation.', RENAMED_REVOCATION);
    const stalePolicy = r.stalePolicy ?? 'reject';
    if (stalePolicy !== 'serve' && stalePolicy !== 'reject') {
      throw optionError('revocation.stalePolicy', "must be 'serve' or 'reject'");
    }
    const minDelay = num('revocation.minReconnectDelayMs', r.minReconnectDelayMs, 250, 1, 600_000);
    const streamUri = url('revocation.streamUri', r.streamUri);
    const pollUri = url('revocation.pollUri', r.pollUri);
    if (streamUri === undefined && pollUri === undefined && discoveryUri === undefined) {
      throw optionError(
        'revocation',
        'needs streamUri or pollUri without discovery (or set revocation: false)',
      );
    }
    if (r.authorization !== undefined && typeof r.authorization !== 'function') {
      throw optionError('revocation.authorization', 'must be a function returning a token');
    }
    revocation = Object.freeze({
      authorization: r.authorization,
      streamUri,
      pollUri,
      maxStalenessMs: num('revocation.maxStalenessSeconds', r.maxStalenessSeconds, 120, 0, 86_400) * 1000,
      stalePolicy,
      minReconnectDelayMs: minDelay,
      maxReconnectDelayMs: num(
        'revocation.maxReconnectDelayMs',
        r.maxReconnectDelayMs,
        5000,
        minDelay,
        600_000,
      ),
      idleTimeoutMs: num('revocation.idleTimeoutMs', r.idleTimeoutMs, 45_000, 10, 3_600_000),
      pollWaitSeconds: num('revocation.pollWaitSeconds', r.pollWaitSeconds, 25, 0, 30),
      streamFailuresBeforePoll: num(
        'revocation.streamFailuresBeforePoll',
        r.streamFailuresBeforePoll,
        3,
        1,
        1000,
      ),
    });
  }
  const leewaySeconds = num('leewaySeconds', options.leewaySeconds, DEFAULT_LEEWAY_SECONDS, 0, 300);
  return Object.freeze({
    issuer,
    tokenIssuer,
    discoveryUri:
      (keys !== undefined || jwksUri !== undefined) && !revocationNeedsDiscovery(rv)
        ? undefined
        : discoveryUri,
    jwksUri,
    keys,
    audience: Object.freeze(audience),
    algorithms: Object.freeze([...algorithms]) as readonly JWSAlgorithm[],
    typ,
    leewaySeconds,
    requiredScopes: Object.freeze(
      options.requiredScopes === undefined ? [] : strings('requiredScopes', options.requiredScopes, true),
    ),
    cookie,
    realm,
    cacheSize: Math.floor(num('cacheSize', options.cacheSize, 10_000, 0, 10_000_000)),
    cacheAdmission: cacheAdmission(options.cacheAdmission),
    fetchTimeoutMs: num('fetchTimeoutMs', options.fetchTimeoutMs, 5000, 1, 120_000),
    jwks: Object.freeze({
      timeoutMs: num('jwks.timeoutMs', jw.timeoutMs, 5000, 1, 120_000),
      maxBytes: num('jwks.maxBytes', jw.maxBytes, 256 * 1024, 64, 16 * 1024 * 1024),
      minTtlMs: minTtl * 1000,
      maxTtlMs: maxTtl * 1000,
      cooldownMs: num('jwks.cooldownSeconds', jw.cooldownSeconds, 30, 0, 86_400) * 1000,
    }),
    revocation,
    onError: options.onError ?? (() => {}),
    clock: options.clock ?? Date.now,
    publicUrl: url('publicUrl', options.publicUrl)?.replace(/\/+$/, ''),
    trustProxy: options.trustProxy === true,
    dpop: resolveDpopOptions(options.dpop, leewaySeconds),
  });
}

/** Discovery is still needed for the feed when the keys are configured but no feed endpoint is. */
function revocationNeedsDiscovery(rv: GuardOptions['revocation']): boolean {
  if (rv === false) return false;
  return rv?.streamUri === undefined && rv?.pollUri === undefined;
}
