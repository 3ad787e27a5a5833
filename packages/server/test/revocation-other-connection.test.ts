// The server's revocation index answers "nothing new" on SQLite without a query while no
// connection has committed a revocation (storage/sqlite/revocation-watch.ts). What another
// connection to the same file commits — the CLI run while the server runs — must still count for
// the very next token check and the very next card issued. Each test first lets the server look
// (so the shortcut is primed), then writes through a second connection and asks once.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createStorage, type Storage, saveRole } from '../src/index.js';
import {
  addUser,
  type Body,
  createDeskClient,
  getJson,
  postForm,
  type Running,
  startServer,
  tempDir,
  testClock,
} from './helpers.js';

const PASSWORD = 'correct horse battery';
const admin = { actor: 'test', request: { ip: null, userAgent: null } };

describe('SQLite: revocations committed by another connection', () => {
  const open: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    for (const o of open.splice(0).reverse()) await o.close();
  });

  it('storage: listAfter returns another connection’s append right after answering “nothing new”', async () => {
    const tmp = tempDir();
    const file = join(tmp.dir, 'keycard.db');
    const a = await createStorage({ driver: 'sqlite', file });
    const b = await createStorage({ driver: 'sqlite', file });
    open.push({ close: async () => tmp.remove() }, a, b);
    const now = Date.now();
    expect(await a.revocations.listAfter(0, 10)).toEqual([]);
    expect(await a.revocations.listAfter(0, 10)).toEqual([]);
    const other = await b.revocations.append({
      type: 'session',
      sid: 's1',
      at: now,
      expiresAt: now + 60_000,
    });
    expect(await a.revocations.listAfter(0, 10)).toEqual([other]);
    expect(await a.revocations.listAfter(other.cursor, 10)).toEqual([]);
    // Its own appends too, and a read from below the last empty answer still queries.
    const mine = await a.revocations.append({ type: 'token', jti: 'j1', at: now, expiresAt: now + 60_000 });
    expect(await a.revocations.listAfter(other.cursor, 10)).toEqual([mine]);
    expect(await a.revocations.listAfter(0, 10)).toEqual([other, mine]);
  });

  async function hotel(): Promise<{ r: Running; second: Storage; clock: ReturnType<typeof testClock> }> {
    const clock = testClock(Date.UTC(2030, 0, 1, 0, 0, 0, 250));
    const r = await startServer({}, { clock });
    open.push(r);
    const ctx = r.server.services;
    await saveRole(ctx, { name: 'housekeeping', scopes: ['revocations:read', 'rooms:open'] }, admin);
    await addUser(r, 'ann', PASSWORD, ['guest', 'housekeeping']);
    // The CLI's way in: its own connection to the server's file.
    const second = await createStorage({ driver: 'sqlite', file: join(r.dir, 'keycard.db') });
    open.push(second);
    return { r, second, clock };
  }

  async function signIn(r: Running): Promise<{ basic: Record<string, string>; tokens: Body }> {
    const basic = await createDeskClient(r.server.services);
    const res = await postForm(
      `${r.url}/oauth/token`,
      { grant_type: 'password', username: 'ann', password: PASSWORD },
      basic,
    );
    expect(res.status).toBe(200);
    return { basic, tokens: res.body };
  }

  it('the very next Bearer check refuses a card whose session another connection revoked', async () => {
    const { r, second, clock } = await hotel();
    const { tokens } = await signIn(r);
    const me = async () =>
      (await getJson(`${r.url}/api/me`, { authorization: `Bearer ${tokens.access_token}` })).status;
    expect(await me()).toBe(200);
    expect(await me()).toBe(200);
    // Only the event: the session row is untouched, so nothing but the index can refuse the card.
    await second.revocations.append({
      type: 'session',
      sid: JSON.parse(Buffer.from(tokens.access_token.split('.')[1], 'base64url').toString()).sid,
      at: clock(),
      expiresAt: clock() + 3_600_000,
    });
    expect(await me()).toBe(401);
  });

  it('the very next refresh leaves out a scope another connection took from a role', async () => {
    const { r, second, clock } = await hotel();
    const { basic, tokens } = await signIn(r);
    const refresh = (token: string) =>
      postForm(`${r.url}/oauth/token`, { grant_type: 'refresh_token', refresh_token: token }, basic);
    const first = await refresh(tokens.refresh_token);
    expect(first.status).toBe(200);
    expect(first.body.scope.split(' ')).toContain('revocations:read');
    // What `keycard roles` does from another process: the role changes, then its event.
    clock.advance(2_000);
    await second.roles.upsert({ name: 'housekeeping', scopes: ['rooms:open'], createdAt: clock() });
    await second.revocations.append({
      type: 'role',
      role: 'housekeeping',
      notBefore: clock(),
      at: clock(),
      expiresAt: clock() + 3_600_000,
    });
    clock.advance(1_000);
    const next = await refresh(first.body.refresh_token);
    expect(next.status).toBe(200);
    expect(next.body.scope.split(' ')).not.toContain('revocations:read');
  });
});
