import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, getJson, postJson, type Running, startServer } from './helpers.js';

const PASSWORD = 'correct horse battery';
const TYPO = 'Tr0ub4dor&3-in-the-wrong-field';

/** A password typed into the username field must not end up in the audit log. */
describe('audit log privacy of failed sign-ins', () => {
  let r: Running;
  let admin: string;
  beforeAll(async () => {
    r = await startServer({ databaseUrl: 'memory', throttle: { accountFailures: { limit: 2 } } });
    await addUser(r, 'boss', PASSWORD, ['manager']);
    admin = (await postJson(`${r.url}/api/login`, { username: 'boss', password: PASSWORD })).body
      .access_token;
  });
  afterAll(() => r.close());

  it('records unknown usernames only as a keyed fingerprint that still correlates attempts', async () => {
    for (let i = 0; i < 4; i++) await postJson(`${r.url}/api/login`, { username: TYPO, password: 'x' });
    await postJson(`${r.url}/api/login`, { username: 'someone-else', password: 'x' });
    const audit = await getJson(`${r.url}/api/admin/audit?type=login.failure&limit=100`, {
      authorization: `Bearer ${admin}`,
    });
    const text = JSON.stringify(audit.body);
    expect(text.toLowerCase()).not.toContain(TYPO.toLowerCase());
    expect(text).not.toContain('someone-else');
    const subjects: string[] = audit.body.events.map((e: { subject: string }) => e.subject);
    expect(subjects.length).toBeGreaterThanOrEqual(5);
    for (const s of subjects) expect(s).toMatch(/^(unknown user|username) [0-9a-f]{12}$/);
    const fingerprints = new Set(subjects.map((s) => s.split(' ').at(-1)));
    expect(fingerprints.size).toBe(2);
  });
});
