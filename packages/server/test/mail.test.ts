import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type MailSink, startMailSink } from '../../../test/support/mail-sink.js';
import {
  createMailer,
  MAX_PENDING_MAIL,
  type Mailer,
  type MailerOptions,
  type MailMessage,
  parseConfig,
  passwordReset,
} from '../src/index.js';
import { createLogger } from '../src/logger.js';
import { getJson, type Running, startServer } from './helpers.js';

/**
 * The mailer against real SMTP servers on loopback: the demo's sink (one implementation, shared with
 * the tests), a relay that says nothing, one that refuses, and a port where nothing listens. Log
 * lines are captured from the server's own pino logger at trace level.
 */

const TOKEN = 'Zk3u9Qb1_SECRET_reset_token_0123456789abcdefghij';
const LINK = `https://keycard.example/#/reset?token=${TOKEN}`;
const resetMail = (to = 'alice@example.com') =>
  passwordReset({ to, username: 'alice', link: LINK, ttlMinutes: 30 });

interface LogLine {
  level: number;
  msg: string;
  mail?: Record<string, unknown>;
}

/** A pino logger writing into an array (raw lines and parsed). */
function capture() {
  const raw: string[] = [];
  const logger = createLogger(
    'trace',
    new Writable({
      write(chunk, _enc, done) {
        raw.push(chunk.toString());
        done();
      },
    }),
  );
  const lines = () => raw.map((line) => JSON.parse(line) as LogLine);
  return { logger, raw, lines };
}

const mailConfig = (port: number, timeoutMs = 10_000) =>
  parseConfig({ mail: { smtp: { host: '127.0.0.1', port }, from: 'desk@hotel.example', timeoutMs } }).mail;

