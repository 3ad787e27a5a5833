// The SQLite revocation store's "nothing new" shortcut (storage/sqlite/revocation-watch.ts) while one
// of this connection's own appends is still settling: its commit can be visible before the append's
// promise has settled, so no call may answer from the shortcut meanwhile. The store under the watch
// is an in-process list whose append settles when the test says so (the interleaving a real driver
// allows but a test cannot time); the data_version comes from a real SQLite file.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { RevocationEvent, RevocationStore } from '../src/storage/event-types.js';
import { watchedRevocations } from '../src/storage/sqlite/revocation-watch.js';
import { tempDir } from './helpers.js';

function listStore() {
  const events: RevocationEvent[] = [];
  let queries = 0;
  let release: () => void = () => {};
  const store: RevocationStore = {
    async append(event) {
      const stored = { ...event, cursor: events.length + 1 } as RevocationEvent;
      events.push(stored); // "committed": visible to the next query at once
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      return stored;
    },
    async listAfter(after, limit) {
      queries += 1;
      return events.filter((e) => e.cursor > after).slice(0, limit);
    },
    async latestCursor() {
      return events.length;
    },
    async deleteExpired() {
      return 0;
    },
  };
  return { store, queries: () => queries, settle: () => release() };
}

describe('revocation watch: an append in flight', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });

  it('queries while its own append has committed but not settled, and after it settles', async () => {
    const tmp = tempDir();
    const db = new Database(join(tmp.dir, 'watch.db'));
    cleanups.push(
      () => tmp.remove(),
      () => db.close(),
    );
    const list = listStore();
    const watched = watchedRevocations(list.store, db);
    const now = Date.now();

    expect(await watched.listAfter(0, 10)).toEqual([]);
    expect(await watched.listAfter(0, 10)).toEqual([]);
    expect(list.queries()).toBe(1); // the second answer came from the shortcut

    const appended = watched.append({ type: 'session', sid: 's1', at: now, expiresAt: now + 60_000 });
    const during = await watched.listAfter(0, 10);
    expect(during.map((e) => e.cursor)).toEqual([1]);
    expect(list.queries()).toBe(2);

    list.settle();
    await appended;
    expect((await watched.listAfter(0, 10)).map((e) => e.cursor)).toEqual([1]);
    expect(await watched.listAfter(1, 10)).toEqual([]);
    expect(list.queries()).toBe(3); // the shortcut is back once nothing is in flight
  });
});
