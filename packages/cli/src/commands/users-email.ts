import { lookupKey, updateUser } from '@keycard/server';
import { CliError, type Command, EXIT, UsageError } from '../framework/command.js';
import { CLI_ACTOR, CLI_REQUEST, DATA_DIR_OPTIONS, withDataDir } from '../util/data-dir.js';

/** `keycard users email NAME ADDRESS` (or `--remove`). */
export const usersEmail: Command = {
  path: ['users', 'email'],
  summary: "Set or remove a user's email address (set: verified)",
  usage: 'NAME (ADDRESS | --remove) [--data-dir DIR]',
  details: [
    'The address is stored as verified: you vouch for it, and password-reset links go to it.',
    'Links already mailed to the old address stop working. An address another user has is refused.',
    '',
    'Examples:',
    '  keycard users email alice alice@hotel.example',
    '  keycard users email alice --remove',
  ].join('\n'),
  options: {
    remove: { type: 'boolean', description: 'Remove the address instead' },
    ...DATA_DIR_OPTIONS,
  },
  positionals: { min: 1, max: 2 },
  async run(args, io) {
    const remove = args.values['remove'] === true;
    const address = args.positionals[1];
    if (remove === (address !== undefined)) throw new UsageError('give either ADDRESS or --remove');
    return withDataDir(args, io, async ({ ctx }) => {
      const name = args.positionals[0]!;
      const user = await ctx.storage.users.getByUsername(lookupKey(name));
      if (user === undefined) throw new CliError(`no user named '${name}'`);
      const updated = await updateUser(
        ctx,
        user.id,
        { email: remove ? null : address! },
        { actor: CLI_ACTOR, request: CLI_REQUEST },
      );
      io.stdout.write(
        updated.email === null
          ? `${updated.username}: no email address\n`
          : `${updated.username}: email ${updated.email} (verified)\n`,
      );
      return EXIT.OK;
    });
  },
};
