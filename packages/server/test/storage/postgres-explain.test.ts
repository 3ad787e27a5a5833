import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Storage } from '../../src/storage/index.js';
import { createPostgresStorage } from '../../src/storage/postgres/index.js';
import {
  auditEvent,
  authorizationCode,
  client,
  emailToken,
  hash,
  passkey,
  refreshToken,
  session,
  totp,
  user,
} from './conformance/fixtures.js';
import { dropSchemas, freshSchema, PG_URL, probePostgres } from './postgres-helper.js';

/**
 * Every hot query, exactly as the storage sends it, must be answerable from an index. The
 * statements are captured from the pg driver while the storage runs each operation, then
 * EXPLAINed with their parameters under `enable_seqscan = off`: on tables this small the planner
 * would rightly pick a Seq Scan, so the test asks whether it CAN avoid one, i.e. whether a usable
 * index exists. A Seq Scan node in any plan fails the test, naming the query.
 */
const skip = await probePostgres();
if (skip) console.warn(`PostgreSQL EXPLAIN tests skipped: ${skip}`);

const schema = freshSchema();
let storage: Storage;

beforeAll(async () => {
  if (skip) return;
  storage = await createPostgresStorage({ url: PG_URL, schema });
  await storage.migrate();
  await storage.users.create(
    user('u1', { username: 'alice', email: 'alice@example.com', emailKey: 'alice@example.com' }),
  );
  await storage.clients.create(client('web'));
  await storage.audiences.upsert({ id: 'rooms', name: 'Rooms', scopes: [], uri: null, createdAt: 1 });
  await storage.roles.upsert({ name: 'guest', scopes: [], createdAt: 1 });
  await storage.sessions.create(session('s1', { expiresAt: 50_000 }));
  await storage.sessions.create(session('old', { expiresAt: 10 }));
  await storage.refreshTokens.create(refreshToken(hash('t1'), { sessionId: 's1' }));
  await storage.revocations.append({ type: 'session', sid: 's1', at: 1, expiresAt: 10 });
  await storage.audit.append(auditEvent(1, 'login.success', { actor: 'u1', subject: 's1' }));
  await storage.authorizationCodes.create(authorizationCode(hash('c1')));
  await storage.consents.put({
    userId: 'u1',
    clientId: 'web',
    scopes: [],
    audiences: [],
    createdAt: 1,
    updatedAt: 1,
  });
  await storage.browserSessions.create({
    id: 'b1',
    userId: 'u1',
    authTime: 1,
    amr: [],
    createdAt: 1,
    lastSeenAt: 1,
    expiresAt: 50_000,
    endedAt: null,
    endedReason: null,
  });
  await storage.totp.put(totp('u1', { confirmedAt: 1 }));
  await storage.recoveryCodes.replace('u1', [hash('r1'), hash('r2')], 1);
  await storage.passkeys.create(passkey('p1'));
  await storage.emailTokens.create(emailToken(hash('m1')));
});
afterAll(async () => {
  if (skip) return;
  await storage.close();
  await dropSchemas([schema]);
});

interface Statement {
  sql: string;
  params: unknown[];
}

/** The statements `op` sends to PostgreSQL (transaction control left out). */
async function captured(op: () => Promise<unknown>): Promise<Statement[]> {
  const statements: Statement[] = [];
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]) {
    const [text, params] = args;
    if (typeof text === 'string' && !/^\s*(begin|commit|rollback|savepoint|release)\b/i.test(text)) {
      statements.push({ sql: text, params: Array.isArray(params) ? params : [] });
    }
    return original.apply(this, args);
  };
  try {
    await op();
  } finally {
    proto.query = original;
  }
  return statements;
}

/** Node types of the plan, depth first. */
function nodeTypes(plan: Record<string, unknown>): string[] {
  const children = (plan['Plans'] as Record<string, unknown>[] | undefined) ?? [];
  return [
    `${plan['Node Type']}${plan['Relation Name'] ? ` on ${plan['Relation Name']}` : ''}`,
    ...children.flatMap(nodeTypes),
  ];
}

