import { createClient, TOKEN_EXCHANGE_GRANT, type TokenExchangeRule } from '@keycard/server';
import {
  type Command,
  type CommandArgs,
  EXIT,
  listOption,
  stringOption,
  UsageError,
} from '../framework/command.js';
import type { IO } from '../framework/io.js';
import { CLI_ACTOR, CLI_REQUEST, DATA_DIR_OPTIONS, withDataDir } from '../util/data-dir.js';
import { loadJWKS } from '../util/load-jwks.js';

const GRANTS = [
  'password',
  'refresh_token',
  'client_credentials',
  'authorization_code',
  'token-exchange',
] as const;
type Grant =
  | 'password'
  | 'refresh_token'
  | 'client_credentials'
  | 'authorization_code'
  | typeof TOKEN_EXCHANGE_GRANT;
/** Larger files are refused before parsing; the server's rule (16 KiB of JSON) says the rest. */
const JWKS_FILE_MAX_BYTES = 64 * 1024;

/**
 * `--jwks-file PATH`: a JWK Set (`{"keys": [...]}`) or one JWK, as a JWK Set. The server checks the
 * keys (public, asymmetric, kid and alg on each).
 */
async function readJwksFile(args: CommandArgs, io: IO): Promise<{ keys: Record<string, unknown>[] } | null> {
  const path = stringOption(args, 'jwks-file');
  if (path === undefined) return null;
  if (/^https?:\/\//i.test(path)) throw new UsageError('--jwks-file takes a file path, not a URL');
  const json = await loadJWKS(path, { cwd: io.cwd, maxBytes: JWKS_FILE_MAX_BYTES });
  if (typeof json === 'object' && json !== null && !Array.isArray(json) && 'kty' in json)
    return { keys: [json as Record<string, unknown>] };
  return json as { keys: Record<string, unknown>[] };
}

/**
 * `FROM:TO:SCOPE,SCOPE` → an exchange rule. FROM and TO end at the first two colons; the scopes
 * may contain colons (`rooms:billing:billing:charge`). Scopes may be empty (`from:to:`).
 */
function parseRule(text: string): TokenExchangeRule {
  const first = text.indexOf(':');
  const second = first < 0 ? -1 : text.indexOf(':', first + 1);
  const from = text.slice(0, Math.max(first, 0));
  const to = second < 0 ? '' : text.slice(first + 1, second);
  if (!from || !to)
    throw new UsageError(`--exchange wants FROM:TO:SCOPE,SCOPE (got '${text.slice(0, 100)}')`);
  return {
    from,
    to,
    scopes: text
      .slice(second + 1)
      .split(',')
      .filter(Boolean),
  };
}

/** `keycard clients add ID --type T --grant G... [--audience A]... [--scope S]... [--redirect-uri URI]...`. */
export const clientsAdd: Command = {
  path: ['clients', 'add'],
  summary: 'Register an OAuth client; a confidential client gets a secret, printed once',
  usage:
    'ID --type public|confidential --grant GRANT... [--audience AUD]... [--scope SCOPE]... [--first-party] [--name NAME]\n' +
    '       [--multi-audience] [--require-dpop] [--exchange FROM:TO:SCOPE,SCOPE]...\n' +
    '       [--redirect-uri URI]... [--post-logout-redirect-uri URI]... [--backchannel-logout-uri URI]\n' +
    '       [--jwks-file PATH] [--no-secret]',
  details: [
    'Grants: password (first-party clients only), refresh_token, client_credentials (confidential only),',
    'authorization_code (needs at least one --redirect-uri), token-exchange (RFC 8693, confidential only;',
    'implied by --exchange).',
    "--exchange FROM:TO:SCOPES lets the client exchange a user's card for audience FROM (one it serves)",
    'for a card for audience TO carrying at most SCOPES (comma-separated) and naming it in `act`.',
    '--multi-audience lets one card name several audiences: UNSAFE (a door that sees the card can',
    'replay it at the others); the keycard API audience never shares a card anyway.',
    '--require-dpop refuses token requests without a DPoP proof (RFC 9449): its cards are key-bound.',
    '',
    'Authorization code flow (authorization_code grant only):',
    '--redirect-uri URI (repeatable) is matched exactly: https://host/path, http://127.0.0.1/path or',
    'http://[::1]/path for a native app (any port matches), or com.example.app:/path; written in',
    'canonical form, no fragment, no wildcard, never localhost.',
    '--post-logout-redirect-uri URI (repeatable): where logout may send the browser back (same rules).',
    '--backchannel-logout-uri URI: where OpenID Connect back-channel logout is POSTed; https (http only',
    'on 127.0.0.1, [::1] or localhost), no fragment, at most 2048 characters.',
    '',
    'Credentials of a confidential client: a secret (the default), public keys for private_key_jwt',
    '(--jwks-file), or both. --jwks-file PATH reads a JWK Set ({"keys": [...]}) or one JWK: 1-10 public',
    'asymmetric keys (never a private or symmetric key), each with a unique kid and its alg, at most',
    '16 KiB. --no-secret registers a keys-only client (it needs --jwks-file). Public clients have neither.',
    '',
    'A client id may not have the shape of a user id (22 base64url characters) nor equal one.',
    'Audiences must be registered first (keycard audiences add). The secret is shown once and stored',
    'only as a SHA-256 hash: keep it now.',
    '',
    'Examples:',
    '  keycard clients add billing --type confidential --grant client_credentials --audience rooms --scope rooms:read',
    '  keycard clients add mobile --type public --first-party --grant password --grant refresh_token --audience keycard',
    '  keycard clients add rooms-service --grant client_credentials --audience rooms --exchange rooms:billing:billing:charge',
    '  keycard clients add photos --type public --grant authorization_code --grant refresh_token --audience photos \\',
    '      --redirect-uri https://photos.example.com/callback --redirect-uri http://127.0.0.1/callback',
    '  keycard clients add reports --grant authorization_code --redirect-uri https://reports.example.com/cb \\',
    '      --backchannel-logout-uri https://reports.example.com/logout --jwks-file reports.jwks.json --no-secret',
  ].join('\n'),
  options: {
    type: { type: 'string', valueName: 'TYPE', description: 'public or confidential (default confidential)' },
    grant: { type: 'string', multiple: true, valueName: 'GRANT', description: 'Allowed grant type' },
    audience: {
      type: 'string',
      multiple: true,
      valueName: 'AUD',
      description: 'Audience it may ask tokens for',
    },
    scope: { type: 'string', multiple: true, valueName: 'SCOPE', description: 'Scope it may ask for' },
    'first-party': { type: 'boolean', description: 'A first-party app (may use the password grant)' },
    'multi-audience': { type: 'boolean', description: 'Cards may name several audiences (unsafe)' },
    'require-dpop': { type: 'boolean', description: 'Refuse token requests without a DPoP proof' },
    exchange: {
      type: 'string',
      multiple: true,
      valueName: 'FROM:TO:SCOPES',
      description: 'A token-exchange rule (RFC 8693)',
    },
    'redirect-uri': {
      type: 'string',
      multiple: true,
      valueName: 'URI',
      description: 'Where the authorization code flow may send the browser back',
    },
    'post-logout-redirect-uri': {
      type: 'string',
      multiple: true,
      valueName: 'URI',
      description: 'Where logout may send the browser back',
    },
    'backchannel-logout-uri': {
      type: 'string',
      valueName: 'URI',
      description: 'OpenID Connect back-channel logout endpoint',
    },
    'jwks-file': {
      type: 'string',
      valueName: 'PATH',
      description: 'Public keys (JWK Set) for private_key_jwt',
    },
    'no-secret': { type: 'boolean', description: 'No client secret: a keys-only confidential client' },
    name: { type: 'string', valueName: 'NAME', description: 'Display name (default: the id)' },
    ...DATA_DIR_OPTIONS,
  },
  positionals: { min: 1, max: 1 },
  async run(args, io) {
    const type = stringOption(args, 'type') ?? 'confidential';
    if (type !== 'public' && type !== 'confidential')
      throw new UsageError(`--type must be public or confidential`);
    const grants = listOption(args, 'grant');
    if (grants.length === 0) throw new UsageError('give at least one --grant');
    for (const g of grants) {
      if (!(GRANTS as readonly string[]).includes(g))
        throw new UsageError(`unknown grant '${g}' (${GRANTS.join(', ')})`);
    }
    const tokenExchange = listOption(args, 'exchange').map(parseRule);
    const granted: Grant[] = grants.map((g) =>
      g === 'token-exchange' ? TOKEN_EXCHANGE_GRANT : (g as Grant),
    );
    if (tokenExchange.length > 0 && !granted.includes(TOKEN_EXCHANGE_GRANT))
      granted.push(TOKEN_EXCHANGE_GRANT);
    const noSecret = args.values['no-secret'] === true;
    if (noSecret && type === 'public')
      throw new UsageError('--no-secret: public clients have no secret anyway');
    const jwks = await readJwksFile(args, io);
    const backchannelLogoutUri = stringOption(args, 'backchannel-logout-uri');
    return withDataDir(args, io, async ({ ctx }) => {
      const name = stringOption(args, 'name');
      const { client, secret } = await createClient(
        ctx,
        {
          id: args.positionals[0]!,
          ...(name !== undefined ? { name } : {}),
          type,
          firstParty: args.values['first-party'] === true,
          grants: granted,
          audiences: listOption(args, 'audience'),
          scopes: listOption(args, 'scope'),
          multiAudience: args.values['multi-audience'] === true,
          requireDpop: args.values['require-dpop'] === true,
          tokenExchange,
          redirectUris: listOption(args, 'redirect-uri'),
          postLogoutRedirectUris: listOption(args, 'post-logout-redirect-uri'),
          ...(backchannelLogoutUri !== undefined ? { backchannelLogoutUri } : {}),
          ...(jwks !== null ? { jwks } : {}),
          ...(noSecret ? { secret: false } : {}),
        },
        { actor: CLI_ACTOR, request: CLI_REQUEST },
      );
      io.stdout.write(`created ${client.type} client ${client.id}\n`);
      if (secret !== null) io.stdout.write(`client secret (shown once): ${secret}\n`);
      const kids = client.jwks?.keys.map((k) => String(k['kid'])) ?? [];
      if (kids.length > 0) io.stdout.write(`public keys (private_key_jwt): ${kids.join(', ')}\n`);
      return EXIT.OK;
    });
  },
};
