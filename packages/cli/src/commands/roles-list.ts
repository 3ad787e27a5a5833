import { type Command, EXIT } from '../framework/command.js';
import { DATA_DIR_OPTIONS, JSON_OPTION, printRows, withDataDir } from '../util/data-dir.js';

/** `keycard roles list`. */
export const rolesList: Command = {
  path: ['roles', 'list'],
  summary: 'List roles, the scopes they grant and whether they require a second factor',
  usage: '[--json] [--data-dir DIR]',
  options: { ...JSON_OPTION, ...DATA_DIR_OPTIONS },
  async run(args, io) {
    return withDataDir(args, io, async ({ ctx }) => {
      const roles = await ctx.storage.roles.list();
      const rows =
        args.values['json'] === true
          ? roles
          : roles.map((r) => ({ ...r, mfa: r.requireMfa ? 'required' : '-' }));
      printRows(io, args, rows as unknown as Array<Record<string, unknown>>, ['name', 'scopes', 'mfa']);
      return EXIT.OK;
    });
  },
};
