import { publicClient } from '@keycard/server';
import { CliError, type Command, EXIT } from '../framework/command.js';
import { credentialsOf, describeKeys } from '../util/client-view.js';
import { DATA_DIR_OPTIONS, isoTime, JSON_OPTION, withDataDir } from '../util/data-dir.js';

/** `keycard clients show ID`: every field of one client, never its secret. */
export const clientsShow: Command = {
  path: ['clients', 'show'],
  summary: 'Show one client: grants, redirect and logout URIs, public keys (never its secret)',
  usage: 'ID [--json] [--data-dir DIR]',
  options: { ...JSON_OPTION, ...DATA_DIR_OPTIONS },
  positionals: { min: 1, max: 1 },
  async run(args, io) {
    return withDataDir(args, io, async ({ ctx }) => {
      const record = await ctx.storage.clients.get(args.positionals[0]!);
      if (record === undefined) throw new CliError(`no client ${args.positionals[0]} (ERR_CLIENT_NOT_FOUND)`);
      const client = publicClient(record);
      if (args.values['json'] === true) {
        io.stdout.write(`${JSON.stringify(client, null, 2)}\n`);
        return EXIT.OK;
      }
      const list = (values: readonly string[]) => (values.length === 0 ? ['-'] : values);
      const fields: [string, readonly string[]][] = [
        ['id', [client.id]],
        ['name', [client.name]],
        ['type', [client.type]],
        ['credentials', [credentialsOf(client)]],
        ['first party', [client.firstParty ? 'yes' : 'no']],
        ['grants', list(client.grants)],
        ['audiences', list(client.audiences)],
        ['scopes', list(client.scopes)],
        ['multi-audience', [client.multiAudience ? 'yes (unsafe)' : 'no']],
        ['require DPoP', [client.requireDpop ? 'yes' : 'no']],
        [
          'token exchange',
          list(client.tokenExchange.map((r) => `${r.from} -> ${r.to}: ${r.scopes.join(',')}`)),
        ],
        ['redirect URIs', list(client.redirectUris)],
        ['post-logout redirect URIs', list(client.postLogoutRedirectUris)],
        ['back-channel logout URI', [client.backchannelLogoutUri ?? '-']],
        ['public keys', list(describeKeys(client))],
        ['created', [isoTime(client.createdAt) ?? '-']],
      ];
      const width = Math.max(...fields.map(([label]) => label.length));
      for (const [label, values] of fields) {
        values.forEach((value, i) => {
          io.stdout.write(`${(i === 0 ? label : '').padEnd(width)}  ${value}\n`);
        });
      }
      return EXIT.OK;
    });
  },
};
