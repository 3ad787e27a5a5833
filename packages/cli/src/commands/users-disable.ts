import { lookupKey, updateUser } from '@keycard/server';
import { CliError, type Command, EXIT } from '../framework/command.js';
import { CLI_ACTOR, CLI_REQUEST, DATA_DIR_OPTIONS, withDataDir } from '../util/data-dir.js';

/** `keycard users disable NAME` (and `--enable` to undo). */
export const usersDisable: Command = {
  path: ['users', 'disable'],
  summary: 'Disable a user: sign-in refused, every session and token revoked',
  usage: 'NAME [--enable] [--data-dir DIR]',
  details: [
    "Disabling revokes all of the user's sessions and publishes a subject revocation, so tokens",
    'already issued stop working at every guard within about a second. --enable lets them sign in',
    'again (old sessions stay revoked).',
  ].join('\n'),
  options: {
    enable: { type: 'boolean', description: 'Enable the user again instead' },
    ...DATA_DIR_OPTIONS,
  },
  positionals: { min: 1, max: 1 },
  async run(args, io) {
    return withDataDir(args, io, async ({ ctx }) => {
      const name = args.positionals[0]!;
      const user = await ctx.storage.users.getByUsername(lookupKey(name));
      if (user === undefined) throw new CliError(`no user named '${name}'`);
      const disabled = args.values['enable'] !== true;
      await updateUser(ctx, user.id, { disabled }, { actor: CLI_ACTOR, request: CLI_REQUEST });
      io.stdout.write(`${disabled ? 'disabled' : 'enabled'} user ${user.username}\n`);
      return EXIT.OK;
    });
  },
};
