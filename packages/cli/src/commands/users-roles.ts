import { lookupKey, updateUser } from '@keycard/server';
import { CliError, type Command, EXIT, listOption } from '../framework/command.js';
import { CLI_ACTOR, CLI_REQUEST, DATA_DIR_OPTIONS, withDataDir } from '../util/data-dir.js';

/** `keycard users roles NAME --role R...`. */
export const usersRoles: Command = {
  path: ['users', 'roles'],
  summary: "Replace a user's roles (applies from their next token refresh)",
  usage: 'NAME [--role ROLE]... [--data-dir DIR]',
  details:
    'Without --role the user keeps no role. Example:\n  keycard users roles carol --role manager --role guest',
  options: {
    role: { type: 'string', multiple: true, valueName: 'ROLE', description: 'Role to give the user' },
    ...DATA_DIR_OPTIONS,
  },
  positionals: { min: 1, max: 1 },
  async run(args, io) {
    return withDataDir(args, io, async ({ ctx }) => {
      const name = args.positionals[0]!;
      const user = await ctx.storage.users.getByUsername(lookupKey(name));
      if (user === undefined) throw new CliError(`no user named '${name}'`);
      const updated = await updateUser(
        ctx,
        user.id,
        { roles: listOption(args, 'role') },
        { actor: CLI_ACTOR, request: CLI_REQUEST },
      );
      io.stdout.write(`${updated.username}: roles ${updated.roles.join(',') || '-'}\n`);
      return EXIT.OK;
    });
  },
};
