import { createClient } from '@keycard/server';
import { type Command, EXIT, listOption, stringOption, UsageError } from '../framework/command.js';
import { CLI_ACTOR, CLI_REQUEST, DATA_DIR_OPTIONS, withDataDir } from '../util/data-dir.js';

const GRANTS = ['password', 'refresh_token', 'client_credentials'] as const;
type Grant = (typeof GRANTS)[number];

/** `keycard clients add ID --type T --grant G... [--audience A]... [--scope S]...`. */
export const clientsAdd: Command = {
  path: ['clients', 'add'],
  summary: 'Register an OAuth client; a confidential client gets a secret, printed once',
  usage:
    'ID --type public|confidential --grant GRANT... [--audience AUD]... [--scope SCOPE]... [--first-party] [--name NAME]',
  details: [
    'Grants: password (first-party clients only), refresh_token, client_credentials (confidential only).',
    'Audiences must be registered first (keycard audiences add). The secret is shown once and stored',
    'only as a SHA-256 hash: keep it now.',
    '',
    'Examples:',
    '  keycard clients add billing --type confidential --grant client_credentials --audience rooms --scope rooms:read',
    '  keycard clients add mobile --type public --first-party --grant password --grant refresh_token --audience keycard',
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
    return withDataDir(args, io, async ({ ctx }) => {
      const name = stringOption(args, 'name');
      const { client, secret } = await createClient(
        ctx,
        {
          id: args.positionals[0]!,
          ...(name !== undefined ? { name } : {}),
          type,
          firstParty: args.values['first-party'] === true,
          grants: grants as Grant[],
          audiences: listOption(args, 'audience'),
          scopes: listOption(args, 'scope'),
        },
        { actor: CLI_ACTOR, request: CLI_REQUEST },
      );
      io.stdout.write(`created ${client.type} client ${client.id}\n`);
      if (secret !== null) io.stdout.write(`client secret (shown once): ${secret}\n`);
      return EXIT.OK;
    });
  },
};
