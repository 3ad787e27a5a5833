import { deleteUser, lookupKey } from '@keycard/server';
import { CliError, type Command, EXIT } from '../framework/command.js';
import { CLI_ACTOR, CLI_REQUEST, DATA_DIR_OPTIONS, withDataDir } from '../util/data-dir.js';

/** `keycard users remove NAME`. */
export const usersRemove: Command = {
  path: ['users', 'remove'],
  summary: 'Delete a user after revoking every session and token they hold',
  usage: 'NAME [--data-dir DIR]',
  options: { ...DATA_DIR_OPTIONS },
  positionals: { min: 1, max: 1 },
  async run(args, io) {
    return withDataDir(args, io, async ({ ctx }) => {
      const name = args.positionals[0]!;
      const user = await ctx.storage.users.getByUsername(lookupKey(name));
      if (user === undefined) throw new CliError(`no user named '${name}'`);
      await deleteUser(ctx, user.id, { actor: CLI_ACTOR, request: CLI_REQUEST });
      io.stdout.write(`removed user ${user.username}\n`);
      return EXIT.OK;
    });
  },
};
