import type { AsymmetricAlgorithm, JWK, JWKS, JWTClaims, PrivateKey, PublicKey } from '@keycard/jwt';
import { createSigner, importJWK } from '@keycard/jwt';
import { ACCESS_TOKEN_TYP, ID_TOKEN_TYP, LOGOUT_TOKEN_TYP } from '@keycard/protocol';
import type { KeycardConfig } from '../config/index.js';
import type { Clock, Logger } from '../context.js';
import type { Sealer } from '../crypto/index.js';
import { ServerError } from '../errors.js';
import {
  isStorageUnavailable,
  type SigningKeyRecord,
  type Storage,
  StorageConflictError,
} from '../storage/index.js';
import { generateSigningKey, openSigningKey } from './generate-key.js';

/** Public facts about a signing key (what `keycard keys list` prints). */
export interface KeyInfo {
  kid: string;
  alg: string;
  state: SigningKeyRecord['state'];
  createdAt: number;
  activatedAt: number | null;
  retiredAt: number | null;
  removeAfter: number | null;
}

/** The header `typ` of each kind of token the server signs. */
export type SignedTokenTyp = typeof ACCESS_TOKEN_TYP | typeof ID_TOKEN_TYP | typeof LOGOUT_TOKEN_TYP;

/** Owns the signing keys: next → current → retired → removed. */
export interface KeyManager {
  /** Makes sure a current and a next key exist (first start generates both). */
  init(): Promise<void>;
  /**
   * Signs claims with the current key: as an `at+jwt` (access token) unless `typ` says `JWT` (an
   * OpenID Connect ID token) or `logout+jwt` (a Back-Channel Logout token): the header `typ` keeps
   * each kind from passing for another at a verifier that checks it.
   */
  sign(claims: JWTClaims, opts?: { typ?: SignedTokenTyp }): Promise<{ token: string; kid: string }>;
  /** The published public keys: next, current and retired. */
  jwks(): Promise<JWKS>;
  /** Public keys for verifying the server's own tokens. */
  verificationKeys(): Promise<PublicKey[]>;
  list(): Promise<KeyInfo[]>;
  /** Promotes next to current now, retires the old current and publishes a fresh next. */
  rotate(): Promise<{ current: string; retired: string | null; next: string }>;
  /**
   * Withdraws a key at once (compromise): it leaves storage and so the JWKS. A current key is
   * first replaced by the published next key; a fresh next key is published. Callers also
   * publish a `key` revocation event (see `revokeSigningKey`). ERR_KEY_NOT_FOUND if unknown.
   */
  revoke(kid: string): Promise<{ revoked: string; current: string | null; next: string | null }>;
  /** Scheduled work: rotates when due, drops retired keys past their removeAfter. */
  maintain(): Promise<{ rotated: boolean; removed: string[] }>;
  /** Forgets the cached keys (another instance rotated or revoked one): the next call reads storage. */
  invalidate(): void;
}

interface Cache {
  at: number;
  records: SigningKeyRecord[];
  /** The `current` record's kid, if there is one. */
  currentKid: string | undefined;
  publicKeys: PublicKey[];
  jwks: JWKS;
}

const CACHE_MS = 5_000;
/** Extra time a retired key stays published beyond the cache window: instance clock skew, slow requests. */
const RETIREMENT_MARGIN_MS = 5_000;

/**
 * Creates the key manager. Keys live in storage (private halves sealed with the master key);
 * this object only caches them for a few seconds so another instance's rotation is seen soon.
 *
 * @example
 * ```ts
 * const keys = createKeyManager({ storage, sealer, config, clock: Date.now, logger });
 * await keys.init();
 * const { token } = await keys.sign({ sub: 'u1', exp: 1_900_000_000 });
 * ```
 */
