import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { ServerError } from '../errors.js';

const VERSION = 'v1';
const IV_BYTES = 12;
/** AES-GCM tag length (bytes) sealed and required. */
const TAG_BYTES = 16;

/** Encrypts and decrypts small secrets at rest under the 32-byte master key (AES-256-GCM). */
export interface Sealer {
  /** `context` is bound as associated data: a value sealed for one purpose cannot be opened for another. */
  seal(plaintext: string, context: string): string;
  open(sealed: string, context: string): string;
  /**
   * A keyed fingerprint (HMAC-SHA256 under the master key, hex, first 12 characters): lets an
   * admin see that two values were equal without the value itself (e.g. typed usernames).
   */
  fingerprint(value: string, context: string): string;
  /**
   * HMAC-SHA256 of `value` (32 bytes) under a key derived from the master key with HKDF-SHA256,
   * `info` naming the purpose (e.g. "keycard refresh-token mac v1"): one key per purpose, never
   * the sealing key itself.
   */
  mac(value: string, info: string): Buffer;
}

/**
 * The length of a sealed value (`v1.{iv}.{ciphertext}.{tag}`, base64url) whose plaintext is
 * `plaintextBytes` bytes of UTF-8: GCM adds no padding, so it is exact.
 *
 * @example
 * ```ts
 * sealedLength(Buffer.byteLength(json)); // what sealer.seal(json, context).length will be
 * ```
 */
export function sealedLength(plaintextBytes: number): number {
  const base64url = (bytes: number) => Math.ceil((bytes * 4) / 3);
  return VERSION.length + 1 + base64url(IV_BYTES) + 1 + base64url(plaintextBytes) + 1 + base64url(TAG_BYTES);
}

/** Whether `text` is the one base64url spelling of its bytes (of `bytes` length when given). */
function canonical(text: string, bytes?: number): boolean {
  const decoded = Buffer.from(text, 'base64url');
  if (bytes !== undefined && decoded.length !== bytes) return false;
  return decoded.toString('base64url') === text;
}

/**
 * A {@link Sealer} over a 32-byte master key.
 *
 * @example
 * ```ts
 * const sealer = createSealer(masterKey);
 * const box = sealer.seal(JSON.stringify(privateJwk), `signing-key:${kid}`);
 * ```
 */
export function createSealer(masterKey: Buffer): Sealer {
  if (masterKey.length !== 32) throw new ServerError('ERR_MASTER_KEY_INVALID');
  const key = Buffer.from(masterKey);
  const derived = new Map<string, Buffer>();
  const macKey = (info: string) => {
    let k = derived.get(info);
    if (k === undefined) {
      k = Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), Buffer.from(info, 'utf8'), 32));
      derived.set(info, k);
    }
    return k;
  };
  return {
    seal(plaintext, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [VERSION, iv.toString('base64url'), body.toString('base64url'), tag.toString('base64url')].join(
        '.',
      );
    },
    fingerprint(value, context) {
      return createHmac('sha256', key)
        .update(`fingerprint:${context}\0${value}`, 'utf8')
        .digest('hex')
        .slice(0, 12);
    },
    mac(value, info) {
      return createHmac('sha256', macKey(info)).update(value, 'utf8').digest();
    },
    open(sealed, context) {
      // Exactly one spelling opens: four parts, each canonical base64url (no padding, no spare
      // bits set, nothing after the tag), so a caller keying single use on the text is not fooled
      // by `token=`, `token.x` or a twin last character.
      const parts = sealed.split('.');
      const [version, iv, body, tag] = parts;
      if (
        parts.length !== 4 ||
        version !== VERSION ||
        iv === undefined ||
        body === undefined ||
        tag === undefined ||
        !canonical(iv, IV_BYTES) ||
        !canonical(tag, TAG_BYTES) ||
        !canonical(body)
      ) {
        throw new ServerError('ERR_MASTER_KEY_INVALID', { message: 'A sealed value is malformed' });
      }
      try {
        // The full 16-byte tag only: GCM also checks a 4-byte prefix of it, which a value handed
        // back by a browser (an interaction, a sign-out link) could match by trying 2^32 tags.
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), {
          authTagLength: TAG_BYTES,
        });
        decipher.setAAD(Buffer.from(context, 'utf8'));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
          'utf8',
        );
      } catch (cause) {
        // Wrong master key or tampered data: both look the same from here.
        throw new ServerError('ERR_MASTER_KEY_INVALID', {
          message: 'A sealed value could not be opened with the master key',
          cause,
        });
      }
    },
  };
}
