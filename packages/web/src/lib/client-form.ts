/** Reading the admin console's client form: URI lists and a pasted JWK Set. */

/**
 * Splits a field of URIs (one per line, or separated by spaces) into a list; commas stay in the
 * URIs, where a query may hold them.
 *
 * @example
 * splitUris('https://a.example/cb\n http://127.0.0.1/cb'); // ['https://a.example/cb', 'http://127.0.0.1/cb']
 */
export function splitUris(text: string): string[] {
  return [...new Set(text.split(/\s+/).filter((s) => s !== ''))];
}

/** A pasted JWK Set, or why it cannot be sent; empty text is no keys. */
export type ParsedJwks =
  | { ok: true; jwks: { keys: Record<string, unknown>[] } | undefined }
  | { ok: false; message: string };

/**
 * Parses pasted public keys: a JWK Set (`{"keys": [...]}`) or one JWK, sent as a set of one. Only
 * the JSON is checked here; the server checks the keys and names what is wrong.
 *
 * @example
 * parseJwks('{"kty":"EC","crv":"P-256","x":"…","y":"…","kid":"k1","alg":"ES256"}'); // { ok: true, jwks: { keys: [...] } }
 */
export function parseJwks(text: string): ParsedJwks {
  if (text.trim() === '') return { ok: true, jwks: undefined };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return {
      ok: false,
      message: 'Public keys: not valid JSON. Paste a JWK Set ({"keys": [...]}) or one JWK.',
    };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { ok: false, message: 'Public keys: paste a JWK Set ({"keys": [...]}) or one JWK.' };
  if ('kty' in value) return { ok: true, jwks: { keys: [value as Record<string, unknown>] } };
  return { ok: true, jwks: value as { keys: Record<string, unknown>[] } };
}
