// DESIGN security rules about what the server keeps and whom it believes: secrets only as hashes,
// private keys only sealed, and the client address never taken from a spoofable header by default.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient } from '../src/index.js';
import { addUser, postJson, type Running, startServer } from './helpers.js';

const PASSWORD = 'correct horse battery staple';

/** Every byte SQLite holds for the data dir's database, including what is still in the WAL. */
function databaseBytes(dir: string): string {
  const file = join(dir, 'keycard.db');
  return [file, `${file}-wal`]
    .filter((f) => existsSync(f))
    .map((f) => readFileSync(f).toString('latin1'))
    .join('');
}

describe('secrets at rest and client addresses', () => {
  let r: Running | undefined;
  afterEach(async () => {
    await r?.close();
    r = undefined;
  });

  it('the SQLite file holds no refresh token, client secret, password or private key member in clear', async () => {
    r = await startServer({});
    await addUser(r, 'alice', PASSWORD);
    const { secret } = await createClient(r.server.services, {
      id: 'billing',
      name: 'Billing',
      type: 'confidential',
      grants: ['client_credentials'],
      audiences: ['keycard'],
      scopes: [],
    });
    const login = await postJson(`${r.url}/api/login`, { username: 'alice', password: PASSWORD });
    expect(login.status).toBe(200);
    const refreshed = await postJson(`${r.url}/api/refresh`, { refresh_token: login.body.refresh_token });
    expect(refreshed.status).toBe(200);
    await r.server.close(); // flushes queued audit events and closes the file
    const bytes = databaseBytes(r.dir);
    rmSync(r.dir, { recursive: true, force: true });
    r = undefined;
    expect(bytes.includes('alice')).toBe(true); // the scan reads the real records
    for (const plain of [login.body.refresh_token, refreshed.body.refresh_token, secret, PASSWORD]) {
      expect(typeof plain).toBe('string');
      expect(bytes.includes(plain as string)).toBe(false);
    }
    // Public JWKs are stored as JSON; a private member ("d") may only exist inside the sealed blob.
    expect(bytes).toMatch(/"kty"/);
    expect(bytes).not.toMatch(/"d"\s*:/);
  });

  it('X-Forwarded-For does not escape the per-IP limit unless trustProxy is set', async () => {
    r = await startServer({ throttle: { loginPerIp: { limit: 3, windowSeconds: 60 } } });
    const statuses = [];
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${r.url}/api/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': `203.0.113.${i}` },
        body: JSON.stringify({ username: `u${i}`, password: 'x' }),
      });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
  });
});
