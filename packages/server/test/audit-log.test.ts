import { describe, expect, it } from 'vitest';
import { createAuditLog } from '../src/audit/index.js';
import { createMemoryStorage } from '../src/storage/index.js';
import { addUser, postJson, startServer, tempDir } from './helpers.js';

const PASSWORD = 'correct horse battery';
const silent = { info() {}, warn() {}, error() {}, debug() {} } as never;

describe('audit log batching', () => {
  it('writes queued events in batches, in order, and flush() writes everything recorded before it', async () => {
    const storage = createMemoryStorage();
    let batches = 0;
    const appendMany = storage.audit.appendMany.bind(storage.audit);
    storage.audit.appendMany = async (events) => {
      batches++;
      return appendMany(events);
    };
    const audit = createAuditLog({ storage, clock: () => 1, logger: silent });
    // Recorded in one turn (as concurrent requests do): a few multi-row writes, not 250.
    for (let i = 0; i < 250; i++) void audit.record('token.refresh', { subject: `s${i}` });
    await audit.flush();
    const events = await storage.audit.list({ limit: 1000 });
    expect(events.map((e) => e.subject).reverse()).toEqual(Array.from({ length: 250 }, (_, i) => `s${i}`));
    expect(batches).toBeLessThanOrEqual(3);
  });

  it('a graceful shutdown writes every queued event (SQLite, reopened)', async () => {
    const tmp = tempDir();
    try {
      const r = await startServer({ throttle: { enabled: false } }, { dir: tmp.dir });
      await addUser(r, 'alice', PASSWORD);
      let token = (await postJson(`${r.url}/api/login`, { username: 'alice', password: PASSWORD })).body
        .refresh_token;
      for (let i = 0; i < 5; i++) {
        token = (await postJson(`${r.url}/api/refresh`, { refresh_token: token })).body.refresh_token;
      }
      await r.server.close();
      const again = await startServer({}, { dir: tmp.dir });
      const refreshes = await again.server.services.storage.audit.list({ type: 'token.refresh', limit: 100 });
      expect(refreshes).toHaveLength(5);
      await again.server.close();
    } finally {
      tmp.remove();
    }
  });
});
