import { publicClient } from '@keycard/server';
import { type Command, EXIT } from '../framework/command.js';
import { credentialsOf } from '../util/client-view.js';
import { DATA_DIR_OPTIONS, JSON_OPTION, printRows, withDataDir } from '../util/data-dir.js';

/** `keycard clients list`. */
export const clientsList: Command = {
  path: ['clients', 'list'],
  summary: 'List registered clients (never their secrets)',
  usage: '[--json] [--data-dir DIR]',
  details: [
    'The table shows how each client authenticates (CREDENTIALS: none, secret, private_key_jwt or both)',
    'and its redirect URIs; `keycard clients show ID` shows every field, --json all of them for all.',
  ].join('\n'),
  options: { ...JSON_OPTION, ...DATA_DIR_OPTIONS },
  async run(args, io) {
    return withDataDir(args, io, async ({ ctx }) => {
      const clients = (await ctx.storage.clients.list()).map(publicClient);
      const rows =
        args.values['json'] === true
          ? clients
          : clients.map((c) => ({ ...c, credentials: credentialsOf(c) }));
      printRows(io, args, rows, [
        'id',
        'type',
        'credentials',
        'firstParty',
        'grants',
        'audiences',
        'scopes',
        'redirectUris',
      ]);
      return EXIT.OK;
    });
  },
};
