import { isAbsolute, relative } from 'node:path';
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
    `  billing     node:http door            ${hotel.doors.billing}/billing/bill  (minibar: POST ${hotel.doors.rooms}/rooms/101/minibar)`,
    `  mailbox     demo mail (read-only)     ${hotel.mailbox.url}  (SMTP sink 127.0.0.1:${hotel.mailbox.sink.port})`,
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
  const inside = relative(process.cwd(), hotel.dataDir);
  const dir = inside === '' ? '.' : inside.startsWith('..') || isAbsolute(inside) ? hotel.dataDir : inside;
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
  // Listen before starting, so a Ctrl-C during start-up still closes what was started.
  let signalled: NodeJS.Signals | undefined;
  let wake = (): void => {};
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signalled !== undefined) process.exit(130); // a second Ctrl-C leaves at once (doors exit with us)
    signalled = signal;
    wake();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // Started by a supervisor (or a test) with an IPC channel: close when it goes away.
  const onDisconnect = (): void => onSignal('SIGTERM');
  process.once('disconnect', onDisconnect);
  try {
    let hotel: Hotel;
    try {
      const parsed = parseHotelArgs(argv);
      if (parsed.help) {
        out(HOTEL_USAGE);
        return 0;
      }
      hotel = await startHotel({ ...parsed.options, output: out });
    } catch (error) {
      if (signalled !== undefined) {
        out(`\n${signalled} during start-up: stopped.`);
        return 130;
      }
      if (error instanceof HotelUsageError) err(`keycard demo: ${error.message}\n\n${HOTEL_USAGE}`);
      else if (error instanceof PortInUseError) err(`keycard demo: ${error.message}`);
      else err(`keycard demo: could not start: ${error instanceof Error ? error.message : String(error)}`);
      return 1;
    }
    let failure: string | undefined;
    if (signalled === undefined) {
      out(banner(hotel));
      failure = await Promise.race([
        new Promise<undefined>((resolve) => {
          wake = () => resolve(undefined);
        }),
        hotel.doorFailed,
      ]);
    }
    if (failure !== undefined) err(`keycard demo: ${failure}; closing the hotel.`);
    else out(`\n${signalled}: closing the hotel…`);
    await hotel.stop();
    out('The hotel is closed.');
    return failure === undefined ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('disconnect', onDisconnect);
  }
}
