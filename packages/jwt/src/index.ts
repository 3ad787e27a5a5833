export { JWS_ALGORITHMS } from './algorithms.js';
export { accessTokenHash } from './dpop/access-token-hash.js';
export { type CreateDpopProofInput, createDpopProof } from './dpop/create-proof.js';
export { normalizeHtu } from './dpop/normalize-htu.js';
export { DpopReplayCache, type DpopReplayCacheOptions } from './dpop/replay-cache.js';
export {
  type DpopProofClaims,
  type VerifiedDpopProof,
  type VerifyDpopProofOptions,
  verifyDpopProof,
} from './dpop/verify-proof.js';
export {
  DpopNonceRequired,
  DpopProofInvalid,
  DpopProofReplayed,
  isJoseError,
  JOSE_ERRORS,
  JoseError,
  type JoseErrorCode,
  type JoseErrorInit,
  JoseInvalidOptions,
  JoseNotSupported,
  JWKInvalid,
  JWKSInvalid,
  JWKSNoMatchingKey,
  JWSAlgNotAllowed,
  JWSInvalid,
  JWSSignatureInvalid,
  JWTClaimInvalid,
  JWTExpired,
  JWTInvalid,
  JWTNotYetValid,
} from './errors.js';
export { type DecodeOptions, decodeJWT } from './jws/decode.js';
export { createSigner, type SignJWTOptions, type SignOptions, signJWT } from './jws/sign.js';
export { createVerifier, type Verifier, type VerifierOptions, type VerifyResult } from './jws/verify.js';
export { type VerifyJWSOptions, verifyJWS } from './jws/verify-jws.js';
export {
  type GenerateKeyPairOptions,
  type GenerateSecretOptions,
  generateKeyPair,
  generateSecret,
} from './keys/generate.js';
export { type ImportedKeyTypes, type ImportJWKOptions, importJWK } from './keys/import-jwk.js';
export { type ImportPEMOptions, importPEM } from './keys/import-pem.js';
export { PrivateKey, PublicKey, SecretKey, type SigningKey, type VerificationKey } from './keys/key.js';
export { describeSkippedKeys, KeySet, type KeySetOptions, type SkippedKey } from './keys/key-set.js';
export { calculateThumbprint } from './keys/thumbprint.js';
export type {
  AsymmetricAlgorithm,
  HmacAlgorithm,
  JWK,
  JWKS,
  JWSAlgorithm,
  JWSHeader,
  JWTClaims,
} from './types.js';
