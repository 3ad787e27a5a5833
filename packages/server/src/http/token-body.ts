import { ServerError } from '../errors.js';

/** The parameters `POST /oauth/token` reads, each checked for type and length. */
// A type (not an interface) so that it passes where a Record<string, unknown> is read.
export type TokenBody = {
  grant_type: string;
  username?: string;
  password?: string;
  refresh_token?: string;
  code?: string;
  redirect_uri?: string;
  code_verifier?: string;
  scope?: string;
  /** RFC 8693 §2.1: may be repeated. */
  audience?: string | string[];
  /** RFC 8707 §2: may be repeated. */
  resource?: string | string[];
  subject_token?: string;
  subject_token_type?: string;
  requested_token_type?: string;
  client_id?: string;
  client_secret?: string;
  client_assertion_type?: string;
  client_assertion?: string;
};

type StringField = Exclude<keyof TokenBody, 'audience' | 'resource'>;

/** Longest value of each single-valued parameter. */
const STRING_FIELDS: ReadonlyArray<readonly [StringField, number]> = [
  ['grant_type', 200],
  ['username', 1024],
  ['password', 4096],
  ['refresh_token', 1024],
  ['code', 1024],
  ['redirect_uri', 2048],
  ['code_verifier', 1024],
  ['scope', 4096],
  ['subject_token', 8192],
  ['subject_token_type', 200],
  ['requested_token_type', 200],
  ['client_id', 200],
  ['client_secret', 1024],
  ['client_assertion_type', 200],
  ['client_assertion', 16_384],
];
const TARGET_FIELDS = ['audience', 'resource'] as const;
const TARGET_MAX = 2048;
const TARGETS_MAX = 20;

const tooLong = (name: string, max: number) =>
  `${name}: Too big: expected string to have <=${max} characters`;

/**
 * Validates a token request's body (a parsed form: the route takes no other encoding): each known parameter a string within
 * its length limit (`audience` and `resource` may also be lists of up to 20), `grant_type`
 * required, anything else dropped. A check by hand rather than a schema library: this runs on
 * every token request. ERR_VALIDATION names each bad field but never echoes a value.
 *
 * @example
 * ```ts
 * const body = parseTokenBody(request.body); // { grant_type: 'client_credentials', scope: 'rooms:read' }
 * ```
 */
export function parseTokenBody(value: unknown): TokenBody {
  const body = value ?? {};
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new ServerError('ERR_VALIDATION', { message: 'Invalid request: body: expected object' });
  }
  const source = body as Record<string, unknown>;
  const out: Record<string, string | string[]> = {};
  const issues: string[] = [];
  for (const [name, max] of STRING_FIELDS) {
    const v = Object.hasOwn(source, name) ? source[name] : undefined;
    if (v === undefined) {
      if (name === 'grant_type') issues.push('grant_type: expected string');
    } else if (typeof v !== 'string') issues.push(`${name}: expected string`);
    else if (v.length > max) issues.push(tooLong(name, max));
    else out[name] = v;
  }
  for (const name of TARGET_FIELDS) {
    const v = Object.hasOwn(source, name) ? source[name] : undefined;
    if (v === undefined) continue;
    if (typeof v === 'string') {
      if (v.length > TARGET_MAX) issues.push(tooLong(name, TARGET_MAX));
      else out[name] = v;
    } else if (
      Array.isArray(v) &&
      v.length <= TARGETS_MAX &&
      v.every((item) => typeof item === 'string' && item.length <= TARGET_MAX)
    ) {
      out[name] = [...(v as string[])];
    } else {
      issues.push(`${name}: Invalid input`);
    }
  }
  if (issues.length > 0) {
    throw new ServerError('ERR_VALIDATION', { message: `Invalid request: ${issues.slice(0, 5).join('; ')}` });
  }
  return out as unknown as TokenBody;
}
