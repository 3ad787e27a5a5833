// A software authenticator: makes real ES256 passkeys with node:crypto and answers WebAuthn
// ceremonies the way a browser and a platform authenticator together would (clientDataJSON,
// authenticator data, a 'none' attestation in CBOR, DER signatures), so passkey flows can be
// tested end to end without a browser. Overrides let a test play a wrong origin, a wrong RP ID, a
// replayed challenge, a missing user verification or a cloned key.
import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';

/** A credential the authenticator holds. */
export interface SoftCredential {
  id: string;
  rpId: string;
  /** base64url, as the options gave it. */
  userHandle: string;
  privateKey: KeyObject;
  counter: number;
}

/** What a test may change in one ceremony. */
export interface CeremonyOverrides {
  /** `clientDataJSON.origin` (default: the authenticator's origin). */
  origin?: string;
  /** The RP ID hashed into the authenticator data (default: the options' RP ID). */
  rpId?: string;
  /** `clientDataJSON.challenge` (default: the options' challenge). */
  challenge?: string;
  /** `clientDataJSON.type` (default `webauthn.create` / `webauthn.get`). */
  type?: string;
  /** User verified flag (default: the authenticator's `userVerification`). */
  uv?: boolean;
  /** User present flag (default true). */
  up?: boolean;
  /** `clientDataJSON.crossOrigin` (default false). */
  crossOrigin?: boolean;
}

export interface SoftAuthenticatorOptions {
  /** The origin the browser reports. */
  origin: string;
  /** Whether the authenticator verifies its user (PIN, biometric); default true. */
  userVerification?: boolean;
  /** Backup eligible and backed up (a synced passkey); default false. */
  backedUp?: boolean;
  /** Counter increase per assertion; 0 plays an authenticator without a counter. Default 1. */
  counterStep?: number;
  /** Transports reported at registration. */
  transports?: string[];
}

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_BE = 0x08;
const FLAG_BS = 0x10;
const FLAG_AT = 0x40;
/** An all-zero AAGUID, as a 'none' attestation may carry. */
const AAGUID = Buffer.alloc(16);

export class SoftwareAuthenticator {
  readonly credentials = new Map<string, SoftCredential>();
  readonly #opts: Required<SoftAuthenticatorOptions>;

