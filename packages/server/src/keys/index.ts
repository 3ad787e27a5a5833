export { generateSigningKey, keySealContext, openSigningKey } from './generate-key.js';
export { createKeyManager, type KeyInfo, type KeyManager, type SignedTokenTyp } from './key-manager.js';
export { decodeMasterKey, loadOrCreateMasterKeyFile } from './master-key.js';
export { type RevokeSigningKeyDeps, revokeSigningKey } from './revoke-key.js';
