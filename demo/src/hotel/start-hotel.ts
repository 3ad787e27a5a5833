import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { createServer, type KeycardServer, loadConfig } from '@keycard/server';
import { type Mailbox, startMailbox } from '../mailbox/mailbox.js';
import { type DoorProcess, spawnDoor, waitHealthy } from './door-process.js';
import { PortInUseError, reservePort } from './ports.js';
import { ROOMS_SERVICE_ID, registerRoomsService, roomRegister, seedHotel } from './seed.js';

/** The door services, in start order. */
export const DOOR_NAMES = ['rooms', 'amenities', 'office', 'billing'] as const;
export type DoorName = (typeof DOOR_NAMES)[number];

/** Options of {@link startHotel}. */
export interface HotelOptions {
  /** Interface for every service (default 127.0.0.1). */
  host?: string;
  /** The keycard server's port (default 4000; 0 picks free ports for everything). */
  port?: number;
  /** Door ports (default: the server's port + 1, + 2, + 3, + 4; free ports when `port` is 0). */
  doorPorts?: Partial<Record<DoorName, number>>;
  /** The mailbox listing on 127.0.0.1 (default: the server's port + 5; a free port when `port` is 0). */
  mailboxPort?: number;
  /** SQLite database and master key (default `.keycard-demo` in the working directory). */
  dataDir?: string;
  /** Where `KEYCARD_*` server settings are read from (default process.env). */
  env?: Record<string, string | undefined>;
  /** Receives the doors' output lines (default console.log). */
  output?: (line: string) => void;
}

/** A running hotel. */
export interface Hotel {
  /** The web app (and issuer) URL. */
  readonly url: string;
  /** Base URL of each door service. */
  readonly doors: Readonly<Record<DoorName, string>>;
  /** The mail the front desk sent: `mailbox.url` lists it (read-only), `mailbox.sink` holds it. */
  readonly mailbox: Mailbox;
  /** True when this start seeded an empty data dir (the demo passwords are worth printing). */
  readonly firstRun: boolean;
  readonly dataDir: string;
  readonly server: KeycardServer;
  /** Resolves with a message if a door process ends on its own while the hotel runs. */
  readonly doorFailed: Promise<string>;
  /** Stops the doors, then the server, then the mailbox. Idempotent. */
  stop(): Promise<void>;
}

async function choosePorts(host: string, port: number, options: HotelOptions) {
  const server = await reservePort('keycard server', port, host);
  const taken = new Set([server]);
  const pick = async (what: string, wanted: number, on: string) => {
    let chosen = await reservePort(what, wanted, on);
    // Port 0 may hand back a port just released for another service.
    while (wanted === 0 && taken.has(chosen)) chosen = await reservePort(what, 0, on);
    if (taken.has(chosen)) throw new PortInUseError(what, chosen);
    taken.add(chosen);
    return chosen;
  };
  const doors = {} as Record<DoorName, number>;
  for (const [i, name] of DOOR_NAMES.entries()) {
    doors[name] = await pick(
      `${name} door`,
      options.doorPorts?.[name] ?? (port === 0 ? 0 : port + i + 1),
      host,
    );
  }
  // The mailbox listens on loopback whatever `host` is: it shows the mailed links.
  const mailbox = await pick('mailbox', options.mailboxPort ?? (port === 0 ? 0 : port + 5), '127.0.0.1');
  return { server, doors, mailbox };
}

/** `KEYCARD_MAIL_*` would send the demo's mail elsewhere (or log in to the sink): the hotel sets its own. */
function withoutMailSettings(env: Record<string, string | undefined>): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('KEYCARD_MAIL_')));
}

/**
 * The front desk's door buttons (`ui.doors`): one per door the demo shows, each naming the audience
 * of its service, so the page presents that door's own card there and nowhere else.
 */
function uiDoors(doors: Record<DoorName, string>) {
  return [
    {
      id: 'room-101',
      name: 'Room 101',
      url: `${doors.rooms}/rooms/101/open`,
      audience: 'rooms',
      description:
        "Rooms service (Express). Opens only for room 101's guest: the card's sub must own the room.",
    },
    {
      id: 'room-102',
      name: 'Room 102',
      url: `${doors.rooms}/rooms/102/open`,
      audience: 'rooms',
      description:
        "Rooms service (Express). Opens only for room 102's guest: the card's sub must own the room.",
    },
    {
      id: 'minibar-101',
      name: 'Minibar in room 101',
      url: `${doors.rooms}/rooms/101/minibar`,
      audience: 'rooms',
      method: 'POST' as const,
      description:
        "Rooms service charges the guest's bill at billing on the guest's behalf: it exchanges the rooms card for a billing card whose act names it.",
    },
    {
      id: 'pool',
      name: 'Pool',
      url: `${doors.amenities}/pool/open`,
      audience: 'amenities',
      description: 'Amenities service (Fastify). Needs the pool scope.',
    },
    {
      id: 'garage',
      name: 'Garage',
      url: `${doors.amenities}/garage/open`,
      audience: 'amenities',
      description: 'Amenities service (Fastify). Needs the garage scope.',
    },
    {
      id: 'office',
      name: "Manager's office",
      url: `${doors.office}/office/open`,
      audience: 'office',
      description: 'Office service (Hono). Only the manager role gets in.',
    },
    {
      id: 'bill',
      name: 'Your bill',
      url: `${doors.billing}/billing/bill`,
      audience: 'billing',
      description: 'Billing service (node:http). Your own card, nobody acting for you.',
    },
  ];
}

