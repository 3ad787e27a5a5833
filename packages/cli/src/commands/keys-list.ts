import { type Command, EXIT } from '../framework/command.js';
import { DATA_DIR_OPTIONS, isoTime, JSON_OPTION, printRows, withDataDir } from '../util/data-dir.js';

/** `keycard keys list`: the server's signing keys (not `keys generate`'s standalone files). */
export const keysList: Command = {
  path: ['keys', 'list'],
  summary: "List the server's signing keys: next, current, retired",
  usage: '[--json] [--data-dir DIR]',
  details: [
    'next: published in the JWKS, not signing yet. current: signs new tokens. retired: still',
    'published until every token it signed has expired (removeAfter), then removed.',
  ].join('\n'),
  options: { ...JSON_OPTION, ...DATA_DIR_OPTIONS },
  async run(args, io) {
    return withDataDir(args, io, async ({ ctx }) => {
      const keys = await ctx.keys.list();
      const rows =
        args.values['json'] === true
          ? keys
          : keys.map((k) => ({
              ...k,
              createdAt: isoTime(k.createdAt),
              activatedAt: isoTime(k.activatedAt),
              retiredAt: isoTime(k.retiredAt),
              removeAfter: isoTime(k.removeAfter),
            }));
      printRows(io, args, rows as unknown as Array<Record<string, unknown>>, [
        'state',
        'kid',
        'alg',
        'createdAt',
        'activatedAt',
        'removeAfter',
      ]);
      return EXIT.OK;
    });
  },
};
