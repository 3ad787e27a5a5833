import { saveAudience } from '@keycard/server';
import { type Command, EXIT, listOption, stringOption } from '../framework/command.js';
import { CLI_ACTOR, CLI_REQUEST, DATA_DIR_OPTIONS, withDataDir } from '../util/data-dir.js';

/** `keycard audiences add ID [--name N] [--scope S]... [--uri URI]`. */
export const audiencesAdd: Command = {
  path: ['audiences', 'add'],
  summary: 'Register (or update) an audience: a resource server tokens can be issued for',
  usage: 'ID [--name NAME] [--scope SCOPE]... [--uri URI] [--data-dir DIR]',
  details: [
    '--uri names the audience by an RFC 8707 resource indicator too: a token request may then ask',
    'for it with resource=URI. Unique across audiences.',
    '',
    'Example:',
    '  keycard audiences add rooms --name "Rooms service" --scope rooms:open --uri https://rooms.example/',
  ].join('\n'),
  options: {
    name: { type: 'string', valueName: 'NAME', description: 'Display name' },
    scope: {
      type: 'string',
      multiple: true,
      valueName: 'SCOPE',
      description: 'A scope this service understands',
    },
    uri: { type: 'string', valueName: 'URI', description: 'RFC 8707 resource URI of this audience' },
    ...DATA_DIR_OPTIONS,
  },
  positionals: { min: 1, max: 1 },
  async run(args, io) {
    return withDataDir(args, io, async ({ ctx }) => {
      const name = stringOption(args, 'name');
      const scopes = listOption(args, 'scope');
      const uri = stringOption(args, 'uri');
      const audience = await saveAudience(
        ctx,
        {
          id: args.positionals[0]!,
          ...(name !== undefined ? { name } : {}),
          ...(scopes.length ? { scopes } : {}),
          ...(uri !== undefined ? { uri } : {}),
        },
        { actor: CLI_ACTOR, request: CLI_REQUEST },
      );
      io.stdout.write(
        `saved audience ${audience.id} (scopes ${audience.scopes.join(',') || '-'}${audience.uri ? `, uri ${audience.uri}` : ''})\n`,
      );
      return EXIT.OK;
    });
  },
};
