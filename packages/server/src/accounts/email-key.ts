import { ServerError } from '../errors.js';

/** The longest address accepted (RFC 5321 §4.5.3.1: a path of 256 octets, less the brackets). */
export const MAX_EMAIL_LENGTH = 254;

/**
 * A plain `local@domain` address: the local part in RFC 5322 dot-atoms (no quoted strings, no
 * comments), the domain in letter-or-digit labels with at least one dot. Stricter than the RFCs on
 * purpose: an address typed into a sign-up form is never a list, a display name or a header, and
 * mail sent to it goes to exactly that mailbox.
 */
const LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN =
  /^(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u;

/**
 * Normalises (NFC, trimmed) and validates an address a person typed; returns it with its key (the
 * lower-cased address, unique per account). Throws ERR_VALIDATION naming the field, never the value.
 *
 * @example
 * ```ts
 * checkEmail(' Alice@Hotel.example '); // { email: 'Alice@Hotel.example', key: 'alice@hotel.example' }
 * ```
 */
export function checkEmail(raw: string, field = 'email'): { email: string; key: string } {
  const email = raw.normalize('NFC').trim();
  const at = email.lastIndexOf('@');
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  if (
    at <= 0 ||
    email.length > MAX_EMAIL_LENGTH ||
    local.length > 64 ||
    domain.length > 253 ||
    !LOCAL.test(local) ||
    !DOMAIN.test(domain)
  ) {
    throw new ServerError('ERR_VALIDATION', {
      message: `Invalid request: ${field}: must be an email address (name@example.com)`,
    });
  }
  return { email, key: emailKey(email) };
}

/**
 * The key an address is unique under and looked up by: NFC-normalised, trimmed and lower-cased, so
 * `Alice@Hotel.example` and `alice@hotel.example` are one mailbox. Never throws: a login that is
 * no address simply matches nobody.
 *
 * @example
 * ```ts
 * await storage.users.getByEmail(emailKey('Alice@Hotel.example'));
 * ```
 */
export function emailKey(raw: string): string {
  return raw.normalize('NFC').trim().toLowerCase();
}
