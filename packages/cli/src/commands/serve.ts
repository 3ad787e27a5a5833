import { resolve } from 'node:path';
import {
  createServer,
  ENV_OPTIONS,
  type KeycardConfigInput,
  type KeycardServer,
  loadConfig,
} from '@keycard/server';
import { CliError, type Command, EXIT, stringOption, UsageError } from '../framework/command.js';
import { configFileOf, toCliError } from '../util/data-dir.js';
import { shutdownSignal } from '../util/shutdown.js';
import { shippedWebAppDir } from '../util/web-dir.js';

function portOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65_535) throw new UsageError(`invalid --port '${value}'`);
  return Number(value);
}

/** `keycard serve`: the auth server in the foreground until SIGINT/SIGTERM. */
export const serve: Command = {
  path: ['serve'],
  summary: 'Run the auth server (SQLite in the data dir, no other setup)',
  usage:
    '[--port 4000] [--host 127.0.0.1] [--data-dir .keycard] [--issuer URL] [--config keycard.config.json]',
  details: [
    'Starts the keycard auth server in the foreground. The first start creates the data dir with',
    'keycard.db (SQLite), master.key (mode 0600, unless KEYCARD_MASTER_KEY is set), the signing',
    "keys, the 'manager' and 'guest' roles, the web app's client 'keycard-web' (DPoP required) and",
    "'keycard-cli' for scripts and curl (Bearer cards). Ctrl-C (SIGINT)",
    'or SIGTERM stops it gracefully: no new connections, revocation streams ended, in-flight',
    'requests finished, storage closed. A second signal forces the exit.',
    '',
    'The web app (sign-in, account, admin console) is served from ui.staticDir (KEYCARD_UI_DIR)',
    'when set, else from the build that ships with @keycard/cli: nothing else to install.',
    '',
    'Configuration: defaults, then the JSON file (--config or KEYCARD_CONFIG), then these',
    'environment variables, then the flags above. Every option is documented in',
    'packages/server/README.md.',
    ...ENV_OPTIONS.map((o) => `  ${o.name}`),
    '',
    'Example:',
    "  keycard users add alice --role manager --password-stdin <<< 'correct horse battery staple'",
    '  keycard serve --port 4000',
  ].join('\n'),
  options: {
    port: {
      type: 'string',
      valueName: 'PORT',
      description: 'Port to listen on (default 4000; 0 = any free port)',
    },
    host: { type: 'string', valueName: 'HOST', description: 'Interface to listen on (default 127.0.0.1)' },
    'data-dir': { type: 'string', valueName: 'DIR', description: 'Data directory (default .keycard)' },
    issuer: {
      type: 'string',
      valueName: 'URL',
      description: "Public base URL, the tokens' iss (default http://HOST:PORT)",
    },
    config: { type: 'string', valueName: 'FILE', description: 'JSON config file (default $KEYCARD_CONFIG)' },
  },
  async run(args, io) {
    const overrides: KeycardConfigInput = {};
    const port = portOf(stringOption(args, 'port'));
    if (port !== undefined) overrides.port = port;
    const host = stringOption(args, 'host');
    if (host !== undefined) overrides.host = host;
    const dataDir = stringOption(args, 'data-dir') ?? io.env['KEYCARD_DATA_DIR'];
    overrides.dataDir = resolve(io.cwd, dataDir ?? '.keycard');
    const issuer = stringOption(args, 'issuer');
    if (issuer !== undefined) overrides.issuer = issuer;
    const configFile = configFileOf(args, io);

    let server: KeycardServer | undefined;
    let url: string;
    const stopped = shutdownSignal(io, 'keycard serve');
    try {
      const load = () =>
        loadConfig({ ...(configFile !== undefined ? { file: configFile } : {}), env: io.env, overrides });
      let config = load();
      // ui.staticDir wins; otherwise the workspace's web build (a clone) or the copy in the tarball.
      const staticDir = config.ui.staticDir === undefined ? shippedWebAppDir() : undefined;
      if (staticDir !== undefined) {
        overrides.ui = { staticDir };
        config = load();
      }
      server = await createServer(config);
      url = await server.listen();
    } catch (error) {
      stopped.cancel();
      await server?.close();
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        throw new CliError(`port ${overrides.port ?? 4000} is in use (try --port)`, EXIT.USAGE);
      }
      throw toCliError(error);
    }
    io.stdout.write(
      `keycard server listening on ${url}\n  issuer  ${server.services.issuer}\n  data    ${overrides.dataDir}\n` +
        `  JWKS    ${server.services.issuer}/.well-known/jwks.json\nPress Ctrl-C to stop.\n`,
    );
    if ((await server.services.storage.users.list({ limit: 1 })).length === 0) {
      io.stdout.write(
        "No users yet. Add one (the 'manager' role opens the admin console):\n" +
          `  keycard users add NAME --role manager --password-stdin --data-dir ${overrides.dataDir}\n`,
      );
    }
    const signal = await stopped.received;
    io.stdout.write(`\n${signal}: shutting down\n`);
    try {
      await server.close();
    } finally {
      stopped.cancel();
    }
    io.stdout.write('stopped\n');
    return EXIT.OK;
  },
};
