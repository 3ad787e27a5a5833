import { publicClient } from '@keycard/server';
import { type Command, EXIT } from '../framework/command.js';
import { DATA_DIR_OPTIONS, JSON_OPTION, printRows, withDataDir } from '../util/data-dir.js';

/** `keycard clients list`. */
export const clientsList: Command = {
  path: ['clients', 'list'],
  summary: 'List registered clients (never their secrets)',
  usage: '[--json] [--data-dir DIR]',
  options: { ...JSON_OPTION, ...DATA_DIR_OPTIONS },
  async run(args, io) {
    return withDataDir(args, io, async ({ ctx }) => {
      const clients = (await ctx.storage.clients.list()).map(publicClient);
      printRows(io, args, clients, ['id', 'type', 'firstParty', 'grants', 'audiences', 'scopes']);
      return EXIT.OK;
    });
  },
};
