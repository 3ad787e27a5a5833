// `keycard demo` (what `npm start` runs) as a real child process: it starts the server and three
// door processes, answers, and on SIGINT stops them all; a port in use is a clear error.

import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
    const token = await apiLogin(hotel.url, 'alice', 'rooms');
    const open = await fetch(`${hotel.doors.rooms}/rooms/101/open`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(await open.json()).toEqual({ opened: true, door: 'room 101', by: 'alice' });
  });

  it('lets the web app call the doors from its origin (CORS), refusals included, and no other origin', async () => {
    const origin = hotel.url;
    const paths = [
      `${hotel.doors.rooms}/rooms/101/open`,
      `${hotel.doors.amenities}/pool/open`,
      `${hotel.doors.office}/office/open`,
    ];
    for (const url of paths) {
      const preflight = await fetch(url, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'authorization',
        },
      });
      expect(preflight.status, url).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe(origin);
      expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
      const refused = await fetch(url, { headers: { origin } });
      expect(refused.status).toBe(401);
      expect(refused.headers.get('access-control-allow-origin')).toBe(origin);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe(
        'ERR_GUARD_TOKEN_MISSING',
      );
      const foreign = await fetch(url, { headers: { origin: 'http://evil.example' } });
      expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    }
  });

  it('stops the server and every door on SIGINT, leaving no process behind', async () => {
    const doors = hotel.doorPids();
    expect(doors).toHaveLength(3);
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
    expect(doors).toHaveLength(3);
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