  constructor(opts: SoftAuthenticatorOptions) {
    this.#opts = {
      userVerification: true,
      backedUp: false,
      counterStep: 1,
      transports: ['internal'],
      ...opts,
    };
  }

  /** Answers `navigator.credentials.create(options)`: a new ES256 credential for the options' RP and user. */
  create(
    options: PublicKeyCredentialCreationOptionsJSON,
    o: CeremonyOverrides = {},
  ): RegistrationResponseJSON {
    const rpId = options.rp.id ?? new URL(this.#opts.origin).hostname;
    for (const excluded of options.excludeCredentials ?? []) {
      if (this.credentials.get(excluded.id)?.rpId === rpId)
        throw new Error('InvalidStateError: already registered');
    }
    if (!options.pubKeyCredParams.some((p) => p.alg === -7))
      throw new Error('NotSupportedError: ES256 not offered');
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const credentialId = randomBytes(16);
    const id = credentialId.toString('base64url');
    this.credentials.set(id, { id, rpId, userHandle: options.user.id, privateKey, counter: 0 });
    const jwk = publicKey.export({ format: 'jwk' });
    const coseKey = cbor(
      new Map<CborValue, CborValue>([
        [1, 2], // kty: EC2
        [3, -7], // alg: ES256
        [-1, 1], // crv: P-256
        [-2, Buffer.from(jwk.x!, 'base64url')],
        [-3, Buffer.from(jwk.y!, 'base64url')],
      ]),
    );
    const length = Buffer.alloc(2);
    length.writeUInt16BE(credentialId.length);
    const authData = Buffer.concat([
      this.#authDataHead(o.rpId ?? rpId, o, 0, FLAG_AT),
      AAGUID,
      length,
      credentialId,
      coseKey,
    ]);
    const attestationObject = cbor(
      new Map<CborValue, CborValue>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]),
    );
    return {
      id,
      rawId: id,
      type: 'public-key',
      clientExtensionResults: {},
      response: {
        clientDataJSON: this.#clientData('webauthn.create', options.challenge, o),
        attestationObject: attestationObject.toString('base64url'),
        transports: [...this.#opts.transports],
      },
    };
  }

  /**
   * Answers `navigator.credentials.get(options)` with the first allowed credential it holds (or,
   * with no allow list, its first for the RP ID). `counter` forces the signature counter (a clone
   * that missed the original's uses); `credentialId` picks one; `userHandle` replaces it.
   */
  get(
    options: PublicKeyCredentialRequestOptionsJSON,
    o: CeremonyOverrides & { counter?: number; credentialId?: string; userHandle?: string } = {},
  ): AuthenticationResponseJSON {
    const rpId = options.rpId ?? new URL(this.#opts.origin).hostname;
    const allowed = options.allowCredentials?.map((c) => c.id);
    const credential =
      o.credentialId !== undefined
        ? this.credentials.get(o.credentialId)
        : [...this.credentials.values()].find(
            (c) =>
              c.rpId === rpId && (allowed === undefined || allowed.length === 0 || allowed.includes(c.id)),
          );
    if (credential === undefined) throw new Error('NotAllowedError: no credential for this request');
    credential.counter = o.counter ?? credential.counter + this.#opts.counterStep;
    const authData = this.#authDataHead(o.rpId ?? rpId, o, credential.counter, 0);
    const clientDataJSON = this.#clientData('webauthn.get', options.challenge, o);
    const clientDataHash = createHash('sha256').update(Buffer.from(clientDataJSON, 'base64url')).digest();
    const signature = sign('sha256', Buffer.concat([authData, clientDataHash]), credential.privateKey);
    return {
      id: credential.id,
      rawId: credential.id,
      type: 'public-key',
      clientExtensionResults: {},
      response: {
        clientDataJSON,
        authenticatorData: authData.toString('base64url'),
        signature: signature.toString('base64url'),
        userHandle: o.userHandle ?? credential.userHandle,
      },
    };
  }

  #authDataHead(rpId: string, o: CeremonyOverrides, counter: number, extraFlags: number): Buffer {
    let flags = extraFlags;
    if (o.up ?? true) flags |= FLAG_UP;
    if (o.uv ?? this.#opts.userVerification) flags |= FLAG_UV;
    if (this.#opts.backedUp) flags |= FLAG_BE | FLAG_BS;
    const count = Buffer.alloc(4);
    count.writeUInt32BE(counter);
    return Buffer.concat([createHash('sha256').update(rpId, 'utf8').digest(), Buffer.from([flags]), count]);
  }

  #clientData(type: string, challenge: string, o: CeremonyOverrides): string {
    const data = {
      type: o.type ?? type,
      challenge: o.challenge ?? challenge,
      origin: o.origin ?? this.#opts.origin,
      crossOrigin: o.crossOrigin ?? false,
    };
    return Buffer.from(JSON.stringify(data), 'utf8').toString('base64url');
  }
}

/** The CBOR this needs: integers, text, bytes and maps (RFC 8949 §3). */
export type CborValue = number | string | Uint8Array | Map<CborValue, CborValue>;

function head(major: number, n: number): Buffer {
  if (n < 24) return Buffer.from([(major << 5) | n]);
  if (n < 0x100) return Buffer.from([(major << 5) | 24, n]);
  if (n < 0x10000) {
    const b = Buffer.alloc(3);
    b[0] = (major << 5) | 25;
    b.writeUInt16BE(n, 1);
    return b;
  }
  const b = Buffer.alloc(5);
  b[0] = (major << 5) | 26;
  b.writeUInt32BE(n, 1);
  return b;
}

/** Encodes `value` as CBOR. */
export function cbor(value: CborValue): Buffer {
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([head(3, bytes.length), bytes]);
  }
  if (value instanceof Uint8Array) return Buffer.concat([head(2, value.length), value]);
  const parts = [head(5, value.size)];
  for (const [k, v] of value) parts.push(cbor(k), cbor(v));
  return Buffer.concat(parts);
}