/** The front desk's configuration: `KEYCARD_*` settings, then the hotel's own addresses, doors and mailbox. */
function hotelConfig(
  env: Record<string, string | undefined>,
  at: {
    url: string;
    host: string;
    port: number;
    dataDir: string;
    doorUrls: Record<DoorName, string>;
    mailbox: Mailbox;
  },
) {
  return loadConfig({
    env: withoutMailSettings(env),
    overrides: {
      issuer: at.url,
      host: at.host,
      port: at.port,
      dataDir: at.dataDir,
      // The demo's own output is the banner; server logs only problems unless asked.
      logLevel: (env.KEYCARD_LOG_LEVEL || 'error') as 'error',
      ui: { doors: uiDoors(at.doorUrls), mailbox: at.mailbox.url },
      mail: at.mailbox.mailConfig,
    },
  });
}

/**
 * Starts the whole hotel: the keycard server (in this process, SQLite in the data dir, seeded on first
 * run) and the four door services as child processes, then waits until every one answers /healthz.
 *
 * @example
 * ```ts
 * const hotel = await startHotel({ port: 4000 });
 * console.log(`open ${hotel.url}`);
 * await hotel.stop();
 * ```
 */
export async function startHotel(options: HotelOptions = {}): Promise<Hotel> {
  const host = options.host ?? '127.0.0.1';
  const env = options.env ?? process.env;
  const output = options.output ?? ((line: string) => console.log(line));
  const dataDir = resolve(options.dataDir ?? '.keycard-demo');
  const ports = await choosePorts(host, options.port ?? 4000, options);
  const origin = (p: number) => `http://${host.includes(':') ? `[${host}]` : host}:${p}`;
  // Passkeys need a host name: browsers refuse an IP address as the WebAuthn RP ID, and the front
  // desk's RP ID is its issuer's host. On loopback the hotel therefore calls itself
  // http://localhost:PORT (a secure context for browsers) while it listens on 127.0.0.1 only.
  const url = host === '127.0.0.1' ? `http://localhost:${ports.server}` : origin(ports.server);
  const doorUrls = Object.fromEntries(DOOR_NAMES.map((n) => [n, origin(ports.doors[n])])) as Record<
    DoorName,
    string
  >;

  // The page may be opened at 127.0.0.1 too; both origins may call the doors and read the mailbox.
  const corsOrigins = host === '127.0.0.1' ? [url, origin(ports.server)] : [url];

  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const mailbox = await startMailbox({ port: ports.mailbox, origins: corsOrigins });
  let server: KeycardServer;
  try {
    server = await createServer(
      hotelConfig(env, { url, host, port: ports.server, dataDir, doorUrls, mailbox }),
    );
  } catch (error) {
    await mailbox.close();
    throw error;
  }
  const doors: DoorProcess[] = [];
  let stopping = false;
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping = true;
    stopped ??= (async () => {
      await Promise.all(doors.map((d) => d.stop()));
      // The server first: its mailer hands what is queued to the sink before the sink closes.
      await server.close();
      await mailbox.close();
    })();
    return stopped;
  };
  try {
    const firstRun = await seedHotel(server);
    const register = await roomRegister(server);
    // Made fresh at every start and handed to the rooms door only, in its environment.
    const roomsServiceSecret = await registerRoomsService(server);
    try {
      await server.listen();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE')
        throw new PortInUseError('keycard server', ports.server);
      throw error;
    }
    for (const name of DOOR_NAMES) {
      const extra: Record<string, string> =
        name === 'rooms'
          ? {
              ROOM_GUESTS: JSON.stringify(register),
              ROOMS_SERVICE_ID,
              ROOMS_SERVICE_SECRET: roomsServiceSecret,
              BILLING_URL: doorUrls.billing,
            }
          : name === 'billing'
            ? { BILLING_ACTOR: ROOMS_SERVICE_ID }
            : {};
      doors.push(
        spawnDoor({ name, port: ports.doors[name], env: extra }, { issuer: url, host, corsOrigins, output }),
      );
    }
    await Promise.all(doors.map((d) => waitHealthy(d)));
    const doorFailed = Promise.race(
      doors.map((d) =>
        d.exited.then(async (code) => {
          // A door stopping on its own is reported; one stopped by stop() is not. Ctrl-C reaches the
          // doors and the demo at once: give the demo's own signal handler a moment to run first.
          await new Promise((r) => setTimeout(r, 250));
          if (stopping) return new Promise<string>(() => {});
          return `the ${d.name} door stopped unexpectedly (${code})`;
        }),
      ),
    );
    return { url, doors: doorUrls, mailbox, firstRun, dataDir, server, doorFailed, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