/** A TCP server that accepts and never says a word (no SMTP greeting). */
async function silentRelay(): Promise<{ port: number; connections: () => number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let count = 0;
  const server: Server = createTcpServer((socket) => {
    count++;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    connections: () => count,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

/** A port nothing listens on (bound, then released). */
async function deadPort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

/** A real SMTP relay that answers RCPT TO or DATA with the given reply code. */
async function refusingRelay(at: 'rcpt' | 'data', responseCode: number) {
  let attempts = 0;
  const refuse = (callback: (err?: Error | null) => void) => {
    attempts++;
    callback(Object.assign(new Error(`refused, quoting ${TOKEN}`), { responseCode }));
  };
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    onRcptTo: (_a, _s, cb) => (at === 'rcpt' ? refuse(cb) : cb()),
    onData: (stream, _s, cb) => {
      stream.resume();
      stream.on('end', () => (at === 'data' ? refuse(cb) : cb()));
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.server.address() as { port: number }).port,
    attempts: () => attempts,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const FAST: MailerOptions = { attempts: 2, retryDelayMs: 10 };

describe('mailer', () => {
  let sink: MailSink;
  const open: Mailer[] = [];
  const mailer = (...args: Parameters<typeof createMailer>) => {
    const m = createMailer(...args);
    open.push(m);
    return m;
  };
  beforeAll(async () => {
    sink = await startMailSink();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((m) => m.close(0)));
  });
  afterAll(async () => {
    await sink.close();
  });

  it('delivers a real SMTP round trip into the sink: to, subject, text and html arrive', async () => {
    const { logger, lines } = capture();
    const m = mailer(mailConfig(sink.port), logger);
    expect(m.configured).toBe(true);
    const message = resetMail('round.trip@example.com');
    m.send(message);
    await m.idle();
    const got = await sink.waitFor((mail) => mail.to.includes('round.trip@example.com'), 5000);
    expect(got.to).toEqual(['round.trip@example.com']);
    expect(got.from).toContain('desk@hotel.example');
    expect(got.subject).toBe(message.subject);
    expect(got.text.trim()).toBe(message.text.trim());
    expect(got.text).toContain(LINK);
    expect(got.html).toContain(`href="${LINK}"`);
    expect(lines().filter((l) => l.level >= 40)).toEqual([]);
  });

  it('refuses a message that would reach more than one address or carry a header, and sends the rest', async () => {
    const { logger, lines } = capture();
    const m = mailer(mailConfig(sink.port), logger);
    const before = sink.messages.length;
    const bad: MailMessage[] = [
      { ...resetMail(), to: 'a@example.com, b@example.com' },
      { ...resetMail(), to: 'Alice <a@example.com>' },
      { ...resetMail(), to: 'a@example.com\r\nBcc: b@example.com' },
      { ...resetMail(), subject: 'Hi\r\nBcc: b@example.com' },
      { ...resetMail(), text: 'x'.repeat(200_000) },
      { to: 42, subject: 's', text: '', html: '' } as unknown as MailMessage,
    ];
    for (const message of bad) expect(() => m.send(message)).not.toThrow();
    m.send(resetMail('only.good@example.com'));
    await m.idle();
    await sink.waitFor((mail) => mail.to.includes('only.good@example.com'), 5000);
    expect(sink.messages.length).toBe(before + 1);
    const problems = lines()
      .filter((l) => l.msg === 'mail not sent: the message is malformed')
      .map((l) => l.mail?.problem);
    expect(problems).toEqual(['recipient', 'recipient', 'recipient', 'subject', 'body', 'recipient']);
  });

  it('a dead SMTP port neither throws nor hangs: the failure is logged with its codes, after the retries', async () => {
    const { logger, lines } = capture();
    const m = mailer(mailConfig(await deadPort(), 200), logger, FAST);
    expect(() => m.send(resetMail())).not.toThrow();
    await m.idle();
    const failures = lines().filter((l) => l.mail?.attempt !== undefined);
    expect(failures.map((l) => [l.level, l.mail?.attempt])).toEqual([
      [40, 1],
      [50, 2],
    ]);
    expect(failures[1]!.mail).toMatchObject({ cause: 'ECONNREFUSED', command: 'CONN' });
  });

  it('a relay that never greets is given up after mail.timeoutMs per attempt', async () => {
    const relay = await silentRelay();
    try {
      const { logger, lines } = capture();
      const m = mailer(mailConfig(relay.port, 200), logger, FAST);
      m.send(resetMail());
      await m.idle();
      const last = lines().at(-1)!;
      expect(last.msg).toBe('mail not sent');
      expect(last.mail).toMatchObject({ code: 'ETIMEDOUT', attempt: 2 });
      expect(relay.connections()).toBe(2);
    } finally {
      await relay.close();
    }
  });

  it('retries a 4xx answer, not a 5xx one', async () => {
    const permanent = await refusingRelay('rcpt', 550);
    const transient = await refusingRelay('data', 451);
    try {
      const { logger, lines } = capture();
      const m1 = mailer(mailConfig(permanent.port, 2000), logger, FAST);
      m1.send(resetMail());
      await m1.idle();
      expect(permanent.attempts()).toBe(1);
      const m2 = mailer(mailConfig(transient.port, 2000), logger, FAST);
      m2.send(resetMail());
      await m2.idle();
      expect(transient.attempts()).toBe(2);
      const finals = lines().filter((l) => l.msg === 'mail not sent');
      expect(finals.map((l) => l.mail)).toEqual([
        { code: 'EENVELOPE', responseCode: 550, command: 'RCPT TO', attempt: 1 },
        { code: 'EMESSAGE', responseCode: 451, command: 'DATA', attempt: 2 },
      ]);
    } finally {
      await permanent.close();
      await transient.close();
    }
  });

  it(`keeps at most ${MAX_PENDING_MAIL} messages pending: the overflow is dropped and counted, close is bounded`, async () => {
    const relay = await silentRelay();
    try {
      const { logger, lines } = capture();
      const m = createMailer(mailConfig(relay.port, 60_000), logger, FAST);
      for (let i = 0; i < MAX_PENDING_MAIL + 5; i++) m.send(resetMail(`guest${i}@example.com`));
      const full = lines().filter((l) => l.msg === 'mail queue is full: dropping messages');
      expect(full).toHaveLength(1);
      expect(full[0]!.mail).toEqual({ pending: MAX_PENDING_MAIL });
      await m.close(50);
      const all = lines();
      // What was still queued at the end of the wait is dropped in one line; the queue-full count after.
      expect(all.some((l) => l.mail?.dropped === MAX_PENDING_MAIL - 2)).toBe(true);
      expect(all.at(-1)).toMatchObject({
        msg: 'mail queue was full: messages were dropped',
        mail: { dropped: 5 },
      });
      // Closed: a late send is logged, not raised, and nothing more is attempted.
      expect(() => m.send(resetMail())).not.toThrow();
      expect(lines().at(-1)?.msg).toBe('mail not sent: the mailer is closed');
    } finally {
      await relay.close();
    }
  });

  it('never writes the link, the body or the recipient into a log line, whatever happens', async () => {
    const { logger, raw } = capture();
    const relay = await silentRelay();
    const refusing = await refusingRelay('data', 554);
    try {
      const secrets = resetMail('private.person@example.com');
      for (const port of [sink.port, relay.port, refusing.port, await deadPort()]) {
        const m = mailer(mailConfig(port, 200), logger, FAST);
        m.send(secrets);
        m.send({ ...secrets, to: `${secrets.to}, x@example.com` });
        await m.idle();
      }
      expect(raw.length).toBeGreaterThan(4);
      const all = raw.join('\n');
      for (const secret of [TOKEN, 'private.person', 'Someone asked to reset', secrets.subject])
        expect(all).not.toContain(secret);
    } finally {
      await relay.close();
      await refusing.close();
    }
  });

  it('without mail.smtp the mailer is a no-op that says it is not configured', async () => {
    const { logger, lines } = capture();
    const m = createMailer(parseConfig({}).mail, logger);
    expect(m.configured).toBe(false);
    expect(() => m.send(resetMail())).not.toThrow();
    m.send(resetMail());
    await m.idle();
    await m.close();
    expect(lines().map((l) => l.msg)).toEqual(['mail not sent: mail is not configured (mail.smtp)']);
  });
});

describe('the server and its mailer', () => {
  let sink: MailSink;
  let r: Running | undefined;
  beforeAll(async () => {
    sink = await startMailSink();
  });
  afterEach(async () => {
    await r?.close();
    r = undefined;
  });
  afterAll(async () => {
    await sink.close();
  });

  it('has a no-op mailer without mail config', async () => {
    r = await startServer({ databaseUrl: 'memory' });
    expect(r.server.services.mailer.configured).toBe(false);
  });

  it('mails through the configured relay, and a stopping server hands queued mail over first', async () => {
    r = await startServer({
      databaseUrl: 'memory',
      mail: { smtp: { host: '127.0.0.1', port: sink.port }, from: 'desk@hotel.example' },
    });
    const { mailer } = r.server.services;
    expect(mailer.configured).toBe(true);
    mailer.send(resetMail('at.shutdown@example.com'));
    await r.close();
    r = undefined;
    expect(sink.messages.some((m) => m.to.includes('at.shutdown@example.com'))).toBe(true);
  });

  it('tells the web app where the mailbox is (ui.mailbox) and lets the page reach it (CSP)', async () => {
    r = await startServer({ databaseUrl: 'memory', ui: { mailbox: 'http://127.0.0.1:4005/mailbox' } });
    const ui = await getJson(`${r.url}/api/ui-config`);
    expect(ui.body).toEqual({
      issuer: r.url,
      doors: [],
      accounts: { passwordReset: false, signup: false, emailVerification: false },
      mailbox: 'http://127.0.0.1:4005/mailbox',
    });
    const { contentSecurityPolicy } = await import('../src/http/security-headers.js');
    expect(contentSecurityPolicy(r.server.services.config)).toContain(
      "connect-src 'self' http://127.0.0.1:4005",
    );
  });
});
