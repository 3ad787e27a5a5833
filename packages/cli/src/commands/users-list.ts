import { type ListCursor, listCursor, publicUserRecord } from '@keycard/server';
import { type Command, EXIT } from '../framework/command.js';
import { DATA_DIR_OPTIONS, isoTime, JSON_OPTION, printRows, withDataDir } from '../util/data-dir.js';

const PAGE = 500;

/** `keycard users list`. */
export const usersList: Command = {
  path: ['users', 'list'],
  summary: 'List the users of the data dir',
  usage: '[--json] [--data-dir DIR]',
  options: { ...JSON_OPTION, ...DATA_DIR_OPTIONS },
  async run(args, io) {
    return withDataDir(args, io, async ({ ctx }) => {
      const users = [];
      // Keyset pages: each read starts where the last ended, whatever the size of the table.
      let after: ListCursor | undefined;
      for (;;) {
        const page = await ctx.storage.users.list({ limit: PAGE, ...(after ? { after } : {}) });
        users.push(...page.map(publicUserRecord));
        const last = page.at(-1);
        if (page.length < PAGE || last === undefined) break;
        after = listCursor(last, (u) => u.id);
      }
      const rows =
        args.values['json'] === true ? users : users.map((u) => ({ ...u, createdAt: isoTime(u.createdAt) }));
      printRows(io, args, rows, ['username', 'id', 'roles', 'email', 'disabled', 'createdAt']);
      return EXIT.OK;
    });
  },
};
