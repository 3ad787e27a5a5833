import { saveRole } from '@keycard/server';
import { type Command, EXIT, listOption, UsageError } from '../framework/command.js';
import { CLI_ACTOR, CLI_REQUEST, DATA_DIR_OPTIONS, withDataDir } from '../util/data-dir.js';

/** `keycard roles add NAME --scope S... [--require-mfa | --no-require-mfa]`. */
export const rolesAdd: Command = {
  path: ['roles', 'add'],
  summary: 'Create or replace a role and the scopes it grants',
  usage: 'NAME [--scope SCOPE]... [--require-mfa | --no-require-mfa] [--data-dir DIR]',
  details: [
    "A token carries only scopes that the client may ask for AND the user's roles grant.",
    "--require-mfa: the role's holders sign in with a second factor (TOTP or a passkey; those",
    'without one set one up at their next sign-in), and its admins change things through the',
    'admin API only with a card of such a sign-in. Without either flag a role keeps its setting',
    '(a new role: off); --no-require-mfa turns it off.',
    'Example:\n  keycard roles add housekeeping --scope rooms:open --scope rooms:clean',
    '  keycard roles add manager --scope admin --require-mfa',
  ].join('\n'),
  options: {
    scope: { type: 'string', multiple: true, valueName: 'SCOPE', description: 'Scope the role grants' },
    'require-mfa': { type: 'boolean', description: 'Its holders must sign in with a second factor' },
    'no-require-mfa': { type: 'boolean', description: 'Turn that requirement off' },
    ...DATA_DIR_OPTIONS,
  },
  positionals: { min: 1, max: 1 },
  async run(args, io) {
    const on = args.values['require-mfa'] === true;
    const off = args.values['no-require-mfa'] === true;
    if (on && off) throw new UsageError('--require-mfa and --no-require-mfa exclude each other');
    return withDataDir(args, io, async ({ ctx }) => {
      const role = await saveRole(
        ctx,
        {
          name: args.positionals[0]!,
          scopes: listOption(args, 'scope'),
          ...(on || off ? { requireMfa: on } : {}),
        },
        { actor: CLI_ACTOR, request: CLI_REQUEST },
      );
      const mfa = role.requireMfa ? ', second factor required' : '';
      io.stdout.write(`saved role ${role.name} (scopes ${role.scopes.join(',') || '-'}${mfa})\n`);
      return EXIT.OK;
    });
  },
};
