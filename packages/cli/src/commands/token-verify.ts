import { createVerifier, describeSkippedKeys, isJoseError, type JWSAlgorithm, KeySet } from '@keycard/jwt';
import { CliError, type Command, EXIT, listOption, stringOption, UsageError } from '../framework/command.js';
import { parseAlgorithm } from '../util/algorithms.js';
import { parseDuration } from '../util/duration.js';
import { JWKS_TIMEOUT_MS, loadJWKS } from '../util/load-jwks.js';
import { readToken } from '../util/read-token.js';

/** `keycard token verify`: verifies a token against a JWKS file or URL. */
export const tokenVerify: Command = {
  path: ['token', 'verify'],
  summary: 'Verify a token against a JWK Set (file or URL)',
  usage: '--jwks FILE_OR_URL [--iss I] [--aud A] [--alg A,B] [--typ T] [--leeway 30s] [TOKEN]',
  details: [
    'TOKEN comes from the argument or else from stdin (surrounding whitespace is trimmed).',
    'Without --alg each key’s own alg decides; without --typ the typ is not checked.',
    'A URL is fetched once (timeout --timeout, default 5s; at most 1 MiB).',
    '',
    'Exit codes: 0 valid (claims as JSON on stdout), 1 invalid token (error code on stderr),',
    '2 usage or I/O error.',
    '',
    'Example:',
    '  keycard token verify --jwks http://127.0.0.1:4000/.well-known/jwks.json --aud rooms "$TOKEN"',
  ].join('\n'),
  options: {
    jwks: { type: 'string', valueName: 'FILE_OR_URL', description: 'JWK Set file or http(s) URL' },
    iss: { type: 'string', valueName: 'I', multiple: true, description: 'Accepted issuer' },
    aud: { type: 'string', valueName: 'A', multiple: true, description: 'Accepted audience' },
    alg: { type: 'string', valueName: 'A,B', description: 'Allowed algorithms (comma-separated)' },
    typ: { type: 'string', valueName: 'T', description: "Required header typ, e.g. 'at+jwt'" },
    leeway: {
      type: 'string',
      valueName: 'DURATION',
      description: 'Clock tolerance (default 0s, at most 300s)',
    },
    timeout: { type: 'string', valueName: 'DURATION', description: 'JWKS fetch timeout (default 5s)' },
  },
  positionals: { max: 1 },
  async run(args, io) {
    const source = stringOption(args, 'jwks');
    if (source === undefined) throw new UsageError('--jwks is required');
    const algText = stringOption(args, 'alg');
    const algorithms: JWSAlgorithm[] | undefined = algText?.split(',').map((a) => parseAlgorithm(a.trim()));
    const leeway = parseDuration(stringOption(args, 'leeway') ?? '0s', 'leeway') / 1000;
    if (leeway > 300) throw new UsageError('--leeway must be at most 300s');
    const timeoutText = stringOption(args, 'timeout');
    const timeoutMs = timeoutText === undefined ? JWKS_TIMEOUT_MS : parseDuration(timeoutText, 'timeout');
    const typ = stringOption(args, 'typ');
    const issuers = listOption(args, 'iss');
    const audiences = listOption(args, 'aud');

    // Read the token first: a usage error (TTY stdin) should not wait for the network.
    const token = await readToken(args.positionals[0], io);
    const jwks = await loadJWKS(source, { cwd: io.cwd, timeoutMs });

    let verifier: ReturnType<typeof createVerifier>;
    let keys: KeySet;
    try {
      keys = KeySet.from(jwks, algorithms === undefined ? {} : { algorithms });
      if (keys.keys.length === 0) {
        const why = keys.skipped.length === 0 ? 'it has no keys' : describeSkippedKeys(keys.skipped);
        throw new CliError(`the JWKS has no usable signing key (${why})`, EXIT.USAGE);
      }
      verifier = createVerifier({
        keys,
        ...(algorithms === undefined ? {} : { algorithms }),
        ...(issuers.length > 0 ? { issuer: issuers } : {}),
        ...(audiences.length > 0 ? { audience: audiences } : {}),
        ...(typ === undefined ? {} : { typ }),
        leewaySeconds: leeway,
        clock: io.now,
      });
    } catch (err) {
      if (isJoseError(err)) throw new CliError(`${err.code}: ${err.message}`, EXIT.USAGE);
      throw err;
    }

    try {
      const { payload } = verifier.verify(token);
      io.stdout.write(`${JSON.stringify(payload, null, 2)}\n`);
      return EXIT.OK;
    } catch (err) {
      if (!isJoseError(err)) throw err;
      const detail = err.claim === undefined ? '' : ` (claim: ${err.claim})`;
      io.stderr.write(`${err.code}: ${err.message}${detail}\n`);
      if (err.code === 'ERR_JWKS_NO_MATCHING_KEY' && keys.skipped.length > 0) {
        // The token's key may be one the JWKS has but we could not use: say which and why.
        const same = keys.skipped.filter((entry) => err.kid !== undefined && entry.kid === err.kid);
        io.stderr.write(`${describeSkippedKeys(same.length > 0 ? same : keys.skipped)}\n`);
      }
      return EXIT.FAILURE;
    }
  },
};
