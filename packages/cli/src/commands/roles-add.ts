import { saveRole } from '@keycard/server';
import { type Command, EXIT, listOption } from '../framework/command.js';
import { CLI_ACTOR, CLI_REQUEST, DATA_DIR_OPTIONS, withDataDir } from '../util/data-dir.js';

/** `keycard roles add NAME --scope S...`. */
export const rolesAdd: Command = {
  path: ['roles', 'add'],
  summary: 'Create or replace a role and the scopes it grants',
  usage: 'NAME [--scope SCOPE]... [--data-dir DIR]',
  details: [
    "A token carries only scopes that the client may ask for AND the user's roles grant.",
    'Example:\n  keycard roles add housekeeping --scope rooms:open --scope rooms:clean',
  ].join('\n'),
  options: {
    scope: { type: 'string', multiple: true, valueName: 'SCOPE', description: 'Scope the role grants' },
    ...DATA_DIR_OPTIONS,
  },
  positionals: { min: 1, max: 1 },
  async run(args, io) {
    return withDataDir(args, io, async ({ ctx }) => {
      const role = await saveRole(
        ctx,
        { name: args.positionals[0]!, scopes: listOption(args, 'scope') },
        { actor: CLI_ACTOR, request: CLI_REQUEST },
      );
      io.stdout.write(`saved role ${role.name} (scopes ${role.scopes.join(',') || '-'})\n`);
      return EXIT.OK;
    });
  },
};
