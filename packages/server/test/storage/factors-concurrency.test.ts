import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Storage } from '../../src/storage/index.js';
import { createPostgresStorage } from '../../src/storage/postgres/index.js';
import { createSqliteStorage } from '../../src/storage/sqlite/index.js';
import { emailToken, hash, passkey, totp, user } from './conformance/fixtures.js';
import { dropSchemas, freshSchema, PG_URL, probePostgres } from './postgres-helper.js';

/**
 * The single-use and compare-and-set calls of second factors and mailed links, raced across
 * separate connections (SQLite: two on one file; PostgreSQL: four instances with their own pools):
 * exactly one caller wins, whichever connection it came through. The conformance suite races them
 * through one storage; this is the several-instances case the contract promises.
 */
const N = 20;

interface Race {
  name: string;
  /** Rows to lock (PostgreSQL) so every racer waits on the same row: table and user_id. */
  row: [table: string, userId: string];
  setup(s: Storage): Promise<void>;
  run(s: Storage, i: number): Promise<unknown>;
  /** How many of the N results count as a win. */
  won(results: unknown[]): number;
  after?(s: Storage): Promise<void>;
}

const truthy = (results: unknown[]) => results.filter((r) => r !== false && r !== undefined).length;

const RACES: Race[] = [
  {
    name: 'totp.useStep of one step',
    row: ['totp_factors', 'u-totp'],
    setup: (s) => s.totp.put(totp('u-totp', { confirmedAt: 1, lastUsedStep: 100 })),
    run: (s) => s.totp.useStep('u-totp', 101),
    won: truthy,
  },
  {
    name: 'totp.confirm of a pending enrolment',
    row: ['totp_factors', 'u-confirm'],
    setup: (s) => s.totp.put(totp('u-confirm')),
    run: (s, i) => s.totp.confirm('u-confirm', 2_000 + i, 100 + i),
    won: truthy,
  },
  {
    name: 'recoveryCodes.consume of one code',
    row: ['recovery_codes', 'u-codes'],
    setup: (s) => s.recoveryCodes.replace('u-codes', [hash('c0'), hash('c1')], 1),
    run: (s, i) => s.recoveryCodes.consume('u-codes', hash('c0'), 2_000 + i),
    won: truthy,
    async after(s) {
      expect(await s.recoveryCodes.countUnused('u-codes')).toBe(1);
    },
  },
  {
    name: 'passkeys.recordUse from one counter',
    row: ['passkeys', 'u-passkey'],
    setup: (s) => s.passkeys.create(passkey('pk', { userId: 'u-passkey', counter: 7 })),
    run: (s, i) => s.passkeys.recordUse('pk', 7, 8 + i, 2_000 + i),
    won: truthy,
  },
  {
    name: 'emailTokens.consume of one token',
    row: ['email_tokens', 'u-mail'],
    setup: (s) => s.emailTokens.create(emailToken(hash('mail'), { userId: 'u-mail' })),
    run: (s, i) => s.emailTokens.consume(hash('mail'), 'password_reset', 2_000 + i),
    won: truthy,
  },
];

async function seedUsers(s: Storage): Promise<void> {
  for (const race of RACES) await s.users.create(user(race.row[1], { username: race.row[1] }));
  await s.users.create(user('u-replace', { username: 'u-replace' }));
}

describe('second factors: one winner across two SQLite connections to one file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keycard-factors-'));
  let a: Storage;
  let b: Storage;
  beforeAll(async () => {
    const file = join(dir, 'keycard.db');
    a = await createSqliteStorage({ file });
    await a.migrate();
    b = await createSqliteStorage({ file });
    await seedUsers(a);
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    rmSync(dir, { recursive: true, force: true });
  });

  // Single statements only: a transaction racing another connection of this process would block
  // the event loop on SQLite's lock (docs/storage.md); replace() is raced on PostgreSQL below.
  it.each(RACES.map((r) => [r.name, r] as const))('%s', async (_name, race) => {
    await race.setup(a);
    const results = await Promise.all(Array.from({ length: N }, (_, i) => race.run(i % 2 ? a : b, i)));
    expect(race.won(results)).toBe(1);
    await race.after?.(b);
  });
});

const skip = await probePostgres();
if (skip) console.warn(`postgres factor concurrency tests skipped: ${skip}`);

