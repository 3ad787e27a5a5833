/**
 * Whether this page can use passkeys, and what a failed WebAuthn ceremony means. Browsers offer
 * WebAuthn only in a secure context (https, or http on localhost) and only for a relying party ID
 * that is a host name: a page opened at an IP address (http://127.0.0.1:4000) can never use one.
 */
import { browserSupportsWebAuthn, WebAuthnError } from '@simplewebauthn/browser';

/** Why passkeys are not offered here, or `usable`. */
export type PasskeySupport = 'usable' | 'insecure-context' | 'ip-address' | 'unsupported';

/** An IPv4 dotted quad or a bracketed IPv6 literal, as `location.hostname` spells them. */
export function isIpAddress(hostname: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(hostname) || hostname.startsWith('[') || hostname.includes(':');
}

/**
 * Whether passkeys work on this page, or why not.
 *
 * @example
 * if (passkeySupport() === 'usable') showPasskeyButton();
 */
export function passkeySupport(
  page: { hostname: string; secure: boolean } = {
    hostname: window.location.hostname,
    secure: window.isSecureContext,
  },
): PasskeySupport {
  if (isIpAddress(page.hostname)) return 'ip-address';
  if (!page.secure) return 'insecure-context';
  return browserSupportsWebAuthn() ? 'usable' : 'unsupported';
}

/**
 * One sentence on why passkeys are not offered (for a page where {@link passkeySupport} says so).
 *
 * @example
 * passkeyUnavailableWords('ip-address', 'http://127.0.0.1:4000');
 */
export function passkeyUnavailableWords(support: Exclude<PasskeySupport, 'usable'>, origin: string): string {
  if (support === 'ip-address')
    return `Passkeys need a host name: browsers refuse them on an IP address (${origin}). Open this page at its host name (for the demo, http://localhost) to use one.`;
  if (support === 'insecure-context') return 'Passkeys need a secure page (https).';
  return 'This browser does not support passkeys.';
}

/**
 * True when the person closed the passkey prompt or another ceremony replaced this one: nothing
 * to report, they can simply try again.
 */
export function passkeyCancelled(err: unknown): boolean {
  if (err instanceof WebAuthnError) {
    if (err.code === 'ERROR_CEREMONY_ABORTED') return true;
    return err.cause instanceof Error && err.cause.name === 'NotAllowedError';
  }
  return err instanceof Error && (err.name === 'NotAllowedError' || err.name === 'AbortError');
}
