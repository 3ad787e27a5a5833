import { lookupKey, resetMfa } from '@keycard/server';
import { CliError, type Command, EXIT } from '../framework/command.js';
import { CLI_ACTOR, CLI_REQUEST, DATA_DIR_OPTIONS, withDataDir } from '../util/data-dir.js';

/** `keycard users mfa reset NAME`: removes every second factor of a user who lost theirs. */
export const usersMfaReset: Command = {
  path: ['users', 'mfa', 'reset'],
  summary: "Remove a user's TOTP, passkeys and recovery codes (they lost their factors)",
  usage: 'NAME [--data-dir DIR]',
  details: [
    'For a person who lost their authenticator: their TOTP app, passkeys and recovery codes are',
    'removed and the audit log records mfa.reset. Their sessions stay: to sign them out as well,',
    "run 'keycard users disable NAME' and then '--enable'. If a role requires a second factor,",
    'they set one up again at their next sign-in.',
    'Example:\n  keycard users mfa reset alice',
  ].join('\n'),
  options: { ...DATA_DIR_OPTIONS },
  positionals: { min: 1, max: 1 },
  async run(args, io) {
    return withDataDir(args, io, async ({ ctx }) => {
      const name = args.positionals[0]!;
      const user = await ctx.storage.users.getByUsername(lookupKey(name));
      if (user === undefined) throw new CliError(`no user named '${name}' (ERR_USER_NOT_FOUND)`);
      const reset = await resetMfa(ctx, user.id, { actor: CLI_ACTOR, request: CLI_REQUEST });
      io.stdout.write(
        `reset second factors of ${user.username}: TOTP ${reset.totp ? 'removed' : 'none'}, ` +
          `${reset.passkeys} passkey(s), ${reset.recoveryCodes} recovery code(s) removed\n`,
      );
      return EXIT.OK;
    });
  },
};
