import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { importJWK, isJoseError, type JWTClaims, signJWT } from '@keycard/jwt';
import { CliError, type Command, EXIT, listOption, stringOption, UsageError } from '../framework/command.js';
import { parseDuration } from '../util/duration.js';

/** `keycard token sign`: signs claims with a private JWK; prints the token. */
export const tokenSign: Command = {
  path: ['token', 'sign'],
  summary: 'Sign a JWT with a private JWK (iat, exp and jti set)',
  usage:
    '--key PRIVATE.jwk.json [--claims JSON] [--sub S] [--aud A] [--iss I] [--scope "a b"] [--ttl 10m] [--typ T]',
  details: [
    'Claims: iat = now, exp = now + ttl and a random jti, then --claims, then the flags (later wins).',
    '',
    'Example:',
    '  keycard token sign --key ./keys/KID.private.jwk.json --sub alice --aud rooms --ttl 10m',
  ].join('\n'),
  options: {
    key: { type: 'string', valueName: 'FILE', description: 'Private JWK file (from keys generate)' },
    claims: { type: 'string', valueName: 'JSON', description: 'Claims as a JSON object' },
    sub: { type: 'string', valueName: 'S', description: 'Subject' },
    aud: { type: 'string', valueName: 'A', multiple: true, description: 'Audience' },
    iss: { type: 'string', valueName: 'I', description: 'Issuer' },
    scope: { type: 'string', valueName: 'SCOPES', description: 'Space-separated scopes' },
    ttl: { type: 'string', valueName: 'DURATION', description: 'Lifetime, e.g. 10m (default 10m)' },
    typ: { type: 'string', valueName: 'T', description: "Header typ (default 'at+jwt')" },
  },
  async run(args, io) {
    const keyPath = stringOption(args, 'key');
    if (keyPath === undefined) throw new UsageError('--key is required');
    const ttl = parseDuration(stringOption(args, 'ttl') ?? '10m', 'ttl');
    if (ttl < 1000) throw new UsageError('--ttl must be at least 1s');

    let extra: JWTClaims = {};
    const claimsText = stringOption(args, 'claims');
    if (claimsText !== undefined) {
      try {
        extra = JSON.parse(claimsText);
      } catch {
        throw new UsageError('--claims must be a JSON object');
      }
      if (typeof extra !== 'object' || extra === null || Array.isArray(extra)) {
        throw new UsageError('--claims must be a JSON object');
      }
    }

    const key = await readSigningKey(resolve(io.cwd, keyPath));
    const now = Math.floor(io.now() / 1000);
    const claims: JWTClaims = { iat: now, exp: now + Math.floor(ttl / 1000), jti: randomUUID(), ...extra };
    const sub = stringOption(args, 'sub');
    const iss = stringOption(args, 'iss');
    const scope = stringOption(args, 'scope');
    const aud = listOption(args, 'aud');
    if (sub !== undefined) claims.sub = sub;
    if (iss !== undefined) claims.iss = iss;
    if (scope !== undefined) claims.scope = scope;
    if (aud.length > 0) claims.aud = aud.length === 1 ? aud[0] : aud;
    try {
      io.stdout.write(`${signJWT(claims, key, { typ: stringOption(args, 'typ') ?? 'at+jwt' })}\n`);
    } catch (err) {
      if (isJoseError(err)) throw new UsageError(`${err.code}: ${err.message}`);
      throw err;
    }
    return EXIT.OK;
  },
};

async function readSigningKey(path: string) {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, EXIT.USAGE);
  }
  try {
    const key = importJWK(JSON.parse(text));
    if (key.type === 'public')
      throw new CliError(`${path} is a public key; signing needs the private JWK`, EXIT.USAGE);
    return key;
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`${path} is not a usable JWK${isJoseError(err) ? ` (${err.code})` : ''}`, EXIT.USAGE);
  }
}
