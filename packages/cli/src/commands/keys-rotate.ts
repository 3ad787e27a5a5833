import { type Command, EXIT } from '../framework/command.js';
import { CLI_ACTOR, CLI_REQUEST, DATA_DIR_OPTIONS, withDataDir } from '../util/data-dir.js';

/** `keycard keys rotate`. */
export const keysRotate: Command = {
  path: ['keys', 'rotate'],
  summary: 'Rotate the signing key now: next becomes current, a fresh next is published',
  usage: '[--data-dir DIR]',
  details: [
    'Tokens signed by the old key stay valid: it stays in the JWKS (retired) until they expire.',
    'A running server on the same data dir picks the new key up within a few seconds.',
  ].join('\n'),
  options: { ...DATA_DIR_OPTIONS },
  async run(args, io) {
    return withDataDir(args, io, async ({ ctx }) => {
      const result = await ctx.keys.rotate();
      await ctx.audit.record('admin.key.rotate', {
        actor: CLI_ACTOR,
        subject: result.current,
        request: CLI_REQUEST,
        detail: { ...result },
      });
      io.stdout.write(
        `current ${result.current}\nretired ${result.retired ?? '-'}\nnext    ${result.next} (published)\n`,
      );
      return EXIT.OK;
    });
  },
};
