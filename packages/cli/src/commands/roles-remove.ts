import { deleteRole } from '@keycard/server';
import { type Command, EXIT } from '../framework/command.js';
import { CLI_ACTOR, CLI_REQUEST, DATA_DIR_OPTIONS, withDataDir } from '../util/data-dir.js';

/** `keycard roles remove NAME`. */
export const rolesRemove: Command = {
  path: ['roles', 'remove'],
  summary: 'Delete a role (users holding it keep the name, which then grants nothing)',
  usage: 'NAME [--data-dir DIR]',
  options: { ...DATA_DIR_OPTIONS },
  positionals: { min: 1, max: 1 },
  async run(args, io) {
    return withDataDir(args, io, async ({ ctx }) => {
      await deleteRole(ctx, args.positionals[0]!, { actor: CLI_ACTOR, request: CLI_REQUEST });
      io.stdout.write(`removed role ${args.positionals[0]}\n`);
      return EXIT.OK;
    });
  },
};
