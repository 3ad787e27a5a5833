// `since` and `until` of the audit query are epoch seconds (docs/http-api.md). A client that sends
// milliseconds (Date.now()) or a value that is not a plain number must be told so (400), not answered
// with a silently empty (or silently complete) list.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, type Body, postJson, type Running, startServer } from './helpers.js';

const PASSWORD = 'correct horse battery';

describe('audit query times', () => {
  let r: Running;
  let admin: string;
  const audit = async (query: string): Promise<{ status: number; body: Body }> => {
    const res = await fetch(`${r.url}/api/admin/audit?${query}`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    return { status: res.status, body: await res.json() };
  };

  beforeAll(async () => {
    r = await startServer({ databaseUrl: 'memory' });
    await addUser(r, 'boss', PASSWORD, ['manager']);
    admin = (await postJson(`${r.url}/api/login`, { username: 'boss', password: PASSWORD })).body
      .access_token;
  });
  afterAll(async () => r?.close());

  it('seconds find the sign-in just recorded', async () => {
    const now = Math.floor(Date.now() / 1000);
    const res = await audit(`since=${now - 3600}&until=${now + 3600}`);
    expect(res.status).toBe(200);
    expect(res.body.events.some((e: { type: string }) => e.type === 'login.success')).toBe(true);
  });

  it.each(['since', 'until'])(
    '%s in milliseconds is refused with a message naming the unit',
    async (name) => {
      const res = await audit(`${name}=${Date.now()}`);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('ERR_VALIDATION');
      expect(res.body.error.message).toMatch(/seconds/);
    },
  );

  it.each(['since=', 'since=0x10', 'since=1e9', 'since=%201700000000', 'until=-0', 'until=1.0'])(
    '%s is not a whole number of seconds: refused',
    async (query) => {
      const res = await audit(query);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('ERR_VALIDATION');
    },
  );

  it('the last second of year 9999 is still a time', async () => {
    expect((await audit('until=253402300799')).status).toBe(200);
  });
});