describe.skipIf(Boolean(skip))('second factors: one winner across four PostgreSQL instances', () => {
  const schema = freshSchema();
  let instances: Storage[] = [];
  const pick = (i: number): Storage => instances[i % instances.length] as Storage;

  beforeAll(async () => {
    // Racers queue on one row lock: waiting is the point, so the per-call bound is lifted.
    instances = await Promise.all(
      Array.from({ length: 4 }, () =>
        createPostgresStorage({ url: PG_URL, schema, poolSize: 6, timeoutMs: 60_000 }),
      ),
    );
    await Promise.all(instances.map((s) => s.migrate()));
    await seedUsers(pick(0));
  });
  afterAll(async () => {
    await Promise.all(instances.map((s) => s.close()));
    await dropSchemas([schema]);
  });

  /**
   * Runs the calls while another connection holds the rows' lock, releasing it only once every
   * call waits on it (directly or behind another waiter): they race for the same row for certain.
   */
  async function raceOnRows<T>(table: string, userId: string, calls: Array<() => Promise<T>>): Promise<T[]> {
    const connect = async () => {
      const client = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema}` });
      await client.connect();
      return client;
    };
    const holder = await connect();
    // Counted from another connection: inside the holder's transaction pg_stat_activity is a
    // snapshot taken once, which would never see the racers arrive.
    const watcher = await connect();
    try {
      await holder.query('begin');
      await holder.query(`select 1 from ${table} where user_id = $1 for update`, [userId]);
      const holderPid = (await holder.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]?.pid;
      const racing = Promise.all(calls.map((call) => call()));
      // Backends waiting on the holder, directly or behind another waiter (a row's lock queue).
      const waiting = async () =>
        Number(
          (
            await watcher.query<{ n: string }>(
              `with recursive blocked(pid) as (
                 select pid from pg_stat_activity where $1::int = any(pg_blocking_pids(pid))
                 union select a.pid from pg_stat_activity a join blocked b on b.pid = any(pg_blocking_pids(a.pid)))
               select count(*) as n from blocked`,
              [holderPid],
            )
          ).rows[0]?.n,
        );
      while ((await waiting()) < calls.length) await new Promise((resolve) => setImmediate(resolve));
      await holder.query('commit');
      return await racing;
    } finally {
      await Promise.all([holder.end(), watcher.end()]);
    }
  }

  it.each(RACES.map((r) => [r.name, r] as const))('%s', async (_name, race) => {
    await race.setup(pick(0));
    const [table, userId] = race.row;
    const results = await raceOnRows(
      table,
      userId,
      Array.from({ length: N }, (_, i) => () => race.run(pick(i), i)),
    );
    expect(race.won(results)).toBe(1);
    await race.after?.(pick(1));
  });

  it('recoveryCodes.replace racing from every instance leaves exactly one whole set', async () => {
    await pick(0).recoveryCodes.replace('u-replace', [hash('before')], 1);
    const sets = Array.from({ length: N }, (_, i) => [hash(`s${i}-a`), hash(`s${i}-b`)]);
    await Promise.all(sets.map((set, i) => pick(i).recoveryCodes.replace('u-replace', set, 2_000 + i)));
    expect(await pick(1).recoveryCodes.countUnused('u-replace')).toBe(2);
    const winners: number[] = [];
    for (const [i, set] of sets.entries()) {
      if (await pick(2).recoveryCodes.consume('u-replace', set[0] as string, 3_000)) winners.push(i);
    }
    expect(winners).toHaveLength(1);
    expect(
      await pick(3).recoveryCodes.consume('u-replace', sets[winners[0] ?? 0]?.[1] as string, 3_000),
    ).toBe(true);
  });

  it('a user deleted on one instance takes the factors another instance just wrote', async () => {
    await pick(0).users.create(user('u-gone', { username: 'u-gone' }));
    await pick(1).totp.put(totp('u-gone'));
    await pick(2).passkeys.create(passkey('pk-gone', { userId: 'u-gone' }));
    expect(await pick(3).users.delete('u-gone')).toBe(true);
    expect(await pick(0).totp.get('u-gone')).toBeUndefined();
    expect(await pick(1).passkeys.get('pk-gone')).toBeUndefined();
    await expect(
      pick(2).emailTokens.create(emailToken(hash('late'), { userId: 'u-gone' })),
    ).rejects.toMatchObject({ code: 'ERR_STORAGE_CONFLICT' });
  });
});