async function plans(statements: Statement[], before?: string): Promise<string[][]> {
  const explain = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema}` });
  await explain.connect();
  try {
    await explain.query('set enable_seqscan = off');
    if (before !== undefined) await explain.query(`begin; ${before}`);
    const out: string[][] = [];
    for (const s of statements) {
      const { rows } = await explain.query(`explain (format json) ${s.sql}`, s.params);
      const plan = (rows[0] as { 'QUERY PLAN': Array<{ Plan: Record<string, unknown> }> })['QUERY PLAN'][0]
        ?.Plan;
      out.push(plan ? nodeTypes(plan) : []);
    }
    if (before !== undefined) await explain.query('rollback');
    return out;
  } finally {
    await explain.end();
  }
}

const HOT: Array<[name: string, op: (s: Storage) => Promise<unknown>]> = [
  ['refresh token lookup', (s) => s.refreshTokens.get(hash('t1'))],
  [
    'refresh token rotation',
    (s) => s.refreshTokens.consume(hash('none'), 5, { hash: hash('n'), sealed: null }),
  ],
  ['refresh tokens of a session', (s) => s.refreshTokens.deleteBySession('nobody')],
  ['session lookup', (s) => s.sessions.get('s1')],
  ['sessions of a user', (s) => s.sessions.listByUser('u1')],
  ['revoke sessions of a user', (s) => s.sessions.revokeByUser('nobody', 5, 'x')],
  ['revocations listAfter', (s) => s.revocations.listAfter(0, 100)],
  ['latest cursor', (s) => s.revocations.latestCursor()],
  ['user by username', (s) => s.users.getByUsername('alice')],
  ['user by id', (s) => s.users.getById('u1')],
  ['audit list (newest first)', (s) => s.audit.list({ limit: 100 })],
  ['audit list by exact type', (s) => s.audit.list({ type: 'login.success', limit: 100 })],
  ['audit list by type prefix', (s) => s.audit.list({ type: 'login.', limit: 100, beforeId: 50 })],
  ['audit list by time', (s) => s.audit.list({ since: 0, until: 10, limit: 100 })],
  ['audit list by actor', (s) => s.audit.list({ actor: 'u1', limit: 100 })],
  ['audit list by subject', (s) => s.audit.list({ subject: 's1', limit: 100 })],
  ['users page', (s) => s.users.list({ limit: 100, after: { createdAt: 0, key: 'a' } })],
  ['clients page', (s) => s.clients.list({ limit: 100, after: { createdAt: 0, key: 'a' } })],
  ['audiences page', (s) => s.audiences.list({ limit: 100, after: { createdAt: 0, key: 'a' } })],
  ['roles page', (s) => s.roles.list({ limit: 100, after: { createdAt: 0, key: 'a' } })],
  [
    'sessions page',
    (s) => s.sessions.listActive({ limit: 100, now: 5, after: { createdAt: 9e12, key: 'z' } }),
  ],
  ['prune revocations', (s) => s.revocations.deleteExpired(0)],
  ['prune refresh tokens', (s) => s.refreshTokens.deleteExpired(0)],
  ['prune sessions', (s) => s.sessions.deleteExpired(0)],
  ['prune sealed successors', (s) => s.refreshTokens.clearSealedBefore(0)],
  ['prune used refresh tokens', (s) => s.refreshTokens.deleteUsedBefore(0)],
  ['prune audit', (s) => s.audit.deleteBefore(0)],
  ['authorization code lookup', (s) => s.authorizationCodes.get(hash('c1'))],
  ['authorization code consume', (s) => s.authorizationCodes.consume(hash('c1'), 5)],
  ['authorization code markIssued', (s) => s.authorizationCodes.markIssued(hash('c1'), 's1')],
  ['prune authorization codes', (s) => s.authorizationCodes.deleteExpired(0)],
  ['consent lookup', (s) => s.consents.get('u1', 'web')],
  [
    'consent merge',
    (s) =>
      s.consents.put({
        userId: 'u1',
        clientId: 'web',
        scopes: [],
        audiences: [],
        createdAt: 1,
        updatedAt: 2,
      }),
  ],
  ['consents of a user', (s) => s.consents.listByUser('u1')],
  ['consents of a client (delete)', (s) => s.consents.deleteByClient('nobody')],
  ['consents of a user (delete)', (s) => s.consents.deleteByUser('nobody')],
  ['browser session lookup', (s) => s.browserSessions.get('b1')],
  ['browser session touch', (s) => s.browserSessions.touch('b1', 5)],
  [
    'browser session sign-in again',
    (s) => s.browserSessions.reauthenticate('b1', 5, { authTime: 5, amr: ['pwd'] }),
  ],
  ['browser session end', (s) => s.browserSessions.end('nobody', 5, 'x')],
  ['browser sessions of a user', (s) => s.browserSessions.listByUser('u1')],
  ['end browser sessions of a user', (s) => s.browserSessions.endByUser('nobody', 5, 'x')],
  ['prune browser sessions', (s) => s.browserSessions.deleteExpired(0)],
  ['user by email', (s) => s.users.getByEmail('alice@example.com')],
  ['totp lookup', (s) => s.totp.get('u1')],
  ['totp enrolment', (s) => s.totp.put(totp('u1', { confirmedAt: 1 }))],
  ['totp confirm', (s) => s.totp.confirm('u1', 5, 100)],
  ['totp use of a step', (s) => s.totp.useStep('u1', 100)],
  ['totp delete', (s) => s.totp.delete('nobody')],
  ['recovery code consume', (s) => s.recoveryCodes.consume('u1', hash('none'), 5)],
  ['recovery codes left', (s) => s.recoveryCodes.countUnused('u1')],
  ['recovery codes replace', (s) => s.recoveryCodes.replace('u1', [hash('r1'), hash('r2')], 1)],
  ['recovery codes of a user (delete)', (s) => s.recoveryCodes.deleteByUser('nobody')],
  ['passkey lookup', (s) => s.passkeys.get('p1')],
  ['passkey by credential id', (s) => s.passkeys.getByCredentialId('cred-p1')],
  ['passkeys of a user', (s) => s.passkeys.listByUser('u1')],
  ['passkey use', (s) => s.passkeys.recordUse('p1', 99, 100, 5)],
  ['passkey rename', (s) => s.passkeys.rename('p1', 'u1', 'Passkey p1')],
  ['passkey delete', (s) => s.passkeys.delete('nobody', 'u1')],
  ['passkeys of a user (delete)', (s) => s.passkeys.deleteByUser('nobody')],
  ['email token consume', (s) => s.emailTokens.consume(hash('none'), 'password_reset', 5)],
  ['email tokens of a user (delete)', (s) => s.emailTokens.deleteByUser('nobody', 'password_reset')],
  ['prune email tokens', (s) => s.emailTokens.deleteExpired(0)],
];

describe.skipIf(Boolean(skip))('postgres: every hot query can use an index (EXPLAIN)', () => {
  it.each(HOT)('%s', async (_name, op) => {
    const statements = await captured(() => op(storage));
    expect(statements.length).toBeGreaterThan(0);
    for (const [i, types] of (await plans(statements)).entries()) {
      expect(
        types.filter((t) => t.startsWith('Seq Scan')),
        statements[i]?.sql,
      ).toEqual([]);
    }
  });

  it('covers the session prune with rows to delete (its DELETEs, not only its SELECT)', async () => {
    // Session 'old' has ended: the batch finds it and runs both DELETEs.
    const statements = await captured(() => storage.sessions.deleteExpired(100));
    const kinds = statements.map((s) => s.sql.trim().split(/\s+/)[0]?.toLowerCase());
    expect(kinds).toEqual(expect.arrayContaining(['select', 'delete']));
    for (const [i, types] of (await plans(statements)).entries()) {
      expect(
        types.filter((t) => t.startsWith('Seq Scan')),
        statements[i]?.sql,
      ).toEqual([]);
    }
  });
});

describe.skipIf(Boolean(skip))('postgres: deleting a user cascades through indexes', () => {
  // What ON DELETE CASCADE runs on each referencing table; a Seq Scan there would make every user
  // deletion read the whole table.
  it.each(['totp_factors', 'recovery_codes', 'passkeys', 'email_tokens'])('%s', async (table) => {
    const [types] = await plans([{ sql: `delete from ${table} where user_id = $1`, params: ['u1'] }]);
    expect(types?.filter((t) => t.startsWith('Seq Scan'))).toEqual([]);
  });
});

describe.skipIf(Boolean(skip))('postgres EXPLAIN check itself', () => {
  it('sees a Seq Scan where no index helps (a filter on an unindexed column)', async () => {
    const [types] = await plans([{ sql: 'select * from users where username = $1', params: ['alice'] }]);
    expect(types).toContain('Seq Scan on users');
  });

  it("needs migration 0003's indexes: without them the keyset pages fall back to a Seq Scan", async () => {
    const statements = await captured(() =>
      storage.users.list({ limit: 10, after: { createdAt: 0, key: 'a' } }),
    );
    // Dropped inside a transaction the check rolls back, so the schema keeps them.
    const [types] = await plans(statements, 'drop index users_created_at_id');
    expect(types).toContain('Seq Scan on users');
  });

  it("needs migration 0004's index: without it the used-token prune falls back to a Seq Scan", async () => {
    const statements = await captured(() => storage.refreshTokens.deleteUsedBefore(0));
    const found = await plans(statements, 'drop index refresh_tokens_used_at');
    expect(found.flat()).toContain('Seq Scan on refresh_tokens');
  });

  it("needs migration 0010's indexes: without them a user's passkeys and the email-token prune fall back to a Seq Scan", async () => {
    const listed = await captured(() => storage.passkeys.listByUser('u1'));
    expect((await plans(listed, 'drop index passkeys_user_id')).flat()).toContain('Seq Scan on passkeys');
    const pruned = await captured(() => storage.emailTokens.deleteExpired(0));
    expect((await plans(pruned, 'drop index email_tokens_expires_at')).flat()).toContain(
      'Seq Scan on email_tokens',
    );
  });
});
