import { publicUserRecord } from '@keycard/server';
import { type Command, EXIT } from '../framework/command.js';
import { DATA_DIR_OPTIONS, isoTime, JSON_OPTION, printRows, withDataDir } from '../util/data-dir.js';

/** `keycard users list`. */
export const usersList: Command = {
  path: ['users', 'list'],
  summary: 'List the users of the data dir',
  usage: '[--json] [--data-dir DIR]',
  options: { ...JSON_OPTION, ...DATA_DIR_OPTIONS },
  async run(args, io) {
    return withDataDir(args, io, async ({ ctx }) => {
      const users = [];
      for (let offset = 0; ; offset += 500) {
        const page = await ctx.storage.users.list({ limit: 500, offset });
        users.push(...page.map(publicUserRecord));
        if (page.length < 500) break;
      }
      const rows =
        args.values['json'] === true ? users : users.map((u) => ({ ...u, createdAt: isoTime(u.createdAt) }));
      printRows(io, args, rows, ['username', 'id', 'roles', 'disabled', 'createdAt']);
      return EXIT.OK;
    });
  },
};
