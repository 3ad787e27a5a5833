/** How the client commands show a client: its credentials in words, its keys by kid. */
import type { publicClient } from '@keycard/server';

/** A client as the CLI prints it: no secret hash, public keys only. */
export type ShownClient = ReturnType<typeof publicClient>;

/**
 * How a client authenticates: `none` (public), `secret`, `private_key_jwt`, or both.
 *
 * @example
 * ```ts
 * credentialsOf(publicClient(record)); // 'secret+private_key_jwt'
 * ```
 */
export function credentialsOf(client: ShownClient): string {
  const methods = [
    ...(client.hasSecret ? ['secret'] : []),
    ...(client.jwks !== null ? ['private_key_jwt'] : []),
  ];
  return methods.length === 0 ? 'none' : methods.join('+');
}

/** One line per registered key: `kid (kty crv, alg)`. */
export function describeKeys(client: ShownClient): string[] {
  return (client.jwks?.keys ?? []).map(
    (k) => `${k.kid} (${[k.kty, k.crv].filter(Boolean).join(' ')}, ${k.alg})`,
  );
}
