import { lookupKey, mfaSummary } from '@keycard/server';
import { CliError, type Command, EXIT } from '../framework/command.js';
import { DATA_DIR_OPTIONS, isoTime, JSON_OPTION, withDataDir } from '../util/data-dir.js';

/** `keycard users mfa show NAME`: a user's second factors, never a secret or a code. */
export const usersMfaShow: Command = {
  path: ['users', 'mfa', 'show'],
  summary: "Show a user's second factors: TOTP, passkeys, recovery codes left",
  usage: 'NAME [--json] [--data-dir DIR]',
  details: [
    'Shows what is set up, never a secret or a code. "required" says whether one of the',
    "user's roles requires a second factor (keycard roles add NAME --require-mfa).",
    'Example:\n  keycard users mfa show alice --json',
  ].join('\n'),
  options: { ...JSON_OPTION, ...DATA_DIR_OPTIONS },
  positionals: { min: 1, max: 1 },
  async run(args, io) {
    return withDataDir(args, io, async ({ ctx }) => {
      const name = args.positionals[0]!;
      const user = await ctx.storage.users.getByUsername(lookupKey(name));
      if (user === undefined) throw new CliError(`no user named '${name}' (ERR_USER_NOT_FOUND)`);
      const summary = await mfaSummary(ctx, user);
      const passkeys = summary.passkeys.map((p) => ({
        id: p.id,
        name: p.name,
        createdAt: p.createdAt,
        lastUsedAt: p.lastUsedAt,
        backedUp: p.backedUp,
        deviceType: p.deviceType,
      }));
      if (args.values['json'] === true) {
        const out = {
          user: { id: user.id, username: user.username },
          totp: summary.totp,
          passkeys,
          recoveryCodesRemaining: summary.recoveryCodesRemaining,
          required: summary.required,
        };
        io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
        return EXIT.OK;
      }
      const totp = summary.totp.enabled ? `on since ${isoTime(summary.totp.confirmedAt)}` : 'off';
      const lines = [
        `user            ${user.username} (${user.id})`,
        `required        ${summary.required ? 'yes (by a role)' : 'no'}`,
        `TOTP            ${totp}`,
        `passkeys        ${passkeys.length === 0 ? 'none' : passkeys.length}`,
        ...passkeys.map(
          (p) =>
            `  ${p.id}  ${JSON.stringify(p.name)}  added ${isoTime(p.createdAt)}  last used ${isoTime(p.lastUsedAt) ?? 'never'}${p.backedUp ? '  synced' : ''}`,
        ),
        `recovery codes  ${summary.recoveryCodesRemaining} left`,
      ];
      io.stdout.write(`${lines.join('\n')}\n`);
      return EXIT.OK;
    });
  },
};
