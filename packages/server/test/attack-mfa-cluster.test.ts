// The second factor against a cluster: two instances sharing PostgreSQL and Redis, each guess or
// replay sent to whichever instance suits the attacker. The code claims the failure budget, a TOTP
// step, a recovery code and a pending sign-in hold for the whole cluster; this checks it over HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Coordinator, createRedisCoordinator, createStorage, type Storage } from '../src/index.js';
import { addUser, postJson, type Running, startServer, testClock } from './helpers.js';
import { dropSchemas, freshSchema, PG_URL, probePostgres } from './storage/postgres-helper.js';
import { enrolTotpDuringSignIn } from './support/attack-mfa.js';
import { addCodeClient, Browser, fakeWebApp, PASSWORD } from './support/authorize-flow.js';
import { enrolTotp, giveRecoveryCodes, totpCode } from './support/mfa-fixtures.js';
import { mfaRequest, openRequest } from './support/mfa-flow.js';
import { probeRedis, REDIS_URL, uniquePrefix } from './support/redis.js';

const MAX_FAILURES = 4;
const skip = (await probePostgres()) ?? (await probeRedis());
if (skip) console.log(`second-factor cluster tests skipped: ${skip}`);

describe.skipIf(skip !== undefined)('two instances on one PostgreSQL and one Redis', () => {
  const schema = freshSchema();
  const prefix = uniquePrefix();
  const clock = testClock(Date.UTC(2030, 0, 1, 12));
  const masterKey = Buffer.alloc(32, 13).toString('base64url');
  const web = fakeWebApp();
  const storages: Storage[] = [];
  const coordinators: Coordinator[] = [];
  const nodes: Running[] = [];

  beforeAll(async () => {
    for (let i = 0; i < 2; i++) {
      storages.push(await createStorage({ driver: 'postgres', url: PG_URL, schema }));
      coordinators.push(await createRedisCoordinator({ url: REDIS_URL, keyPrefix: prefix }));
    }
    for (let i = 0; i < 2; i++) {
      nodes.push(
        await startServer(
          {
            masterKey,
            ui: { staticDir: web.dir },
            mfa: { maxFailures: MAX_FAILURES },
            throttle: { loginPerIp: { limit: 10_000 } },
          },
          { storage: storages[i]!, coordinator: coordinators[i]!, clock },
        ),
      );
    }
    const a = nodes[0]!;
    await a.server.services.storage.audiences.upsert({
      id: 'rooms',
      name: 'Rooms',
      scopes: [],
      uri: null,
      createdAt: 0,
    });
    await a.server.services.storage.roles.upsert({ name: 'guest', scopes: [], createdAt: 0 });
    await a.server.services.storage.roles.upsert({
      name: 'staff',
      scopes: [],
      requireMfa: true,
      createdAt: 0,
    });
    await addCodeClient(a, { id: 'desk', firstParty: true, scopes: ['openid'], audiences: ['rooms'] });
    for (const n of nodes) n.server.services.directory.invalidate();
  });
  afterAll(async () => {
    for (const n of nodes) await n.close();
    for (const c of coordinators) await c.close();
    for (const s of storages) await s.close();
    await dropSchemas([schema]);
    web.remove();
  });

  const node = (i: number) => nodes[i % 2]!;
  const login = (i: number, body: Record<string, unknown>) =>
    postJson(`${node(i).url}/api/login`, { password: PASSWORD, ...body });

  async function withTotp(name: string, roles = ['guest']) {
    const user = await addUser(node(0), name, PASSWORD, roles);
    return { user, secret: await enrolTotp(node(0), user.id) };
  }

  it('wrong codes spread over both instances share one budget: then a right code is 429 on either', async () => {
    const { secret } = await withTotp('ana');
    for (let i = 0; i < MAX_FAILURES; i++) {
      const res = await login(i, { username: 'ana', totp: totpCode(secret, clock(), 9) });
      expect(res.body.error.code).toBe('ERR_MFA_INVALID');
    }
    for (let i = 0; i < 2; i++) {
      const res = await login(i, { username: 'ana', totp: totpCode(secret, clock()) });
      expect(res.status, `instance ${i}`).toBe(429);
      expect(res.body.error.code).toBe('ERR_RATE_LIMITED');
    }
  });

  it('one TOTP code sent 20 times at once, half to each instance, signs in exactly once', async () => {
    const { user, secret } = await withTotp('ben');
    const code = totpCode(secret, clock());
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => login(i, { username: 'ben', totp: code })),
    );
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    expect(await node(1).server.services.storage.sessions.listByUser(user.id)).toHaveLength(1);
  });

  it('one recovery code sent 10 times at once over both instances signs in exactly once', async () => {
    const { user } = await withTotp('cyd');
    const [code] = await giveRecoveryCodes(node(0), user.id);
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => login(i, { username: 'cyd', recovery_code: code as string })),
    );
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
  });

  it('a proven mfa_token completed on one instance starts nothing on the other, even at once', async () => {
    const user = await addUser(node(0), 'dia', PASSWORD, ['staff']);
    const browser = new Browser();
    const interaction = await openRequest(node(0), browser, mfaRequest('desk').params);
    const pw = await browser.call(node(0).url, 'login', { interaction, username: 'dia', password: PASSWORD });
    expect(pw.body.mfa).toMatchObject({ enrol: true });
    const { proven } = await enrolTotpDuringSignIn(node(1), clock, pw.body.mfa.token, interaction);
    const browsers = Array.from({ length: 10 }, () => new Browser());
    const answers = await Promise.all(
      browsers.map((b, i) => b.call(node(i).url, 'mfa', { interaction, mfa_token: proven })),
    );
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    for (const a of answers.filter((x) => x.status !== 200))
      expect(a.body.error.code).toBe('ERR_LOGIN_REQUIRED');
    expect(await node(0).server.services.storage.browserSessions.listByUser(user.id)).toHaveLength(1);
  });
});
