import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../src/crypto/index.js';
import { prune, runMaintenance } from '../src/jobs/index.js';
import { addUser, postJson, type Running, startServer, testClock } from './helpers.js';

const PASSWORD = 'correct horse battery';
const DAY = 86_400_000;

describe('maintenance: pruning under the lock, audit retention, reuse detection kept', () => {
  const clock = testClock();
  let r: Running;
  const refresh = (rt: string) =>
    postJson(`${r.url}/api/refresh`, { refresh_token: rt, client_id: 'keycard-cli' });
  const signIn = async () =>
    (
      await postJson(`${r.url}/api/login`, {
        username: 'alice',
        password: PASSWORD,
        client_id: 'keycard-cli',
      })
    ).body;

  beforeAll(async () => {
    r = await startServer({ audit: { retentionDays: 30 } }, { clock });
    await addUser(r, 'alice', PASSWORD);
  });
  afterAll(() => r.close());

  it('a replayed old token still revokes its session after pruning deleted its used row', async () => {
    const signedIn = await signIn();
    const first = await refresh(signedIn.refresh_token);
    expect(first.status).toBe(200);
    clock.advance(60_000); // well past the 10 s grace window
    const pruned = await runMaintenance(r.server.services, { keys: false });
    // The used row goes with its sealed successor: nothing is left to clear.
    expect(pruned).toMatchObject({ ran: true, prunedUsedTokens: 1, clearedSealed: 0 });
    const { storage } = r.server.services;
    expect(await storage.refreshTokens.get(sha256Hex(signedIn.refresh_token))).toBeUndefined();
    const replay = await refresh(signedIn.refresh_token);
    expect(replay.body.error.code).toBe('ERR_INVALID_GRANT');
    const session = await storage.sessions.get(signedIn.session_id);
    expect(session).toMatchObject({ revokedReason: 'reuse' });
    expect((await refresh(first.body.refresh_token)).status).toBe(400); // the family is gone
  });

  it('prunes audit events older than audit.retentionDays, keeping newer ones', async () => {
    const { storage, audit } = r.server.services;
    await audit.flush();
    await storage.audit.append({
      at: clock() - 31 * DAY,
      type: 'test.old',
      actor: null,
      subject: null,
      ip: null,
      userAgent: null,
      detail: {},
    });
    await storage.audit.append({
      at: clock() - 29 * DAY,
      type: 'test.recent',
      actor: null,
      subject: null,
      ip: null,
      userAgent: null,
      detail: {},
    });
    const result = await prune(r.server.services);
    expect(result.prunedAudit).toBe(1);
    const left = await storage.audit.list({ type: 'test.', limit: 10 });
    expect(left.map((e) => e.type)).toEqual(['test.recent']);
  });

  it('prunes authorization codes an hour past their expiry, keeping younger ones for replay detection', async () => {
    const { storage } = r.server.services;
    const now = clock();
    const code = (codeHash: string, expiresAt: number) => ({
      codeHash,
      clientId: 'app',
      redirectUri: 'https://app.example/cb',
      codeChallenge: 'c'.repeat(43),
      userId: 'u1',
      sid: 'b1',
      scopes: ['openid'],
      audiences: ['rooms'],
      nonce: null,
      authTime: now,
      amr: ['pwd'],
      dpopJkt: null,
      createdAt: now - 2 * 3_600_000,
      expiresAt,
    });
    await storage.authorizationCodes.create(code('old', now - 3_600_001));
    await storage.authorizationCodes.create(code('recent', now - 60_000));
    const pruned = await runMaintenance(r.server.services, { keys: false });
    expect(pruned.prunedCodes).toBe(1);
    expect(await storage.authorizationCodes.get('old')).toBeUndefined();
    expect(await storage.authorizationCodes.consume('recent', now)).toEqual({ status: 'expired' });
  });

  it('prunes browser sessions that expired or ended', async () => {
    const { storage } = r.server.services;
    const now = clock();
    const browser = (id: string, expiresAt: number) => ({
      id,
      userId: 'u1',
      authTime: now - 10,
      amr: ['pwd'],
      createdAt: now - 10,
      lastSeenAt: now - 10,
      expiresAt,
      endedAt: null,
      endedReason: null,
    });
    await storage.browserSessions.create(browser('expired', now - 1));
    await storage.browserSessions.create(browser('ended', now + 60_000));
    await storage.browserSessions.create(browser('live', now + 60_000));
    await storage.browserSessions.end('ended', now - 1, 'logout');
    const pruned = await runMaintenance(r.server.services, { keys: false });
    expect(pruned.prunedBrowserSessions).toBe(2);
    expect(await storage.browserSessions.get('live')).toBeDefined();
  });

  it('prunes mailed links past their expiry, used or not, keeping live ones', async () => {
    const { storage } = r.server.services;
    const now = clock();
    const alice = await storage.users.getByUsername('alice');
    const link = (hash: string, expiresAt: number) => ({
      hash,
      kind: 'password_reset' as const,
      userId: alice?.id ?? '',
      email: 'alice@example.com',
      createdAt: now - 60_000,
      expiresAt,
      consumedAt: null,
    });
    await storage.emailTokens.create(link('expired', now - 1));
    await storage.emailTokens.create(link('used', now - 1));
    await storage.emailTokens.create(link('live', now + 60_000));
    expect(await storage.emailTokens.consume('used', 'password_reset', now - 2)).toBeDefined();
    const pruned = await runMaintenance(r.server.services, { keys: false });
    expect(pruned.prunedEmailTokens).toBe(2);
    expect(await storage.emailTokens.consume('live', 'password_reset', now)).toMatchObject({ hash: 'live' });
  });

  it('skips the round while another holder has the maintenance lock', async () => {
    const { storage } = r.server.services;
    let inner: Awaited<ReturnType<typeof prune>> | undefined;
    await storage.withMaintenanceLock('prune', async () => {
      inner = await prune(r.server.services);
    });
    expect(inner).toEqual({
      ran: false,
      prunedEvents: 0,
      prunedSessions: 0,
      prunedTokens: 0,
      prunedUsedTokens: 0,
      clearedSealed: 0,
      prunedAudit: 0,
      prunedCodes: 0,
      prunedBrowserSessions: 0,
      prunedEmailTokens: 0,
    });
    expect((await prune(r.server.services)).ran).toBe(true);
  });
});

describe('audit.retentionDays = 0 keeps audit events for ever', () => {
  it('prunes no audit event however old', async () => {
    const clock = testClock();
    const r = await startServer({ databaseUrl: 'memory', audit: { retentionDays: 0 } }, { clock });
    try {
      const { storage } = r.server.services;
      await storage.audit.append({
        at: 1,
        type: 'test.ancient',
        actor: null,
        subject: null,
        ip: null,
        userAgent: null,
        detail: {},
      });
      expect((await prune(r.server.services)).prunedAudit).toBe(0);
      expect(await storage.audit.list({ type: 'test.ancient', limit: 1 })).toHaveLength(1);
    } finally {
      await r.close();
    }
  });
});
