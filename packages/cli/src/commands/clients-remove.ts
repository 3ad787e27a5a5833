import { deleteClient } from '@keycard/server';
import { type Command, EXIT } from '../framework/command.js';
import { CLI_ACTOR, CLI_REQUEST, DATA_DIR_OPTIONS, withDataDir } from '../util/data-dir.js';

/** `keycard clients remove ID`. */
export const clientsRemove: Command = {
  path: ['clients', 'remove'],
  summary: 'Delete a client (its sessions can no longer refresh)',
  usage: 'ID [--data-dir DIR]',
  options: { ...DATA_DIR_OPTIONS },
  positionals: { min: 1, max: 1 },
  async run(args, io) {
    return withDataDir(args, io, async ({ ctx }) => {
      await deleteClient(ctx, args.positionals[0]!, { actor: CLI_ACTOR, request: CLI_REQUEST });
      io.stdout.write(`removed client ${args.positionals[0]}\n`);
      return EXIT.OK;
    });
  },
};
