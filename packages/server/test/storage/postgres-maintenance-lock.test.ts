import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { Storage } from '../../src/storage/index.js';
import { createPostgresStorage } from '../../src/storage/postgres/index.js';
import { dropSchemas, freshSchema, PG_URL, probePostgres } from './postgres-helper.js';

const skip = await probePostgres();
if (skip) console.warn(`PostgreSQL maintenance lock tests skipped: ${skip}`);
const schemas: string[] = [];
afterAll(async () => {
  if (!skip) await dropSchemas(schemas);
});

/** A promise and the function that settles it. */
function signal(): { wait: Promise<void>; fire: () => void } {
  let fire = () => {};
  const wait = new Promise<void>((resolve) => {
    fire = resolve;
  });
  return { wait, fire };
}

async function instances(n: number, schema = freshSchema()): Promise<Storage[]> {
  schemas.push(schema);
  const all = await Promise.all(
    Array.from({ length: n }, () => createPostgresStorage({ url: PG_URL, schema, poolSize: 3 })),
  );
  await all[0]?.migrate();
  return all;
}

describe.skipIf(Boolean(skip))('postgres maintenance lock (advisory lock)', () => {
  it('lets one of several storages on one schema run fn at a time; the others skip', async () => {
    const storages = await instances(3);
    try {
      let inside = 0;
      let most = 0;
      const holding = signal();
      const done = signal();
      const work = async () => {
        inside++;
        most = Math.max(most, inside);
        holding.fire();
        await done.wait;
        inside--;
      };
      const first = storages[0]?.withMaintenanceLock('prune', work);
      await holding.wait;
      // While the first holds it, every other instance (and a second call from the first) skips.
      const others = await Promise.all(storages.map((s) => s.withMaintenanceLock('prune', work)));
      expect(others).toEqual([false, false, false]);
      // Another name is another lock.
      expect(await storages[1]?.withMaintenanceLock('other', async () => {})).toBe(true);
      done.fire();
      expect(await first).toBe(true);
      expect(most).toBe(1);
      // Released after fn: the next instance gets it.
      expect(await storages[2]?.withMaintenanceLock('prune', async () => {})).toBe(true);
    } finally {
      await Promise.all(storages.map((s) => s.close()));
    }
  });

  it('is released when fn throws, and when the lock connection is lost', async () => {
    const schema = freshSchema();
    const [a, b] = await instances(2, schema);
    if (a === undefined || b === undefined) throw new Error('two storages expected');
    try {
      await expect(
        a.withMaintenanceLock('prune', async () => {
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await b.withMaintenanceLock('prune', async () => {})).toBe(true);

      // The database ends the holder's connection mid-run (a network cut, a failover): the server
      // drops the lock with the session, so another instance can take over.
      let takenOver: boolean | undefined;
      const ran = await a.withMaintenanceLock('prune', async () => {
        await terminateLockHolder(schema, 'prune');
        takenOver = await b.withMaintenanceLock('prune', async () => {});
      });
      expect(takenOver).toBe(true);
      expect(ran).toBe(true); // fn finished; the failed unlock is not an error
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

/** Terminates the backend holding keycard's maintenance lock `name` for `schema` (only that one). */
async function terminateLockHolder(schema: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ ok: boolean }>(
      `select pg_terminate_backend(pid) as ok from pg_locks
        where locktype = 'advisory' and granted and objsubid = 2
          and classid = hashtext($1)::oid and objid = hashtext($2)::oid`,
      [schema, `keycard:${name}`],
    );
    expect(rows).toEqual([{ ok: true }]);
  } finally {
    await client.end();
  }
}
