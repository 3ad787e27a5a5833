import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomToken } from '../crypto/index.js';
import { ServerError } from '../errors.js';

const PATTERN = /^[A-Za-z0-9_-]{43}$/;

/**
 * Decodes a base64url master key (32 bytes).
 *
 * @example
 * ```ts
 * const key = decodeMasterKey(process.env.KEYCARD_MASTER_KEY!);
 * ```
 */
export function decodeMasterKey(encoded: string): Buffer {
  const trimmed = encoded.trim();
  const key = PATTERN.test(trimmed) ? Buffer.from(trimmed, 'base64url') : Buffer.alloc(0);
  if (key.length !== 32) {
    throw new ServerError('ERR_MASTER_KEY_INVALID', {
      message: 'The master key must be 32 bytes in base64url',
    });
  }
  return key;
}

/**
 * Reads `{dataDir}/master.key`, generating it (mode 0600) on first use. `onGenerate` is called
 * so the caller can warn loudly: losing this file makes every stored signing key unreadable.
 *
 * @example
 * ```ts
 * const key = loadOrCreateMasterKeyFile('.keycard', (path) => log.warn(`generated ${path}`));
 * ```
 */
export function loadOrCreateMasterKeyFile(dataDir: string, onGenerate: (path: string) => void): Buffer {
  const path = join(dataDir, 'master.key');
  if (existsSync(path)) {
    const mode = statSync(path).mode & 0o777;
    // Tighten permissions that were loosened by hand (best effort; Windows ignores it).
    if ((mode & 0o077) !== 0) chmodSync(path, 0o600);
    return decodeMasterKey(readFileSync(path, 'utf8'));
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const encoded = randomToken(32);
  writeFileSync(path, `${encoded}\n`, { mode: 0o600, flag: 'wx' });
  onGenerate(path);
  return decodeMasterKey(encoded);
}
