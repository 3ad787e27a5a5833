import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMemoryStorage, type Storage } from '../../src/storage/index.js';
import { createSqliteStorage } from '../../src/storage/sqlite/index.js';
import {
  auditEvent,
  emailToken,
  passkey,
  refreshToken,
  session,
  totp,
  user,
} from './conformance/fixtures.js';

/**
 * Differential test: random operation sequences run against the memory adapter (the model) and
 * SQLite must give identical answers. Catches drift the example-based suite does not name.
 */
const ids = fc.constantFrom('a', 'b', 'c', 'd');
const users = fc.constantFrom('u1', 'u2');
const time = fc.integer({ min: 0, max: 6 }).map((n) => n * 100);
const batch = fc.integer({ min: 1, max: 3 });
const step = fc.integer({ min: 0, max: 4 });
const kind = fc.constantFrom('password_reset' as const, 'email_verify' as const);

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
  // Second factors and mailed links, which name users that come and go (u3 never exists).
  fc.record({ k: fc.constant('user.create'), user: fc.constantFrom('u1', 'u2', 'u3') }),
  fc.record({ k: fc.constant('user.delete'), user: users }),
  fc.record({ k: fc.constant('totp.put'), user: fc.constantFrom('u1', 'u3'), confirmed: fc.boolean() }),
  fc.record({ k: fc.constant('totp.confirm'), user: users, at: time, step }),
  fc.record({ k: fc.constant('totp.useStep'), user: users, step }),
  fc.record({ k: fc.constant('totp.delete'), user: users }),
  fc.record({
    k: fc.constant('codes.replace'),
    user: users,
    codes: fc.uniqueArray(ids, { maxLength: 3 }),
    at: time,
  }),
  fc.record({ k: fc.constant('codes.consume'), user: users, id: ids, at: time }),
  fc.record({ k: fc.constant('passkey.create'), id: ids, user: users, cred: ids }),
  fc.record({ k: fc.constant('passkey.use'), id: ids, old: step, next: step, at: time }),
  fc.record({ k: fc.constant('passkey.rename'), id: ids, user: users }),
  fc.record({ k: fc.constant('mail.create'), id: ids, user: users, kind, at: time, ttl: time }),
  fc.record({ k: fc.constant('mail.consume'), id: ids, kind, at: time }),
  fc.record({ k: fc.constant('mail.deleteByUser'), user: users, kind }),
  fc.record({ k: fc.constant('mail.deleteExpired'), at: time, batch }),
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
      case 'user.create':
        return await s.users.create(user(o.user, { username: o.user }));
      case 'user.delete':
        return await s.users.delete(o.user);
      case 'totp.put':
        return await s.totp.put(totp(o.user, { confirmedAt: o.confirmed ? 1 : null }));
      case 'totp.confirm':
        return [await s.totp.confirm(o.user, o.at, o.step), await s.totp.get(o.user)];
      case 'totp.useStep':
        return [await s.totp.useStep(o.user, o.step), await s.totp.get(o.user)];
      case 'totp.delete':
        return await s.totp.delete(o.user);
      case 'codes.replace':
        await s.recoveryCodes.replace(o.user, o.codes, o.at);
        return await s.recoveryCodes.countUnused(o.user);
      case 'codes.consume':
        return [await s.recoveryCodes.consume(o.user, o.id, o.at), await s.recoveryCodes.countUnused(o.user)];
      case 'passkey.create':
        return await s.passkeys.create(passkey(o.id, { userId: o.user, credentialId: o.cred }));
      case 'passkey.use':
        return [await s.passkeys.recordUse(o.id, o.old, o.next, o.at), await s.passkeys.get(o.id)];
      case 'passkey.rename':
        return [await s.passkeys.rename(o.id, o.user, 'renamed'), await s.passkeys.listByUser(o.user)];
      case 'mail.create':
        return await s.emailTokens.create(
          emailToken(o.id, { userId: o.user, kind: o.kind, createdAt: o.at, expiresAt: o.at + o.ttl }),
        );
      case 'mail.consume':
        return await s.emailTokens.consume(o.id, o.kind, o.at);
      case 'mail.deleteByUser':
        return await s.emailTokens.deleteByUser(o.user, o.kind);
      case 'mail.deleteExpired':
        return await s.emailTokens.deleteExpired(o.at, { batchSize: o.batch });
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
