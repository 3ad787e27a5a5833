// An outsider's attack on the SQLite revocation index's shortcut (storage/sqlite/revocation-watch.ts:
// "nothing new" answered from PRAGMA data_version and the server's own appends, without a query).
// A second connection to the server's own keycard.db file (what the CLI does) writes revocations
// between requests and concurrently with card issues; each must count for the very next check of
// every kind: introspection, a client_credentials card, a refresh. Real server, real SQLite file.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, createStorage, type Storage } from '../src/index.js';
import {
  addAudience,
  addUser,
  type Body,
  postForm,
  type Running,
  startServer,
  testClock,
} from './helpers.js';

const PASSWORD = 'correct horse battery';
const HOUR = 3_600_000;

describe('SQLite revocation index: another connection, between and during requests', () => {
  const open: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    for (const o of open.splice(0).reverse()) await o.close();
  });

  async function setUp() {
    const clock = testClock(Date.UTC(2030, 0, 1, 0, 0, 0, 250));
    const r: Running = await startServer({}, { clock });
    open.push(r);
    await addAudience(r, 'rooms', ['rooms:read'], 'Rooms');
    await r.server.services.storage.roles.upsert({
      name: 'guest',
      scopes: ['rooms:read'],
      createdAt: clock(),
    });
    await addUser(r, 'ann', PASSWORD, ['guest']);
    const { secret } = await createClient(r.server.services, {
      id: 'desk',
      type: 'confidential',
      firstParty: true,
      grants: ['client_credentials', 'password', 'refresh_token'],
      audiences: ['rooms'],
      scopes: ['rooms:read'],
    });
    const basic = { authorization: `Basic ${Buffer.from(`desk:${secret}`).toString('base64')}` };
    const second: Storage = await createStorage({ driver: 'sqlite', file: join(r.dir, 'keycard.db') });
    open.push(second);
    const token = (form: Record<string, string>) => postForm(`${r.url}/oauth/token`, form, basic);
    const card = async (): Promise<string> => {
      const res = await token({ grant_type: 'client_credentials', resource: 'rooms' });
      expect(res.status).toBe(200);
      return res.body.access_token;
    };
    const active = async (t: string): Promise<boolean> => {
      const res = await postForm(`${r.url}/oauth/introspect`, { token: t }, basic);
      expect(res.status).toBe(200);
      return res.body.active === true;
    };
    const signIn = async (): Promise<Body> => {
      const res = await token({
        grant_type: 'password',
        username: 'ann',
        password: PASSWORD,
        resource: 'rooms',
      });
      expect(res.status).toBe(200);
      return res.body;
    };
    // What `keycard sessions revoke` does through its own connection (services' revokeSession).
    const revokeSession = async (sid: string) => {
      await second.sessions.revoke(sid, clock(), 'cli');
      await second.refreshTokens.deleteBySession(sid);
      await second.revocations.append({ type: 'session', sid, at: clock(), expiresAt: clock() + HOUR });
    };
    return { r, clock, second, basic, token, card, active, signIn, revokeSession };
  }

  const claims = (t: string) => JSON.parse(Buffer.from(t.split('.')[1]!, 'base64url').toString());

  it('a client_credentials card revoked by jti on the other connection is inactive at the next introspection', async () => {
    const { clock, second, card, active } = await setUp();
    const a = await card();
    const b = await card();
    expect(await active(a)).toBe(true);
    expect(await active(a)).toBe(true);
    await second.revocations.append({
      type: 'token',
      jti: claims(a).jti,
      at: clock(),
      expiresAt: clock() + HOUR,
    });
    expect(await active(a)).toBe(false);
    expect(await active(b)).toBe(true);
    // And again after the index has caught up (no second query needed to stay revoked).
    expect(await active(a)).toBe(false);
  });

  it('a session revoked on the other connection: the very next refresh is refused, its card inactive', async () => {
    const { token, active, signIn, revokeSession } = await setUp();
    const tokens = await signIn();
    const refreshed = await token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    expect(refreshed.status).toBe(200);
    expect(await active(refreshed.body.access_token)).toBe(true);
    await revokeSession(claims(tokens.access_token).sid);
    expect(await active(refreshed.body.access_token)).toBe(false);
    const next = await token({ grant_type: 'refresh_token', refresh_token: refreshed.body.refresh_token });
    expect(next.status).toBe(400);
    expect(next.body.error).toBe('invalid_grant');
  });

  it('a subject revocation appended while cards are issued in parallel: no card from before or after it is valid', async () => {
    const { clock, second, card, active } = await setUp();
    const warm = await card();
    expect(await active(warm)).toBe(true);
    const issues = Array.from({ length: 24 }, () => card());
    const revocation = second.revocations.append({
      type: 'subject',
      sub: 'desk',
      notBefore: clock(),
      at: clock(),
      expiresAt: clock() + HOUR,
    });
    const [cards] = await Promise.all([Promise.all(issues), revocation]);
    const after = await Promise.all(Array.from({ length: 6 }, () => card()));
    // The clock does not move: every card's iat is before the revocation's not-before second.
    const answers = await Promise.all([warm, ...cards, ...after].map((c) => active(c)));
    expect(answers.filter((a) => a)).toEqual([]);
  });

  it("the other connection's append racing the server's own appends (revoke endpoint): both count", async () => {
    const { r, clock, second, basic, card, active } = await setUp();
    for (let round = 0; round < 5; round++) {
      const theirs = await card();
      const ours = await card();
      expect(await active(theirs)).toBe(true);
      await Promise.all([
        second.revocations.append({
          type: 'token',
          jti: claims(theirs).jti,
          at: clock(),
          expiresAt: clock() + HOUR,
        }),
        postForm(`${r.url}/oauth/revoke`, { token: ours }, basic),
      ]);
      expect(await active(theirs)).toBe(false);
      expect(await active(ours)).toBe(false);
    }
  });

  it('a session revocation racing a refresh in the same session: whatever the refresh gave is dead after', async () => {
    const { token, active, signIn, revokeSession } = await setUp();
    for (let round = 0; round < 4; round++) {
      const tokens = await signIn();
      expect(await active(tokens.access_token)).toBe(true);
      const [refreshed] = await Promise.all([
        token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token }),
        revokeSession(claims(tokens.access_token).sid),
      ]);
      expect(await active(tokens.access_token)).toBe(false);
      if (refreshed.status === 200) {
        expect(await active(refreshed.body.access_token)).toBe(false);
        const next = await token({
          grant_type: 'refresh_token',
          refresh_token: refreshed.body.refresh_token,
        });
        expect(next.status).toBe(400);
      } else {
        expect(refreshed.body.error).toBe('invalid_grant');
      }
    }
  });
});
