import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RevocationEvent, Storage } from '../../src/storage/index.js';
import { createPostgresStorage } from '../../src/storage/postgres/index.js';
import { dropSchemas, freshSchema, PG_URL, probePostgres } from './postgres-helper.js';

const skip = await probePostgres();
if (skip) console.warn(`postgres concurrency tests skipped: ${skip}`);

/** Several instances on one schema, each with its own pool: concurrency across real connections. */
describe.skipIf(Boolean(skip))('postgres storage: several instances at once', () => {
  const schema = freshSchema();
  let instances: Storage[] = [];

  beforeAll(async () => {
    // Bursts of hundreds of calls queue for 20 connections and one row lock: waiting is the point
    // here, so the per-call bound (storage.timeoutMs, 5 s by default) is lifted out of the way.
    instances = await Promise.all(
      Array.from({ length: 4 }, () =>
        createPostgresStorage({ url: PG_URL, schema, poolSize: 5, timeoutMs: 60_000 }),
      ),
    );
    await Promise.all(instances.map((s) => s.migrate()));
  });

  afterAll(async () => {
    await Promise.all(instances.map((s) => s.close()));
    await dropSchemas([schema]);
  });

  const pick = (i: number): Storage => instances[i % instances.length] as Storage;

  it('lets exactly one consume win when 20 connections race for one refresh token', async () => {
    await pick(0).refreshTokens.create({
      hash: 'race',
      sessionId: 's1',
      createdAt: 1,
      expiresAt: 10_000,
      usedAt: null,
      replacedBy: null,
      successorSealed: null,
    });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        pick(i).refreshTokens.consume('race', 100 + i, { hash: `next-${i}`, sealed: `s-${i}` }),
      ),
    );
    const winners = results.filter((r) => r.status === 'consumed');
    expect(winners).toHaveLength(1);
    const winner = winners[0]?.status === 'consumed' ? winners[0].token : undefined;
    for (const r of results.filter((x) => x.status !== 'consumed')) {
      expect(r.status).toBe('already_used');
      expect(r.status === 'already_used' && r.token.replacedBy).toBe(winner?.replacedBy);
    }
  });

  it("with successor records, 20 racing connections leave exactly the winner's successor", async () => {
    const base = { sessionId: 's1', createdAt: 1, expiresAt: 10_000, usedAt: null, replacedBy: null };
    await pick(0).refreshTokens.create({ ...base, hash: 'race-rec', successorSealed: null });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        pick(i).refreshTokens.consume('race-rec', 100 + i, {
          hash: `rec-${i}`,
          sealed: `s-${i}`,
          record: { ...base, hash: `rec-${i}`, successorSealed: null },
        }),
      ),
    );
    const winners = results.filter((r) => r.status === 'consumed');
    expect(winners).toHaveLength(1);
    const winner = winners[0]?.status === 'consumed' ? winners[0].token.replacedBy : undefined;
    for (const r of results)
      if (r.status !== 'consumed') expect(r.status === 'already_used' && r.token.replacedBy).toBe(winner);
    const existing = await Promise.all(
      Array.from({ length: 20 }, (_, i) => pick(i).refreshTokens.get(`rec-${i}`)),
    );
    expect(existing.filter((t) => t !== undefined).map((t) => t?.hash)).toEqual([winner]);
  });

  const code = (codeHash: string) => ({
    codeHash,
    clientId: 'spa',
    redirectUri: 'https://app.example/cb',
    codeChallenge: 'c'.repeat(43),
    userId: 'u1',
    sid: 'b1',
    scopes: ['openid'],
    audiences: ['rooms'],
    nonce: null,
    authTime: 1,
    amr: ['pwd'],
    dpopJkt: null,
    createdAt: 1,
    expiresAt: 10_000,
  });

  /**
   * Runs `calls` while a third connection holds the code's row lock, releasing it only once both
   * wait on it: they then race for the same row for certain, whatever the scheduling.
   */
  async function raceOnRow<T>(codeHash: string, calls: Array<() => Promise<T>>): Promise<T[]> {
    const holder = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema}` });
    await holder.connect();
    try {
      await holder.query('begin');
      await holder.query('select 1 from authorization_codes where code_hash = $1 for update', [codeHash]);
      const racing = Promise.all(calls.map((call) => call()));
      // Backends blocked by the holder, or by one blocked by it (the second waiter queues behind
      // the first for the row): never another test file's waits.
      const waiting = async () =>
        (
          await holder.query<{ n: string }>(
            `with direct as (select pid from pg_stat_activity where pg_backend_pid() = any(pg_blocking_pids(pid)))
             select (select count(*) from direct) + (select count(*) from pg_stat_activity
               where pid not in (select pid from direct) and pg_blocking_pids(pid) && array(select pid from direct)) as n`,
          )
        ).rows[0]?.n;
      while (Number(await waiting()) < calls.length) await new Promise((resolve) => setImmediate(resolve));
      await holder.query('commit');
      return await racing;
    } finally {
      await holder.end();
    }
  }

  it('gives exactly one ok and one replayed when two connections consume one code at the same instant', async () => {
    await pick(0).authorizationCodes.create(code('code-race'));
    const results = await raceOnRow('code-race', [
      () => pick(1).authorizationCodes.consume('code-race', 100),
      () => pick(2).authorizationCodes.consume('code-race', 101),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['ok', 'replayed']);
  });

  it('a replay racing markIssued either names the issued session or makes markIssued say replayed', async () => {
    await pick(0).authorizationCodes.create(code('issued-race'));
    expect((await pick(0).authorizationCodes.consume('issued-race', 100)).status).toBe('ok');
    const [marked, replay] = await raceOnRow<unknown>('issued-race', [
      () => pick(1).authorizationCodes.markIssued('issued-race', 'sess-1'),
      () => pick(2).authorizationCodes.consume('issued-race', 101),
    ]);
    expect(replay).toMatchObject({ status: 'replayed' });
    const seen = (replay as { record: { issuedSessionId: string | null } }).record.issuedSessionId;
    // Exactly one side learns of the other: the replay saw the session, or markIssued saw the replay.
    expect(seen === 'sess-1' ? marked === 'ok' : seen === null && marked === 'replayed').toBe(true);
  });

  it('lets one of several racing key rotations win', async () => {
    await pick(0).keys.create(key('k0', 'current'));
    for (let i = 1; i <= 4; i++) await pick(0).keys.create(key(`k${i}`, 'next'));
    const results = await Promise.allSettled(
      instances.map((s, i) => s.keys.promote(`k${i + 1}`, 'k0', 500, 900)),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) {
      if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'ERR_STORAGE_CONFLICT' });
    }
    expect((await pick(1).keys.list()).filter((k) => k.state === 'current')).toHaveLength(1);
  });

  it('makes revocation cursors visible in order: a follower reading during appends misses nothing', async () => {
    const total = 400;
    const start = await pick(0).revocations.latestCursor();
    const appending = Promise.all(
      Array.from({ length: total }, (_, i) =>
        pick(i).revocations.append({ type: 'token', jti: `j${i}`, at: i, expiresAt: 1e12 }),
      ),
    );
    // The follower does what a guard does: remember the last cursor, ask for what comes after.
    const seen: RevocationEvent[] = [];
    let after = start;
    let done = false;
    appending
      .finally(() => {
        done = true;
      })
      .catch(() => {}); // a failed append surfaces at `await appending` below
    for (let round = 0; round < 100_000; round++) {
      // Read `done` before querying: an empty page only proves the end if every append had
      // already committed when the query started.
      const finished = done;
      const page = await pick(round + 1).revocations.listAfter(after, 37);
      for (const event of page) {
        expect(event.cursor).toBeGreaterThan(after);
        seen.push(event);
        after = event.cursor;
      }
      if (page.length === 0 && finished) break;
    }
    const appended = await appending;
    expect(seen.map((e) => e.cursor).sort((a, b) => a - b)).toEqual(
      appended.map((e) => e.cursor).sort((a, b) => a - b),
    );
    expect(new Set(seen.map((e) => e.cursor)).size).toBe(total);
    expect(await pick(2).revocations.latestCursor()).toBe(start + total);
  });
});

function key(kid: string, state: 'current' | 'next') {
  return {
    kid,
    alg: 'ES256',
    state,
    publicJwk: { kty: 'EC', kid },
    privateSealed: 'sealed',
    createdAt: 1,
    activatedAt: null,
    retiredAt: null,
    removeAfter: null,
  };
}
