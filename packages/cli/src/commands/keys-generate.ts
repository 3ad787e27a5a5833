import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  type AsymmetricAlgorithm,
  generateKeyPair,
  generateSecret,
  type HmacAlgorithm,
  type JWK,
  type JWSAlgorithm,
  KeySet,
} from '@keycard/jwt';
import { CliError, type Command, EXIT, stringOption, UsageError } from '../framework/command.js';
import { parseAlgorithm } from '../util/algorithms.js';

const SAFE_KID = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

/** `keycard keys generate`: a new signing key as a private JWK (0600) plus a public JWK Set. */
export const keysGenerate: Command = {
  path: ['keys', 'generate'],
  summary: 'Generate a signing key: private JWK (mode 0600) and public JWK Set',
  usage: '[--alg ALG] [--kid ID] [--out DIR]',
  details: [
    'Writes DIR/<kid>.private.jwk.json (mode 0600, never overwritten) and adds the public key to',
    'DIR/jwks.json (created when missing). HS256/384/512 secrets get no public set.',
    '',
    'Example:',
    '  keycard keys generate --alg ES256 --out ./keys',
  ].join('\n'),
  options: {
    alg: {
      type: 'string',
      valueName: 'ALG',
      description: 'EdDSA, ES256 (default), ES384, ES512, RS*/PS*, HS*',
    },
    kid: { type: 'string', valueName: 'ID', description: 'Key id (default: RFC 7638 thumbprint)' },
    out: { type: 'string', valueName: 'DIR', description: 'Output directory (default: current directory)' },
  },
  async run(args, io) {
    const alg: JWSAlgorithm = parseAlgorithm(stringOption(args, 'alg') ?? 'ES256');
    const kid = stringOption(args, 'kid');
    if (kid !== undefined && !SAFE_KID.test(kid)) {
      throw new UsageError('--kid may use letters, digits, . _ - (it names the key file)');
    }
    const dir = resolve(io.cwd, stringOption(args, 'out') ?? '.');
    const opts = kid === undefined ? {} : { kid };
    const key = alg.startsWith('HS')
      ? generateSecret(alg as HmacAlgorithm, opts)
      : await generateKeyPair(alg as AsymmetricAlgorithm, opts);

    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const privatePath = join(dir, `${key.kid}.private.jwk.json`);
      await writeFile(privatePath, `${JSON.stringify(key.toJWK(), null, 2)}\n`, { mode: 0o600, flag: 'wx' });
      await chmod(privatePath, 0o600); // whatever the umask
      io.stdout.write(
        `Generated ${alg} key ${key.kid}\n  private key: ${privatePath} (mode 0600, keep it secret)\n`,
      );
      if (key.type === 'private') {
        const jwksPath = join(dir, 'jwks.json');
        const jwks = await addToSet(jwksPath, key.publicKey.toJWK());
        await writeFile(jwksPath, `${JSON.stringify(jwks, null, 2)}\n`);
        io.stdout.write(
          `  public JWKS: ${jwksPath} (${jwks.keys.length} key${jwks.keys.length === 1 ? '' : 's'})\n`,
        );
      } else {
        io.stdout.write('  (an HMAC secret has no public part: share it only with verifiers you trust)\n');
      }
    } catch (err) {
      if (err instanceof CliError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST')
        throw new CliError(`a key file for kid ${key.kid} already exists in ${dir}`, EXIT.USAGE);
      throw new CliError(`cannot write to ${dir}: ${code ?? (err as Error).message}`, EXIT.USAGE);
    }
    return EXIT.OK;
  },
};

/** The existing jwks.json (checked) with the new key appended, or a new set. */
async function addToSet(path: string, jwk: JWK): Promise<{ keys: JWK[] }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return { keys: [jwk] };
  }
  let existing: { keys: JWK[] };
  try {
    existing = JSON.parse(text);
    KeySet.from(existing);
  } catch {
    throw new CliError(`${path} exists but is not a valid JWK Set; not touching it`, EXIT.USAGE);
  }
  if (existing.keys.some((k) => k.kid === jwk.kid))
    throw new CliError(`${path} already has kid ${jwk.kid}`, EXIT.USAGE);
  return { keys: [...existing.keys, jwk] };
}
