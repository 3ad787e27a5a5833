import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMemoryStorage, type Storage } from '../../src/storage/index.js';
import { createSqliteStorage } from '../../src/storage/sqlite/index.js';
import { auditEvent, refreshToken, session } from './conformance/fixtures.js';

/**
 * Differential test: random operation sequences run against the memory adapter (the model) and
 * SQLite must give identical answers. Catches drift the example-based suite does not name.
 */
const ids = fc.constantFrom('a', 'b', 'c', 'd');
const users = fc.constantFrom('u1', 'u2');
const time = fc.integer({ min: 0, max: 6 }).map((n) => n * 100);
const batch = fc.integer({ min: 1, max: 3 });

const op = fc.oneof(
  fc.record({ k: fc.constant('session.create'), id: ids, user: users, at: time, ttl: time }),
  fc.record({ k: fc.constant('session.revoke'), id: ids, at: time }),
  fc.record({ k: fc.constant('session.revokeByUser'), user: users, at: time, except: fc.option(ids) }),
  fc.record({ k: fc.constant('session.touch'), id: ids, at: time }),
  fc.record({ k: fc.constant('session.deleteExpired'), at: time, batch }),
  fc.record({
    k: fc.constant('session.page'),
    at: time,
    limit: fc.integer({ min: 1, max: 3 }),
    after: fc.option(fc.record({ createdAt: time, key: ids })),
  }),
  fc.record({ k: fc.constant('session.list'), user: users, all: fc.boolean(), at: time }),
  fc.record({ k: fc.constant('token.create'), id: ids, sid: ids, at: time }),
  fc.record({ k: fc.constant('token.consume'), id: ids, next: ids, at: time }),
  fc.record({ k: fc.constant('token.clearSealed'), at: time, batch }),
  fc.record({ k: fc.constant('token.deleteBySession'), sid: ids }),
  fc.record({ k: fc.constant('token.deleteExpired'), at: time, batch }),
  fc.record({ k: fc.constant('revocation.append'), sid: ids, at: time, ttl: time }),
  fc.record({ k: fc.constant('revocation.deleteExpired'), at: time, batch }),
  fc.record({
    k: fc.constant('revocation.read'),
    after: fc.integer({ min: 0, max: 6 }),
    limit: fc.integer({ min: 0, max: 4 }),
  }),
  fc.record({
    k: fc.constant('audit.append'),
    type: fc.constantFrom('admin.a', 'admin.b', 'login'),
    at: time,
  }),
  fc.record({
    k: fc.constant('audit.list'),
    type: fc.option(fc.constantFrom('admin.', 'login', 'admin.a')),
    since: fc.option(time),
    limit: fc.integer({ min: 0, max: 5 }),
  }),
  fc.record({ k: fc.constant('audit.deleteBefore'), at: time, batch }),
);
type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

/** Runs one operation; errors become their code so both adapters can be compared. */
async function run(s: Storage, o: Op): Promise<unknown> {
  try {
    switch (o.k) {
      case 'session.create':
        return await s.sessions.create(
          session(o.id, { userId: o.user, createdAt: o.at, expiresAt: o.at + o.ttl }),
        );
      case 'session.revoke':
        return await s.sessions.revoke(o.id, o.at, 'logout');
      case 'session.revokeByUser':
        return (await s.sessions.revokeByUser(o.user, o.at, 'logout_all', o.except ?? undefined)).sort();
      case 'session.touch':
        return await s.sessions.touch(o.id, o.at);
      case 'session.deleteExpired':
        return await s.sessions.deleteExpired(o.at, { batchSize: o.batch });
      case 'session.page':
        return await s.sessions.listActive({
          now: o.at,
          limit: o.limit,
          ...(o.after ? { after: o.after } : {}),
        });
      case 'session.list':
        // Sessions created at the same ms tie-break on id in every adapter.
        return [
          await s.sessions.listByUser(o.user, { includeRevoked: o.all }),
          await s.sessions.listActive({ now: o.at }),
        ];
      case 'token.create':
        return await s.refreshTokens.create(
          refreshToken(o.id, { sessionId: o.sid, createdAt: o.at, expiresAt: o.at + 500 }),
        );
      case 'token.consume':
        return await s.refreshTokens.consume(o.id, o.at, { hash: o.next, sealed: `sealed-${o.next}` });
      case 'token.clearSealed':
        return await s.refreshTokens.clearSealedBefore(o.at, { batchSize: o.batch });
      case 'token.deleteBySession':
        return await s.refreshTokens.deleteBySession(o.sid);
      case 'token.deleteExpired':
        return await s.refreshTokens.deleteExpired(o.at, { batchSize: o.batch });
      case 'revocation.append':
        return await s.revocations.append({ type: 'session', sid: o.sid, at: o.at, expiresAt: o.at + o.ttl });
      case 'revocation.deleteExpired':
        return await s.revocations.deleteExpired(o.at, { batchSize: o.batch });
      case 'revocation.read':
        return [await s.revocations.listAfter(o.after, o.limit), await s.revocations.latestCursor()];
      case 'audit.append':
        return await s.audit.append(auditEvent(o.at, o.type));
      case 'audit.list':
        return await s.audit.list({ type: o.type ?? undefined, since: o.since ?? undefined, limit: o.limit });
      case 'audit.deleteBefore':
        return await s.audit.deleteBefore(o.at, { batchSize: o.batch });
    }
  } catch (error) {
    return { error: (error as { code?: string }).code ?? String(error) };
  }
}

describe('storage model: SQLite behaves like the memory adapter', () => {
  it('gives identical answers to random operation sequences', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 20, maxLength: 60 }), async (ops) => {
        const model = createMemoryStorage();
        const real = await createSqliteStorage({ file: ':memory:' });
        await real.migrate();
        try {
          for (const o of ops) expect(await run(real, o), o.k).toEqual(await run(model, o));
        } finally {
          await real.close();
        }
      }),
      { numRuns: 80 },
    );
  });
});
