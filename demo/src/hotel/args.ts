import { parseArgs } from 'node:util';
import type { HotelOptions } from './start-hotel.js';

/** `keycard demo --help`. */
export const HOTEL_USAGE = `Usage: keycard demo [options]

Runs the keycard hotel: the auth server with the web app (the front desk) and four door
services, each its own process using @keycard/guard. Ctrl-C stops everything.

Options:
  --port N             keycard server and web app (default 4000, env KEYCARD_DEMO_PORT);
                       0 picks free ports for every service
  --rooms-port N       rooms door, Express (default port + 1)
  --amenities-port N   pool and garage door, Fastify (default port + 2)
  --office-port N      manager's office door, Hono (default port + 3)
  --billing-port N     billing desk, node:http (default port + 4)
  --mailbox-port N     the demo mailbox: the mail the front desk sent, read-only, on
                       127.0.0.1 only (default port + 5)
  --host HOST          interface to listen on (default 127.0.0.1, env KEYCARD_DEMO_HOST)
  --data-dir DIR       demo database and keys (default .keycard-demo, env KEYCARD_DEMO_DATA_DIR)
  -h, --help           this text

Other KEYCARD_* variables configure the server as for \`keycard serve\`
(e.g. KEYCARD_ACCESS_TOKEN_TTL=60), except KEYCARD_MAIL_*: the front desk mails the demo
mailbox only. Demo data only: never use these accounts for anything real.`;

/** A command-line mistake, reported without a stack trace. */
export class HotelUsageError extends Error {
  readonly code = 'ERR_DEMO_USAGE';
}

function port(value: string | undefined, flag: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65_535) throw new HotelUsageError(`${flag}: not a port number: ${value}`);
  return n;
}

/**
 * Parses `keycard demo` arguments (flags win over KEYCARD_DEMO_* variables); `help` when asked for.
 *
 * @example
 * ```ts
 * const parsed = parseHotelArgs(['--port', '0'], process.env);
 * ```
 */
export function parseHotelArgs(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
): { help: true } | { help: false; options: HotelOptions } {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        'rooms-port': { type: 'string' },
        'amenities-port': { type: 'string' },
        'office-port': { type: 'string' },
        'billing-port': { type: 'string' },
        'mailbox-port': { type: 'string' },
        host: { type: 'string' },
        'data-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new HotelUsageError((error as Error).message);
  }
  if (values.help === true) return { help: true };
  const str = (v: string | boolean | undefined) => (typeof v === 'string' ? v : undefined);
  const doorPorts: NonNullable<HotelOptions['doorPorts']> = {};
  for (const name of ['rooms', 'amenities', 'office', 'billing'] as const) {
    const p = port(str(values[`${name}-port`]), `--${name}-port`);
    if (p !== undefined) doorPorts[name] = p;
  }
  return {
    help: false,
    options: {
      port: port(str(values.port), '--port') ?? port(env.KEYCARD_DEMO_PORT, 'KEYCARD_DEMO_PORT') ?? 4000,
      host: str(values.host) ?? (env.KEYCARD_DEMO_HOST || '127.0.0.1'),
      dataDir: str(values['data-dir']) ?? (env.KEYCARD_DEMO_DATA_DIR || '.keycard-demo'),
      doorPorts,
      mailboxPort: port(str(values['mailbox-port']), '--mailbox-port'),
      env,
    },
  };
}
