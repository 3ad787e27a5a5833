import { revokeSigningKey } from '@keycard/server';
import { type Command, EXIT } from '../framework/command.js';
import { CLI_ACTOR, CLI_REQUEST, DATA_DIR_OPTIONS, withDataDir } from '../util/data-dir.js';

/** `keycard keys revoke KID`. */
export const keysRevoke: Command = {
  path: ['keys', 'revoke'],
  summary: 'Withdraw a signing key now (compromise): out of the JWKS, every card it signed refused',
  usage: 'KID [--data-dir DIR]',
  details: [
    'The key leaves the JWKS at once and a `key` event on the revocation feed tells every guard to',
    'drop it and refuse every card it signed. If it was the current key, the published next key',
    'takes over, so sign-in keeps working; a fresh next key is published. Users whose cards were',
    'signed by it get a new card at their next refresh. See docs/operations.md, "Key compromise".',
  ].join('\n'),
  options: { ...DATA_DIR_OPTIONS },
  positionals: { min: 1, max: 1 },
  async run(args, io) {
    const kid = args.positionals[0]!;
    return withDataDir(args, io, async ({ ctx }) => {
      const result = await revokeSigningKey(ctx, kid, { actor: CLI_ACTOR, request: CLI_REQUEST });
      io.stdout.write(
        `revoked ${result.revoked}\ncurrent ${result.current ?? '-'}\nnext    ${result.next ?? '-'} (published)\n`,
      );
      return EXIT.OK;
    });
  },
};