export function createKeyManager(deps: {
  storage: Storage;
  sealer: Sealer;
  config: KeycardConfig;
  clock: Clock;
  logger: Logger;
  onRotate?: (info: { current: string; retired: string | null; next: string; scheduled: boolean }) => void;
  /** After this instance rotated, revoked or removed a key: tell the other instances to reload. */
  onChange?: () => void;
}): KeyManager {
  const { storage, sealer, config, clock, logger } = deps;
  const alg = config.tokens.algorithm as AsymmetricAlgorithm;
  // One signer per key and `typ`, found without building a string on the token endpoint's hot path.
  const signers: Record<SignedTokenTyp, Map<string, { sign(claims: JWTClaims): string }>> = {
    [ACCESS_TOKEN_TYP]: new Map(),
    [ID_TOKEN_TYP]: new Map(),
    [LOGOUT_TOKEN_TYP]: new Map(),
  };
  let cache: Cache | undefined;
  const changed = () => deps.onChange?.();

  // Another instance may sign with the retired key until its cached key list expires (CACHE_MS
  // after the rotation); its last token must still verify until it expires.
  const retentionMs = () =>
    (Math.max(config.tokens.accessTokenTtl, config.tokens.idTokenTtl) + config.tokens.leeway) * 1000 +
    CACHE_MS +
    RETIREMENT_MARGIN_MS;

  async function load(force = false): Promise<Cache> {
    const now = clock();
    if (!force && cache !== undefined && now - cache.at < CACHE_MS && now >= cache.at) return cache;
    let records: SigningKeyRecord[];
    try {
      records = await storage.keys.list();
    } catch (error) {
      // Storage away: the keys already known keep the JWKS, discovery and verification answering
      // from memory; storage is asked again after another cache window, not on every request.
      if (force || cache === undefined || !isStorageUnavailable(error)) throw error;
      cache = { ...cache, at: now };
      return cache;
    }
    const publicKeys: PublicKey[] = [];
    const keys: JWK[] = [];
    for (const record of records) {
      const jwk = { ...record.publicJwk, kid: record.kid, alg: record.alg, use: 'sig' } as JWK;
      publicKeys.push(importJWK(jwk, { alg: record.alg as AsymmetricAlgorithm, type: 'public' }));
      keys.push(jwk);
    }
    const currentKid = records.find((r) => r.state === 'current')?.kid;
    cache = { at: now, records, currentKid, publicKeys, jwks: { keys } };
    return cache;
  }

  async function createNext(): Promise<SigningKeyRecord> {
    const record = await generateSigningKey(alg, sealer, 'next', clock());
    await storage.keys.create(record);
    return record;
  }

  async function promote(
    scheduled: boolean,
  ): Promise<{ current: string; retired: string | null; next: string }> {
    const { records } = await load(true);
    const current = records.find((r) => r.state === 'current') ?? null;
    const next =
      records
        .filter((r) => r.state === 'next' && r.alg === alg)
        .sort((a, b) => a.createdAt - b.createdAt)[0] ?? (await createNext());
    const now = clock();
    await storage.keys.promote(next.kid, current?.kid ?? null, now, now + retentionMs());
    const fresh = await createNext();
    await load(true);
    const info = { current: next.kid, retired: current?.kid ?? null, next: fresh.kid };
    logger.info({ ...info, scheduled }, 'signing key rotated');
    deps.onRotate?.({ ...info, scheduled });
    return info;
  }

  async function currentSigner(
    typ: SignedTokenTyp,
  ): Promise<{ kid: string; signer: { sign(claims: JWTClaims): string } }> {
    let { records } = await load();
    let current = records.find((r) => r.state === 'current');
    if (current === undefined) {
      ({ records } = await load(true));
      current = records.find((r) => r.state === 'current');
    }
    if (current === undefined) throw new ServerError('ERR_NOT_READY', { message: 'No signing key' });
    let signer = signers[typ].get(current.kid);
    if (signer === undefined) {
      const key: PrivateKey = openSigningKey(current, sealer);
      signer = createSigner(key, { typ });
      signers[typ].set(current.kid, signer);
    }
    return { kid: current.kid, signer };
  }

  /**
   * The current key's signer without waiting, when the cached key list is fresh and the signer is
   * built (every token request after the first of each cache window); else undefined.
   */
  function cachedSigner(
    typ: SignedTokenTyp,
  ): { kid: string; signer: { sign(claims: JWTClaims): string } } | undefined {
    const now = clock();
    if (cache === undefined || now - cache.at >= CACHE_MS || now < cache.at) return undefined;
    const kid = cache.currentKid;
    const signer = kid === undefined ? undefined : signers[typ].get(kid);
    return signer === undefined || kid === undefined ? undefined : { kid, signer };
  }

  return {
    async init() {
      const { records } = await load(true);
      if (!records.some((r) => r.state === 'current')) {
        try {
          await promote(false);
        } catch (error) {
          // Another instance initialised the keys at the same moment: use theirs.
          if (!(error instanceof StorageConflictError)) throw error;
        }
      }
      const after = await load(true);
      if (!after.records.some((r) => r.state === 'next')) {
        await createNext();
        await load(true);
      }
      // Fail at start-up, not on the first sign-in, when the master key is wrong.
      await currentSigner(ACCESS_TOKEN_TYP);
    },
    async sign(claims, opts) {
      const typ = opts?.typ ?? ACCESS_TOKEN_TYP;
      const { kid, signer } = cachedSigner(typ) ?? (await currentSigner(typ));
      return { token: signer.sign(claims), kid };
    },
    async jwks() {
      return (await load()).jwks;
    },
    async verificationKeys() {
      return (await load()).publicKeys;
    },
    async list() {
      const { records } = await load(true);
      return records.map(({ kid, alg: a, state, createdAt, activatedAt, retiredAt, removeAfter }) => ({
        kid,
        alg: a,
        state,
        createdAt,
        activatedAt,
        retiredAt,
        removeAfter,
      }));
    },
    async rotate() {
      const info = await promote(false);
      changed();
      return info;
    },
    async revoke(kid) {
      const { records } = await load(true);
      const record = records.find((r) => r.kid === kid);
      if (record === undefined) throw new ServerError('ERR_KEY_NOT_FOUND');
      if (record.state === 'current') await promote(false);
      await storage.keys.delete(kid);
      for (const byKid of Object.values(signers)) byKid.delete(kid);
      let after = await load(true);
      if (!after.records.some((r) => r.state === 'next')) {
        await createNext();
        after = await load(true);
      }
      const current = after.records.find((r) => r.state === 'current')?.kid ?? null;
      const next = after.records.find((r) => r.state === 'next')?.kid ?? null;
      logger.warn({ kid, current, next }, 'signing key revoked');
      changed();
      return { revoked: kid, current, next };
    },
    async maintain() {
      const now = clock();
      const { records } = await load(true);
      const removed: string[] = [];
      for (const record of records) {
        if (record.state === 'retired' && record.removeAfter !== null && record.removeAfter <= now) {
          if (await storage.keys.delete(record.kid)) removed.push(record.kid);
          for (const byKid of Object.values(signers)) byKid.delete(record.kid);
        }
      }
      const current = records.find((r) => r.state === 'current');
      const next = records.find((r) => r.state === 'next');
      let rotated = false;
      const due =
        current === undefined ||
        (current.activatedAt ?? current.createdAt) + config.keys.rotationInterval * 1000 <= now;
      // The next key must have been published long enough for guards' cached JWKS to hold it.
      const published = next === undefined || next.createdAt + config.keys.publishLead * 1000 <= now;
      if (due && published) {
        try {
          await promote(true);
          rotated = true;
        } catch (error) {
          if (!(error instanceof StorageConflictError)) throw error;
        }
      } else if (next === undefined) {
        await createNext();
      }
      if (removed.length > 0 || rotated) {
        await load(true);
        changed();
      }
      return { rotated, removed };
    },
    invalidate() {
      cache = undefined;
    },
  };
}
