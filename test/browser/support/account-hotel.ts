// A front desk for the account, admin and email browser tests: the demo's people (seedHotel, with
// verified addresses at hotel.example) on a
// keycard server started in-process on `localhost` (browsers refuse an IP address as a passkey's
// RP ID), mailing to the demo's SMTP sink, whose read-only listing the web app's Mailbox page
// reads (`ui.mailbox`). Its clock can be moved forward (the only thing mocked) so that a sign-in
// becomes too old for a sensitive change without the test waiting minutes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type KeycardServer, type ServerContext } from '@keycard/server';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { reservePort, seedHotel } from '../../../demo/src/index.js';
import { type MailboxHttp, startMailboxHttp } from '../../../demo/src/mailbox/mailbox-http.js';
import { type MailSink, type ReceivedMail, startMailSink } from '../../support/mail-sink.js';
import { launchBrowser, newPerson } from './browser.js';

/**
 * A sign-in older than this cannot change factors or the account. The tests move the clock past it
 * by less than 300 s: the browser's DPoP proofs (its own clock) must stay young enough for the server.
 */
export const RECENT_AUTH_SECONDS = 120;
export const MAIL_FROM = 'front-desk@hotel.example';

export interface AccountHotel {
  /** `http://localhost:PORT`: the issuer and the web app. */
  url: string;
  server: KeycardServer;
  ctx: ServerContext;
  sink: MailSink;
  mailbox: MailboxHttp;
  /** The server's clock, ms (the test computes TOTP codes with it). */
  now(): number;
  /** Moves the server's clock forward by `seconds` (never back). */
  advance(seconds: number): void;
  /** The first mail to `to` whose subject matches, arrived after `since` (ms). */
  mailTo(to: string, subject: RegExp, since?: number): Promise<ReceivedMail>;
  close(): Promise<void>;
}

/**
 * Starts the sink, the mailbox listing and the server (seeded like the demo: alice, bob, carol).
 *
 * @example
 * const hotel = await openAccountHotel({ signup: true });
 */
export async function openAccountHotel(opts: { signup?: boolean } = {}): Promise<AccountHotel> {
  const dataDir = mkdtempSync(join(tmpdir(), 'keycard-account-'));
  const port = await reservePort('keycard server', 0, 'localhost');
  const url = `http://localhost:${port}`;
  const sink = await startMailSink();
  const mailbox = await startMailboxHttp(sink, { origins: [url] });
  let offsetMs = 0;
  let server: KeycardServer;
  try {
    server = await createServer(
      {
        logLevel: 'silent',
        dataDir,
        host: 'localhost',
        port,
        issuer: url,
        mail: { smtp: { host: '127.0.0.1', port: sink.port, secure: false }, from: MAIL_FROM },
        accounts: { signup: opts.signup === true },
        mfa: { recentAuthMaxAge: RECENT_AUTH_SECONDS },
        ui: { mailbox: mailbox.url },
      },
      { unsafeFastPasswordHashingForTests: true, jobs: false, clock: () => Date.now() + offsetMs },
    );
    await seedHotel(server);
    await server.listen();
  } catch (error) {
    await mailbox.close();
    await sink.close();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  if (!server.services.webPages) {
    await server.close();
    throw new Error('the server does not serve the web app: run `npm run build`');
  }
  const ctx = server.services;
  return {
    url,
    server,
    ctx,
    sink,
    mailbox,
    now: () => Date.now() + offsetMs,
    advance(seconds) {
      offsetMs += seconds * 1000;
    },
    mailTo: (to, subject, since = 0) =>
      sink.waitFor((m) => m.to.includes(to) && subject.test(m.subject) && m.receivedAt >= since, 10_000),
    async close() {
      await server.close().catch(() => {});
      await mailbox.close();
      await sink.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The hotel, Chromium, and the people of one test file (each a new browser context). */
export interface AccountLobby {
  hotel: AccountHotel;
  browser: Browser;
  /** A new person: an isolated context (own cookies) with its first page. */
  person(): Promise<Page>;
  /** Closes every person, the browser and the hotel. */
  close(): Promise<void>;
}

/**
 * The hotel and Chromium side by side; if one fails, the other is closed before the error is
 * thrown, so a failed beforeAll leaves nothing behind.
 */
export async function openAccountHotelAndBrowser(opts: { signup?: boolean } = {}): Promise<AccountLobby> {
  const [started, launched] = await Promise.allSettled([openAccountHotel(opts), launchBrowser()]);
  if (started.status !== 'fulfilled' || launched.status !== 'fulfilled') {
    if (started.status === 'fulfilled') await started.value.close();
    if (launched.status === 'fulfilled') await launched.value.close();
    throw started.status === 'rejected' ? started.reason : (launched as PromiseRejectedResult).reason;
  }
  const hotel = started.value;
  const browser = launched.value;
  const contexts: BrowserContext[] = [];
  return {
    hotel,
    browser,
    async person() {
      const context = await newPerson(browser);
      contexts.push(context);
      return context.newPage();
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => {});
      await browser.close();
      await hotel.close();
    },
  };
}
