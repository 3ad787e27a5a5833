import { CliError, type Command, EXIT, stringOption } from '../framework/command.js';

/** What `keycard demo` needs from @keycard/demo (the private workspace that holds the hotel). */
interface DemoModule {
  runHotel(
    argv: string[],
    io: { stdout: { write(s: string): unknown }; stderr: { write(s: string): unknown } },
  ): Promise<number>;
}

// A variable specifier: the demo is loaded only when this command runs, and the CLI's build does
// not depend on the demo workspace (which lives in the repository, not in the published CLI).
const DEMO_MODULE: string = '@keycard/demo';

const FLAGS = [
  'port',
  'rooms-port',
  'amenities-port',
  'office-port',
  'billing-port',
  'host',
  'data-dir',
] as const;

/** `keycard demo`: the hotel — auth server, web app and four door services — in one command. */
export const demo: Command = {
  path: ['demo'],
  summary: 'Run the hotel demo: auth server, web app and four door services',
  usage:
    '[--port N] [--rooms-port N] [--amenities-port N] [--office-port N] [--billing-port N] [--host HOST] [--data-dir DIR]',
  details: [
    'Starts the keycard server (SQLite in --data-dir, seeded on first run with the guests alice and',
    'bob and the manager carol) and four door services as separate processes, each verifying cards',
    'with @keycard/guard: rooms (Express, ownership), amenities (Fastify, scopes), office (Hono,',
    'role) and billing (node:http, delegation: the minibar charges on the guest’s behalf). Prints the',
    'URL to open; Ctrl-C stops everything. Same as `npm start` in the repository.',
    '',
    'Environment: KEYCARD_DEMO_PORT, KEYCARD_DEMO_HOST, KEYCARD_DEMO_DATA_DIR; other KEYCARD_*',
    'variables configure the server as for `keycard serve`. Demo accounts only: nothing real.',
  ].join('\n'),
  options: {
    port: {
      type: 'string',
      valueName: 'N',
      description: 'Server and web app port (default 4000; 0 = free ports)',
    },
    'rooms-port': { type: 'string', valueName: 'N', description: 'Rooms door (Express), default port + 1' },
    'amenities-port': {
      type: 'string',
      valueName: 'N',
      description: 'Pool/garage door (Fastify), default port + 2',
    },
    'office-port': {
      type: 'string',
      valueName: 'N',
      description: "Manager's office door (Hono), default port + 3",
    },
    'billing-port': {
      type: 'string',
      valueName: 'N',
      description: 'Billing door (node:http), default port + 4',
    },
    host: { type: 'string', valueName: 'HOST', description: 'Interface to listen on (default 127.0.0.1)' },
    'data-dir': {
      type: 'string',
      valueName: 'DIR',
      description: 'Demo database and keys (default .keycard-demo)',
    },
  },
  async run(args, io) {
    let hotel: DemoModule;
    try {
      hotel = (await import(DEMO_MODULE)) as DemoModule;
    } catch (cause) {
      throw new CliError(
        'the demo is part of the keycard repository: run it there with `npm start`',
        EXIT.FAILURE,
        {
          cause,
        },
      );
    }
    const argv = FLAGS.flatMap((flag) => {
      const value = stringOption(args, flag);
      return value === undefined ? [] : [`--${flag}`, value];
    });
    return hotel.runHotel(argv, io);
  },
};
