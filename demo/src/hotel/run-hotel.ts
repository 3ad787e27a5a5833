import { relative } from 'node:path';
import { HOTEL_USAGE, HotelUsageError, parseHotelArgs } from './args.js';
import { PortInUseError } from './ports.js';
import { DEMO_GUESTS } from './seed.js';
import { type Hotel, startHotel } from './start-hotel.js';

function banner(hotel: Hotel): string {
  const lines = [
    '',
    'The keycard hotel is open (a demo: not for production).',
    '',
    `  Open ${hotel.url}/ in your browser.`,
    '',
    `  front desk  keycard server + web app  ${hotel.url}`,
    `  rooms       Express door              ${hotel.doors.rooms}/rooms/101/open`,
    `  amenities   Fastify door              ${hotel.doors.amenities}/pool/open  /garage/open`,
    `  office      Hono door                 ${hotel.doors.office}/office/open`,
    '',
  ];
  if (hotel.firstRun) {
    lines.push('  Demo accounts (demo-only passwords, shown once; also in demo/README.md):');
    for (const g of DEMO_GUESTS) {
      const who = g.room === undefined ? `staff, ${g.roles.join(', ')}` : `guest in room ${g.room}`;
      lines.push(`    ${g.username.padEnd(6)} ${g.password.padEnd(16)} ${who}`);
    }
  } else {
    lines.push('  Sign in as alice, bob or carol (demo passwords: demo/README.md).');
  }
  const dir = relative(process.cwd(), hotel.dataDir) || '.';
  lines.push(`  Data: ${dir} (delete it to start over).`, '', '  Press Ctrl-C to stop.', '');
  return lines.join('\n');
}

/** Where the demo writes (the CLI passes its own IO; default the process streams). */
export interface HotelIO {
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
}

/**
 * `keycard demo`: starts the hotel, prints where to go, and runs until SIGINT/SIGTERM (or a door dies),
 * then stops every process. Resolves with the exit code.
 *
 * @example
 * ```ts
 * process.exitCode = await runHotel(process.argv.slice(2));
 * ```
 */
export async function runHotel(argv: string[], io: HotelIO = process): Promise<number> {
  const out = (text: string) => io.stdout.write(`${text}\n`);
  const err = (text: string) => io.stderr.write(`${text}\n`);
  let hotel: Hotel;
  try {
    const parsed = parseHotelArgs(argv);
    if (parsed.help) {
      out(HOTEL_USAGE);
      return 0;
    }
    hotel = await startHotel({ ...parsed.options, output: out });
  } catch (error) {
    if (error instanceof HotelUsageError) err(`keycard demo: ${error.message}\n\n${HOTEL_USAGE}`);
    else if (error instanceof PortInUseError) err(`keycard demo: ${error.message}`);
    else err(`keycard demo: could not start: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  out(banner(hotel));
  const reason = await new Promise<string | undefined>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      // A second Ctrl-C while stopping leaves at once (the doors still exit with their parent).
      process.once('SIGINT', () => process.exit(130));
      out(`\n${signal}: closing the hotel…`);
      resolve(undefined);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    void hotel.doorFailed.then(resolve);
  });
  if (reason !== undefined) err(`keycard demo: ${reason}; closing the hotel.`);
  await hotel.stop();
  out('The hotel is closed.');
  return reason === undefined ? 0 : 1;
}
