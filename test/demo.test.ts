// `keycard demo` (what `npm start` runs) as a real child process: it starts the server and four
// door processes, answers, and on SIGINT stops them all; a port in use is a clear error.

import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { createServer, type Server } from 'node:net';
import { createTransport } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dpopLogin } from './browser/support/dpop-client.js';
import {
  alive,
  apiLogin,
  CLI,
  missingBuild,
  PASSWORDS,
  ROOT,
  type RunningHotel,
  startHotelProcess,
} from './browser/support/hotel.js';

const notBuilt = missingBuild();
if (notBuilt !== undefined) console.warn(`test/demo.test.ts skipped: ${notBuilt}`);

async function waitGone(pids: number[], ms: number): Promise<number[]> {
  const deadline = Date.now() + ms;
  let left = pids.filter(alive);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    left = left.filter(alive);
  }
  return left;
}

describe.skipIf(notBuilt !== undefined)('keycard demo', () => {
  let hotel: RunningHotel;
  beforeAll(async () => {
    hotel = await startHotelProcess();
  });
  afterAll(async () => {
    await hotel?.dispose();
  });

  it('prints the URL and the demo accounts on first run, and every service answers', async () => {
    expect(hotel.output()).toContain('Demo accounts');
    expect(hotel.output()).toContain(PASSWORDS.alice);
    const page = await fetch(`${hotel.url}/`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="app"');
    for (const door of Object.values(hotel.doors)) {
      expect((await fetch(`${door}/healthz`)).status).toBe(200);
    }
    const alice = await dpopLogin(hotel.url, 'alice');
    const rooms = await alice.mint('rooms');
    expect(rooms.token_type).toBe('DPoP');
    const open = await alice.call(`${hotel.doors.rooms}/rooms/101/open`, rooms.access_token);
    expect(await open.json()).toEqual({ opened: true, door: 'room 101', by: 'alice' });
  });

  it("charges the minibar to alice's bill through an exchanged card: guest → rooms-service → billing", async () => {
    const alice = await dpopLogin(hotel.url, 'alice');
    const rooms = await alice.mint('rooms');
    const res = await alice.call(`${hotel.doors.rooms}/rooms/101/minibar`, rooms.access_token, {
      method: 'POST',
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { billing: Record<string, unknown> };
    expect(body.billing).toMatchObject({
      charged: true,
      guest: 'alice',
      act: { sub: 'rooms-service' },
      aud: 'billing',
      presented: 'DPoP',
    });
    // The guest's own rooms card does not open billing, and bob's card does not buy in room 101.
    const direct = await alice.call(`${hotel.doors.billing}/billing/charges`, rooms.access_token, {
      method: 'POST',
    });
    expect(direct.status).toBe(401);
    const bob = await dpopLogin(hotel.url, 'bob');
    const bobRooms = await bob.mint('rooms');
    const theft = await bob.call(`${hotel.doors.rooms}/rooms/101/minibar`, bobRooms.access_token, {
      method: 'POST',
    });
    expect(theft.status).toBe(403);
    // alice's bill, read with her own billing card (nobody acting for her), shows the charge.
    const billing = await alice.mint('billing');
    const bill = await alice.call(`${hotel.doors.billing}/billing/bill`, billing.access_token);
    expect(await bill.json()).toMatchObject({ guest: 'alice', total: 8 });
  });

  it("hands the rooms service's secret to the rooms door only, and never prints it", () => {
    const environ = (pid: number) => readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    const secrets = hotel
      .doorPids()
      .flatMap(environ)
      .filter((line) => line.startsWith('ROOMS_SERVICE_SECRET='));
    expect(secrets).toHaveLength(1);
    const secret = secrets[0]!.slice('ROOMS_SERVICE_SECRET='.length);
    expect(secret.length).toBeGreaterThanOrEqual(32);
    expect(hotel.output()).not.toContain(secret);
  });

  it('lets the web app call the doors from its origin (CORS), refusals included, and no other origin', async () => {
    const origin = hotel.url;
    const paths = [
      ['GET', `${hotel.doors.rooms}/rooms/101/open`],
      ['POST', `${hotel.doors.rooms}/rooms/101/minibar`],
      ['GET', `${hotel.doors.amenities}/pool/open`],
      ['GET', `${hotel.doors.office}/office/open`],
      ['GET', `${hotel.doors.billing}/billing/bill`],
    ] as const;
    for (const [method, url] of paths) {
      const preflight = await fetch(url, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': method,
          'access-control-request-headers': 'authorization,dpop',
        },
      });
      expect(preflight.status, url).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe(origin);
      expect(preflight.headers.get('access-control-allow-methods')).toContain(method);
      const allowed = preflight.headers.get('access-control-allow-headers')?.toLowerCase();
      expect(allowed).toContain('authorization');
      expect(allowed).toContain('dpop');
      const refused = await fetch(url, { method, headers: { origin } });
      expect(refused.status).toBe(401);
      expect(refused.headers.get('access-control-allow-origin')).toBe(origin);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe(
        'ERR_GUARD_TOKEN_MISSING',
      );
      const foreign = await fetch(url, { headers: { origin: 'http://evil.example' } });
      expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    }
  });

  it('runs a mailbox: the front desk mails a loopback sink, listed read-only to the web app only', async () => {
    const found =
      /mailbox\s+demo mail \(read-only\)\s+(http:\/\/\S+)\s+\(SMTP sink 127\.0\.0\.1:(\d+)\)/.exec(
        hotel.output(),
      );
    expect(found, hotel.output()).not.toBeNull();
    const [, mailbox, smtpPort] = found!;
    expect(mailbox).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mailbox$/);
    // The web app learns where it is, and its CSP lets the page read it.
    const ui = (await (await fetch(`${hotel.url}/api/ui-config`)).json()) as { mailbox?: string };
    expect(ui.mailbox).toBe(mailbox);
    const page = await fetch(`${hotel.url}/`, { headers: { accept: 'text/html' } });
    expect(page.headers.get('content-security-policy')).toContain(new URL(mailbox!).origin);
    await page.body?.cancel();

    // Mail handed to the sink shows up, newest first, for the web app's origin.
    const transport = createTransport({ host: '127.0.0.1', port: Number(smtpPort), secure: false });
    for (const subject of ['first', 'second'])
      await transport.sendMail({
        from: 'desk@hotel.example',
        to: 'alice@hotel.example',
        subject,
        text: subject,
      });
    transport.close();
    const res = await fetch(mailbox!, { headers: { origin: hotel.url } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(hotel.url);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const mails = (await res.json()) as { to: string[]; subject: string; text: string }[];
    expect(mails.map((m) => m.subject)).toEqual(['second', 'first']);
    expect(mails[0]).toMatchObject({ to: ['alice@hotel.example'], text: 'second\n' });

    // Another origin gets no CORS grant; another Host (a DNS-rebinding page) gets nothing; read-only.
    const foreign = await fetch(mailbox!, { headers: { origin: 'http://evil.example' } });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    await foreign.body?.cancel();
    const rebound = await new Promise<number>((resolve, reject) => {
      const req = httpGet(mailbox!, { headers: { host: 'evil.example' } }, (r) => {
        r.resume();
        resolve(r.statusCode ?? 0);
      });
      req.on('error', reject);
    });
    expect(rebound).toBe(403);
    const post = await fetch(mailbox!, { method: 'POST', body: '[]' });
    expect(post.status).toBe(405);
    expect(((await post.json()) as { error: { code: string } }).error.code).toBe('ERR_METHOD_NOT_ALLOWED');
  });

  it("mails alice's reset link to the mailbox: her demo address is verified", async () => {
    const mailbox = /mailbox\s+demo mail \(read-only\)\s+(http:\/\/\S+)/.exec(hotel.output())?.[1];
    expect(mailbox, hotel.output()).toBeDefined();
    const ui = (await (await fetch(`${hotel.url}/api/ui-config`)).json()) as { accounts?: object };
    expect(ui.accounts).toMatchObject({ passwordReset: true });
    const post = (path: string, body: unknown) =>
      fetch(`${hotel.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await post('/api/password/forgot', { login: 'alice' })).status).toBe(202);
    let token: string | undefined;
    for (let i = 0; i < 100 && token === undefined; i++) {
      const mails = (await (await fetch(mailbox!)).json()) as {
        to: string[];
        subject: string;
        text: string;
      }[];
      const reset = mails.find((m) => m.to.includes('alice@hotel.example') && /Reset/.test(m.subject));
      token = /#\/reset\?token=([A-Za-z0-9_-]+)/.exec(reset?.text ?? '')?.[1];
      if (token === undefined) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(token).toBeDefined();
    // Her demo password again: the accounts stay as the README lists them.
    expect((await post('/api/password/reset', { token, password: 'alice-room-101' })).status).toBe(204);
    const login = await post('/api/login', {
      username: 'alice',
      password: 'alice-room-101',
      client_id: 'keycard-cli',
    });
    expect(login.status).toBe(200);
  });

  it('stops the server and every door on SIGINT, leaving no process behind', async () => {
    const doors = hotel.doorPids();
    expect(doors).toHaveLength(4);
    const started = Date.now();
    expect(await hotel.stop()).toBe(0);
    // Generous: proves the stop does not hang, not how fast it is (no timing-tight assertion).
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(await waitGone(doors, 2000)).toEqual([]);
    expect(hotel.output()).toContain('The hotel is closed.');
    await expect(fetch(`${hotel.url}/healthz`)).rejects.toThrow();
  }, 60_000);

  it('does not print the passwords again on a second start with the same data', async () => {
    const again = await startHotelProcess({ dataDir: hotel.dataDir });
    try {
      expect(again.output()).not.toContain(PASSWORDS.alice);
      expect(again.output()).toContain('Sign in as alice, bob or carol');
      await apiLogin(again.url, 'carol');
    } finally {
      await again.dispose();
    }
  });

  it('takes the doors down with it even when it is killed outright', async () => {
    const victim = await startHotelProcess();
    const doors = victim.doorPids();
    expect(doors).toHaveLength(4);
    victim.child.kill('SIGKILL');
    expect(await waitGone(doors, 5000)).toEqual([]);
    rmSync(victim.dataDir, { recursive: true, force: true });
  });
});

describe.skipIf(notBuilt !== undefined)('keycard demo start-up errors', () => {
  let blocker: Server;
  let port: number;
  beforeAll(async () => {
    blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    port = (blocker.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise((r) => blocker.close(r));
  });

  it('says which port is taken, without a stack trace', () => {
    const run = spawnSync(process.execPath, [CLI, 'demo', '--port', '0', '--office-port', String(port)], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 20_000,
      env: { ...process.env, KEYCARD_DEMO_DATA_DIR: '/nonexistent-never-created' },
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`Port ${port} (office door) is already in use`);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('rejects a bad flag with usage', () => {
    const run = spawnSync(process.execPath, [CLI, 'demo', '--port', 'nope'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('not a port number');
  });
});
