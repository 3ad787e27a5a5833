import { deleteAudience } from '@keycard/server';
import { type Command, EXIT } from '../framework/command.js';
import { CLI_ACTOR, CLI_REQUEST, DATA_DIR_OPTIONS, withDataDir } from '../util/data-dir.js';

/** `keycard audiences remove ID`. */
export const audiencesRemove: Command = {
  path: ['audiences', 'remove'],
  summary: 'Delete an audience (clients can no longer ask tokens for it)',
  usage: 'ID [--data-dir DIR]',
  options: { ...DATA_DIR_OPTIONS },
  positionals: { min: 1, max: 1 },
  async run(args, io) {
    return withDataDir(args, io, async ({ ctx }) => {
      await deleteAudience(ctx, args.positionals[0]!, { actor: CLI_ACTOR, request: CLI_REQUEST });
      io.stdout.write(`removed audience ${args.positionals[0]}\n`);
      return EXIT.OK;
    });
  },
};
