import { changePassword, lookupKey } from '@keycard/server';
import { CliError, type Command, EXIT, UsageError } from '../framework/command.js';
import {
  CLI_ACTOR,
  CLI_REQUEST,
  DATA_DIR_OPTIONS,
  readPasswordFromStdin,
  withDataDir,
} from '../util/data-dir.js';

/** `keycard users passwd NAME --password-stdin`. */
export const usersPasswd: Command = {
  path: ['users', 'passwd'],
  summary: "Set a user's password (read from stdin); revokes all their sessions",
  usage: 'NAME --password-stdin [--data-dir DIR]',
  details: "Example:\n  keycard users passwd alice --password-stdin <<< 'a new long password'",
  options: {
    'password-stdin': { type: 'boolean', description: 'Read the new password from stdin (required)' },
    ...DATA_DIR_OPTIONS,
  },
  positionals: { min: 1, max: 1 },
  async run(args, io) {
    if (args.values['password-stdin'] !== true) throw new UsageError('--password-stdin is required');
    const password = await readPasswordFromStdin(io);
    return withDataDir(args, io, async ({ ctx }) => {
      const name = args.positionals[0]!;
      const user = await ctx.storage.users.getByUsername(lookupKey(name));
      if (user === undefined) throw new CliError(`no user named '${name}'`);
      await changePassword(ctx, { userId: user.id, newPassword: password, actor: CLI_ACTOR }, CLI_REQUEST);
      io.stdout.write(`password changed for ${user.username}; their sessions were revoked\n`);
      return EXIT.OK;
    });
  },
};
