import { ServerError } from '../errors.js';

/**
 * What every passkey ceremony shares: who the relying party is, which key algorithms it takes,
 * and how a keycard user id becomes a WebAuthn user handle.
 */

/** The relying party of every ceremony. */
export interface RelyingParty {
  /** The issuer's host name: passkeys are scoped to it. */
  rpID: string;
  /** What the authenticator shows (`mfa.rpName`). */
  rpName: string;
  /** Origins the browser may report: the issuer's only, where the sign-in and account pages are served. */
  origins: string[];
}

/**
 * The relying party of a server at `issuer`. Only the issuer's origin is accepted: keycard serves
 * its sign-in and account pages from the issuer itself, and an app on a `cors.origins` origin is
 * another site whose pages must not be able to use the issuer's passkeys. Browsers refuse an IP
 * address as RP ID, so passkeys need the issuer to have a host name (`localhost` works).
 *
 * @example
 * ```ts
 * rpFromIssuer('https://id.example.com/auth', 'keycard');
 * // { rpID: 'id.example.com', rpName: 'keycard', origins: ['https://id.example.com'] }
 * ```
 */
export function rpFromIssuer(issuer: string, rpName: string): RelyingParty {
  const url = new URL(issuer);
  return { rpID: url.hostname, rpName, origins: [url.origin] };
}

/**
 * Key algorithms offered and accepted (COSE ids): EdDSA, ES256, RS256 — what authenticators
 * make. Fixed here so the options and the verification can never disagree.
 */
export const SUPPORTED_ALGORITHMS: readonly number[] = [-8, -7, -257];

/** Transports WebAuthn defines; anything else a client sends is dropped. */
const TRANSPORTS = new Set(['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb']);

/**
 * The known transports among `values`, each once, in their order: what a browser reported is
 * stored and handed back as a hint, so only WebAuthn's own names are kept.
 *
 * @example
 * ```ts
 * knownTransports(['usb', 'usb', 'carrier-pigeon']); // ['usb']
 * ```
 */
export function knownTransports(values: readonly unknown[] | undefined): string[] {
  const out: string[] = [];
  for (const value of values ?? []) {
    if (typeof value === 'string' && TRANSPORTS.has(value) && !out.includes(value)) out.push(value);
  }
  return out;
}

/**
 * The WebAuthn user handle of a keycard user: the UTF-8 bytes of the (random, opaque) user id, so
 * the authenticator stores no name or address in it. base64url, as responses carry it.
 *
 * @example
 * ```ts
 * if (response.response.userHandle !== userHandleOf(passkey.userId)) refuse();
 * ```
 */
export function userHandleOf(userId: string): string {
  return Buffer.from(userId, 'utf8').toString('base64url');
}

/** Bytes of base64url text, in the array type the WebAuthn library takes. */
export function bytesOf(base64url: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.from(base64url, 'base64url'));
}

/** Every ceremony failure, whatever its reason: ERR_PASSKEY_INVALID, the reason only in `cause`. */
export function passkeyInvalid(cause: unknown): ServerError {
  if (cause instanceof ServerError && cause.code === 'ERR_PASSKEY_INVALID') return cause;
  return new ServerError('ERR_PASSKEY_INVALID', { cause });
}
