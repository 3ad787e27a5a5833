import { decodeJWT, isJoseError, type JWTClaims } from '@keycard/jwt';
import { type Command, EXIT } from '../framework/command.js';
import { formatDuration } from '../util/duration.js';
import { readToken } from '../util/read-token.js';

/** `keycard token decode`: shows header and claims, clearly NOT verified. */
export const tokenDecode: Command = {
  path: ['token', 'decode'],
  summary: 'Show a token’s header and claims (NOT verified)',
  usage: '[--json] [TOKEN]',
  details: [
    'Reads TOKEN from the argument or else from stdin. Strict parsing only: the signature and the',
    'claims are NOT checked; use `keycard token verify` for that. Exit 1 on a malformed token.',
    '',
    'Example:',
    '  keycard token sign --key k.jwk.json --sub alice | keycard token decode',
  ].join('\n'),
  options: {
    json: { type: 'boolean', description: 'Print {"verified":false,"header":...,"payload":...} as JSON' },
  },
  positionals: { max: 1 },
  async run(args, io) {
    const token = await readToken(args.positionals[0], io);
    let decoded: ReturnType<typeof decodeJWT>;
    try {
      decoded = decodeJWT(token);
    } catch (err) {
      if (!isJoseError(err)) throw err;
      io.stderr.write(`${err.code}: ${err.message}\n`);
      return EXIT.FAILURE;
    }
    if (args.values.json === true) {
      io.stdout.write(`${JSON.stringify({ verified: false, ...decoded }, null, 2)}\n`);
      return EXIT.OK;
    }
    const lines = [
      '!! NOT VERIFIED: decoded only. The signature, issuer, audience and expiry were NOT checked.',
      '',
      'Header:',
      indent(JSON.stringify(decoded.header, null, 2)),
      '',
      'Claims:',
      indent(JSON.stringify(decoded.payload, null, 2)),
    ];
    const times = timeLines(decoded.payload, io.now());
    if (times.length > 0) lines.push('', 'Times:', ...times);
    io.stdout.write(`${lines.join('\n')}\n`);
    return EXIT.OK;
  },
};

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}

/** iat/nbf/exp as ISO dates with a relative description. */
export function timeLines(payload: JWTClaims, nowMs: number): string[] {
  const out: string[] = [];
  for (const name of ['iat', 'nbf', 'exp'] as const) {
    const value = payload[name];
    if (typeof value !== 'number' || !Number.isFinite(value)) continue;
    const ms = value * 1000;
    const date = Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : 'out of range';
    const delta = ms - nowMs;
    const rel = formatDuration(delta);
    let text: string;
    if (name === 'exp') text = delta > 0 ? `expires in ${rel}` : `expired ${rel} ago`;
    else if (name === 'iat') text = delta > 0 ? `issued in the future (in ${rel})` : `issued ${rel} ago`;
    else text = delta > 0 ? `not valid for another ${rel}` : `valid since ${rel} ago`;
    out.push(`  ${name}  ${date}  (${text})`);
  }
  return out;
}
