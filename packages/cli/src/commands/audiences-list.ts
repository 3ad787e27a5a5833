import { type Command, EXIT } from '../framework/command.js';
import { DATA_DIR_OPTIONS, JSON_OPTION, printRows, withDataDir } from '../util/data-dir.js';

/** `keycard audiences list`. */
export const audiencesList: Command = {
  path: ['audiences', 'list'],
  summary: 'List registered audiences',
  usage: '[--json] [--data-dir DIR]',
  options: { ...JSON_OPTION, ...DATA_DIR_OPTIONS },
  async run(args, io) {
    return withDataDir(args, io, async ({ ctx }) => {
      const audiences = await ctx.storage.audiences.list();
      printRows(io, args, audiences as unknown as Array<Record<string, unknown>>, ['id', 'name', 'scopes']);
      return EXIT.OK;
    });
  },
};
