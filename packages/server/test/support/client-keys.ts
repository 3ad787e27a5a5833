import { generateKeyPairSync, type JsonWebKey } from 'node:crypto';

/** Public and private JWKs made with node:crypto, for client-registration tests. */
export function ecKeyPair(kid: string): { publicJwk: JsonWebKey; privateJwk: JsonWebKey } {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    publicJwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256' },
    privateJwk: { ...privateKey.export({ format: 'jwk' }), kid, alg: 'ES256' },
  };
}

export function rsaPublicJwk(kid: string, modulusLength = 2048, alg = 'RS256'): JsonWebKey {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength });
  return { ...publicKey.export({ format: 'jwk' }), kid, alg };
}

export function rsaPrivateJwk(kid: string): JsonWebKey {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256' };
}

export function ed25519PublicJwk(kid: string): JsonWebKey {
  const { publicKey } = generateKeyPairSync('ed25519');
  return { ...publicKey.export({ format: 'jwk' }), kid, alg: 'EdDSA' };
}
