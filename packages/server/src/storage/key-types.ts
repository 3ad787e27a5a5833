/** The signing keys' records (private keys only sealed). Re-exported by types.ts. */

export type KeyState = 'next' | 'current' | 'retired';

export interface SigningKeyRecord {
  kid: string;
  alg: string;
  state: KeyState;
  publicJwk: Record<string, unknown>;
  /** Private JWK sealed with the master key (AES-256-GCM), never plaintext. */
  privateSealed: string;
  createdAt: number;
  activatedAt: number | null; // became current
  retiredAt: number | null; // stopped signing
  /** Removed from the JWKS after this time (retiredAt + longest token lifetime + leeway + key-cache window). */
  removeAfter: number | null;
}

export interface KeyStore {
  create(key: SigningKeyRecord): Promise<void>;
  list(): Promise<SigningKeyRecord[]>;
  get(kid: string): Promise<SigningKeyRecord | undefined>;
  /**
   * Atomically: the current key becomes retired (with `removeAfter`), `nextKid` becomes
   * current. Fails with StorageConflictError if `expectedCurrentKid` is no longer current
   * (another instance rotated first).
   */
  promote(nextKid: string, expectedCurrentKid: string | null, at: number, removeAfter: number): Promise<void>;
  delete(kid: string): Promise<boolean>;
}
