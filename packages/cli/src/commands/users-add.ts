import { createUser, publicUserRecord } from '@keycard/server';
import { type Command, EXIT, listOption, UsageError } from '../framework/command.js';
import {
  CLI_ACTOR,
  CLI_REQUEST,
  DATA_DIR_OPTIONS,
  readPasswordFromStdin,
  withDataDir,
} from '../util/data-dir.js';

/** Parses `--claim key=value` (values that look like JSON are parsed: numbers, booleans, arrays). */
function claimsOf(pairs: string[]): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--claim expects KEY=VALUE, got '${pair}'`);
    const raw = pair.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // A plain string.
    }
    claims[pair.slice(0, eq)] = value;
  }
  return claims;
}

/** `keycard users add NAME [--role R]... [--email E] --password-stdin`. */
export const usersAdd: Command = {
  path: ['users', 'add'],
  summary: 'Create a user in the data dir (password read from stdin)',
  usage: 'NAME [--role ROLE]... [--claim KEY=VALUE]... [--email ADDRESS] --password-stdin [--data-dir DIR]',
  details: [
    'The password is read from stdin so it never appears in the shell history or the process list.',
    "Roles must exist ('guest' and 'manager' are created on first start; manager grants the admin scope).",
    "Claims are copied into the user's access tokens (e.g. --claim room=101).",
    'An --email address is stored as verified (you vouch for it): password-reset links go to it.',
    '',
    'Examples:',
    "  keycard users add alice --role guest --claim room=101 --email alice@hotel.example --password-stdin <<< 'correct horse battery staple'",
    '  keycard users add carol --role manager --password-stdin < carol.pw',
  ].join('\n'),
  options: {
    role: { type: 'string', multiple: true, valueName: 'ROLE', description: 'Role to give the user' },
    claim: { type: 'string', multiple: true, valueName: 'KEY=VALUE', description: 'Custom token claim' },
    email: { type: 'string', valueName: 'ADDRESS', description: "The user's email address (verified)" },
    'password-stdin': { type: 'boolean', description: 'Read the password from stdin (required)' },
    ...DATA_DIR_OPTIONS,
  },
  positionals: { min: 1, max: 1 },
  async run(args, io) {
    if (args.values['password-stdin'] !== true) throw new UsageError('--password-stdin is required');
    const claims = claimsOf(listOption(args, 'claim'));
    const email = args.values['email'];
    const password = await readPasswordFromStdin(io);
    return withDataDir(args, io, async ({ ctx }) => {
      const user = await createUser(
        ctx,
        {
          username: args.positionals[0]!,
          password,
          roles: listOption(args, 'role'),
          claims,
          ...(typeof email === 'string' ? { email, emailVerified: true } : {}),
        },
        { actor: CLI_ACTOR, request: CLI_REQUEST },
      );
      const shown = publicUserRecord(user);
      io.stdout.write(
        `created user ${shown.username} (id ${shown.id}, roles ${shown.roles.join(',') || '-'}${shown.email === null ? '' : `, email ${shown.email}`})\n`,
      );
      return EXIT.OK;
    });
  },
};
