import type { Selectable } from 'kysely';
import { inBatches } from '../paging.js';
import type { AuthorizationCodeRecord, AuthorizationCodeStore, NewAuthorizationCode } from '../types.js';
import { count, orConflict, type SqlContext } from './context.js';
import type { AuthorizationCodesTable } from './schema.js';

const numOrNull = (value: number | string | null): number | null => (value === null ? null : Number(value));

const codeToRow = (c: NewAuthorizationCode): AuthorizationCodesTable => ({
  code_hash: c.codeHash,
  client_id: c.clientId,
  redirect_uri: c.redirectUri,
  code_challenge: c.codeChallenge,
  user_id: c.userId,
  sid: c.sid,
  scopes: JSON.stringify(c.scopes),
  audiences: JSON.stringify(c.audiences),
  nonce: c.nonce,
  auth_time: c.authTime,
  amr: JSON.stringify(c.amr),
  dpop_jkt: c.dpopJkt,
  created_at: c.createdAt,
  expires_at: c.expiresAt,
  consumed_at: null,
  issued_session_id: null,
  replayed_at: null,
});

const rowToCode = (r: Selectable<AuthorizationCodesTable>): AuthorizationCodeRecord => ({
  codeHash: r.code_hash,
  clientId: r.client_id,
  redirectUri: r.redirect_uri,
  codeChallenge: r.code_challenge,
  userId: r.user_id,
  sid: r.sid,
  scopes: JSON.parse(r.scopes) as string[],
  audiences: JSON.parse(r.audiences) as string[],
  nonce: r.nonce,
  authTime: Number(r.auth_time),
  amr: JSON.parse(r.amr) as string[],
  dpopJkt: r.dpop_jkt,
  createdAt: Number(r.created_at),
  expiresAt: Number(r.expires_at),
  consumedAt: numOrNull(r.consumed_at),
  issuedSessionId: r.issued_session_id,
  replayedAt: numOrNull(r.replayed_at),
});

/**
 * Authorization codes on SQLite and PostgreSQL. Every state change is one conditional UPDATE, so
 * the database decides races: on PostgreSQL a second UPDATE of the row waits for the first one's
 * commit and re-checks its WHERE (READ COMMITTED), on SQLite each statement runs alone under the
 * database's write lock. No read-then-write anywhere.
 */
export function sqlAuthorizationCodes(ctx: SqlContext): AuthorizationCodeStore {
  const { db } = ctx;
  const get = async (codeHash: string) => {
    const row = await db
      .selectFrom('authorization_codes')
      .selectAll()
      .where('code_hash', '=', codeHash)
      .executeTakeFirst();
    return row && rowToCode(row);
  };
  return {
    async create(code) {
      await orConflict(ctx, 'authorization code already exists', () =>
        db.insertInto('authorization_codes').values(codeToRow(code)).execute(),
      );
    },
    get,
    async consume(codeHash, now) {
      // The one UPDATE that can use the code: only one caller ever matches `consumed_at IS NULL`.
      const won = await db
        .updateTable('authorization_codes')
        .set({ consumed_at: now })
        .where('code_hash', '=', codeHash)
        .where('consumed_at', 'is', null)
        .where('expires_at', '>', now)
        .returningAll()
        .executeTakeFirst();
      if (won !== undefined) return { status: 'ok', record: rowToCode(won) };
      // Used before (by a commit this statement waited for, if it raced): note the replay.
      const replayed = await db
        .updateTable('authorization_codes')
        .set((eb) => ({ replayed_at: eb.fn.coalesce('replayed_at', eb.val(now)) }))
        .where('code_hash', '=', codeHash)
        .where('consumed_at', 'is not', null)
        .returningAll()
        .executeTakeFirst();
      if (replayed !== undefined) return { status: 'replayed', record: rowToCode(replayed) };
      // Unused: it exists only if expired (a code cannot be un-consumed).
      return (await get(codeHash)) === undefined ? { status: 'missing' } : { status: 'expired' };
    },
    async markIssued(codeHash, sessionId) {
      // Serialised with consume's replay UPDATE on the row lock: one of the two sees the other.
      const row = await db
        .updateTable('authorization_codes')
        .set({ issued_session_id: sessionId })
        .where('code_hash', '=', codeHash)
        .where('consumed_at', 'is not', null)
        .returning('replayed_at')
        .executeTakeFirst();
      if (row === undefined) return 'missing';
      return row.replayed_at === null ? 'ok' : 'replayed';
    },
    async deleteExpired(before, opts) {
      return inBatches(opts, async (size) => {
        const batch = db
          .selectFrom('authorization_codes')
          .select('code_hash')
          .where('expires_at', '<', before)
          .limit(size);
        const result = await db
          .deleteFrom('authorization_codes')
          .where('code_hash', 'in', batch)
          .executeTakeFirst();
        return count(result.numDeletedRows);
      });
    },
    async deleteByClient(clientId) {
      const result = await db
        .deleteFrom('authorization_codes')
        .where('client_id', '=', clientId)
        .executeTakeFirst();
      return count(result.numDeletedRows);
    },
    async deleteByUser(userId) {
      const result = await db
        .deleteFrom('authorization_codes')
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return count(result.numDeletedRows);
    },
  };
}
