/** base64url without padding (RFC 4648 §5) for the bytes WebCrypto hands back. */

/**
 * Encodes bytes as base64url without padding.
 *
 * @example
 * base64UrlEncode(new TextEncoder().encode('hi')); // 'aGk'
 */
export function base64UrlEncode(bytes: ArrayBuffer | Uint8Array): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let binary = '';
  for (const byte of view) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** base64url(JSON) of an object: a JWS header or payload segment. */
export function encodeJsonSegment(value: unknown): string {
  return base64UrlEncode(new TextEncoder().encode(JSON.stringify(value)));
}

/** base64url(SHA-256(ASCII(text))): the `ath` of RFC 9449 §4.2 and the RFC 7638 thumbprint. */
export async function sha256Base64Url(text: string): Promise<string> {
  return base64UrlEncode(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
}
