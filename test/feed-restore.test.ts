// Issue 9, item 2: a guard keeps hearing logouts after the issuer's database is restored from a
// backup (or fails over to a replica that lagged): the feed's reset carries the new position and the
// guard follows it. Real PostgreSQL (a fresh schema per run), the real server, the real guard.
import type { Guard } from '@keycard/guard';
import { createGuard } from '@keycard/guard';
import type { KeycardServer, Storage } from '@keycard/server';
import { createServer, createStorage } from '@keycard/server';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually } from '../packages/guard/test/support/test-issuer.js';
import {
  dropSchemas,
  freshSchema,
  KEYCARD_TABLES,
  PG_URL,
  probePostgres,
} from '../packages/server/test/storage/postgres-helper.js';
import { bearer, seedHotel, signIn, signOut } from './support/seeded-hotel.js';

const skip = await probePostgres();
if (skip) console.log(`feed restore tests skipped: ${skip}`);

const masterKey = Buffer.alloc(32, 7).toString('base64url');
// A backup copies every table, the revocation cursor row included.
const TABLES = [...KEYCARD_TABLES, 'revocation_head'];

/** A backup, the plain way: every keycard table of `from` copied into the (migrated, emptied) `to`. */
async function copySchema(from: string, to: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    for (const t of TABLES) {
      await client.query(`delete from "${to}"."${t}"`);
      await client.query(`insert into "${to}"."${t}" select * from "${from}"."${t}"`);
    }
  } finally {
    await client.end();
  }
}

/** Reads an SSE stream until its `synced` event (or 5 s, so a server that never sends one fails, not hangs). */
async function readStream(url: string, headers: Record<string, string>): Promise<string> {
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(5000) });
  const reader = response.body!.getReader();
  let text = '';
  try {
    while (!text.includes('event: synced')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
  } catch {
    // timed out: the assertions below say what was missing
  }
  await reader.cancel().catch(() => {});
  return text;
}

async function start(storage: Storage, port = 0): Promise<{ server: KeycardServer; url: string }> {
  const server = await createServer(
    { logLevel: 'silent', masterKey, port, revocations: { pingInterval: 1 } },
    { unsafeFastPasswordHashingForTests: true, jobs: false, storage },
  );
  return { server, url: await server.listen({ port }) };
}

describe.skipIf(skip !== undefined)('feed reset after a restore', () => {
  const live = freshSchema();
  const backup = freshSchema();
  const storages: Storage[] = [];
  const guards: Guard[] = [];
  const servers: KeycardServer[] = [];
  afterAll(async () => {
    for (const g of guards) await g.close();
    for (const s of servers) await s.close();
    for (const s of storages) await s.close();
    await dropSchemas([live, backup]);
  });

  it('the reset carries the restored position; a logout after the restore is enforced at the guard', async () => {
    const liveStorage = await createStorage({ driver: 'postgres', url: PG_URL, schema: live });
    const backupStorage = await createStorage({ driver: 'postgres', url: PG_URL, schema: backup });
    storages.push(liveStorage, backupStorage);
    const first = await start(liveStorage);
    servers.push(first.server);
    const issuer = first.url;
    const port = Number(new URL(issuer).port);
    await seedHotel(first.server.services, ['alice', 'bob']);
    const early = await signIn(issuer, 'bob');
    await signOut(issuer, early); // cursor 1, part of the backup
    await copySchema(live, backup);

    const guard = createGuard({
      issuer,
      audience: 'rooms',
      jwks: { cooldownSeconds: 1 },
      revocation: { minReconnectDelayMs: 20, maxReconnectDelayMs: 200 },
    });
    guards.push(guard);
    await guard.ready();
    // After the backup: three more logouts move the live feed (and the guard) to cursor 4.
    const revokedAfterBackup = await signIn(issuer, 'alice');
    for (let i = 0; i < 2; i++) await signOut(issuer, await signIn(issuer, 'bob'));
    await signOut(issuer, revokedAfterBackup);
    await eventually(async () => !(await guard.verifyRequest(bearer(revokedAfterBackup.token))).ok);
    expect(guard.metrics().feedEvents).toBe(4);

    // Restore: the server comes back on the same address over the backup (latest cursor 1).
    await first.server.close();
    const second = await start(backupStorage, port);
    servers.push(second.server);
    expect(second.url).toBe(issuer);

    // The long-poll and the stream both answer a reset that carries the new position.
    const poll = await (await fetch(`${issuer}/revocations?after=4`)).json();
    expect(poll).toMatchObject({ events: [], cursor: 1, reset: true });
    const text = await readStream(`${issuer}/revocations/stream`, { 'last-event-id': '4' });
    expect(text).toContain('id: 1\nevent: reset\ndata: {"cursor":1}\n\n');

    await eventually(() => guard.metrics().feedResets >= 1 && guard.metrics().feedConnected, 10_000);
    // What the guard heard before the restore still holds.
    expect((await guard.verifyRequest(bearer(revokedAfterBackup.token))).ok).toBe(false);
    // A guest signs in after the restore; the card opens the door; the logout (cursor 2 of the
    // restored history, below the guard's old position) reaches the guard.
    const carol = await signIn(issuer, 'alice');
    expect((await guard.verifyRequest(bearer(carol.token))).ok).toBe(true);
    await signOut(issuer, carol);
    await eventually(async () => {
      const result = await guard.verifyRequest(bearer(carol.token));
      return !result.ok && result.error.code === 'ERR_GUARD_TOKEN_REVOKED';
    }, 10_000);
  });
});

describe.skipIf(skip !== undefined)('feed reset after a fail-over, without a restart', () => {
  const schema = freshSchema();
  let storage: Storage | undefined;
  let server: KeycardServer | undefined;
  let guard: Guard | undefined;
  afterAll(async () => {
    await guard?.close();
    await server?.close();
    await storage?.close();
    await dropSchemas([schema]);
  });

  it('a running instance notices its database went back in time and resets its streams to the new position', async () => {
    storage = await createStorage({ driver: 'postgres', url: PG_URL, schema });
    const started = await start(storage);
    server = started.server;
    const issuer = started.url;
    await seedHotel(server.services, ['alice', 'bob']);
    await signOut(issuer, await signIn(issuer, 'bob')); // cursor 1: what the replica has
    guard = createGuard({
      issuer,
      audience: 'rooms',
      revocation: { minReconnectDelayMs: 20, maxReconnectDelayMs: 200 },
    });
    await guard.ready();
    await eventually(() => guard!.metrics().feedConnected);
    for (let i = 0; i < 3; i++) await signOut(issuer, await signIn(issuer, 'bob'));
    await eventually(() => guard!.metrics().feedEvents === 4);

    // Fail-over to a replica that lagged: the events after cursor 1 never reached it.
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      await client.query(`delete from "${schema}".revocations where cursor > 1`);
      await client.query(`update "${schema}".revocation_head set last_cursor = 1`);
    } finally {
      await client.end();
    }
    await eventually(() => guard!.metrics().feedResets >= 1, 10_000);

    const alice = await signIn(issuer, 'alice');
    expect((await guard.verifyRequest(bearer(alice.token))).ok).toBe(true);
    await signOut(issuer, alice); // cursor 2 of the new history
    await eventually(async () => !(await guard!.verifyRequest(bearer(alice.token))).ok, 10_000);
    // The server's own check (its API cards) follows the new history too.
    const own = await signIn(issuer, 'alice', true);
    expect((await fetch(`${issuer}/api/me`, bearer(own.token))).status).toBe(200);
    const out = await fetch(`${issuer}/api/logout`, { method: 'POST', ...bearer(own.token) });
    expect(out.status).toBe(204);
    expect((await fetch(`${issuer}/api/me`, bearer(own.token))).status).toBe(401);
  });
});

describe.skipIf(skip !== undefined)('the restore runbook: move the cursor past every reader', () => {
  const schema = freshSchema();
  let storage: Storage | undefined;
  let server: KeycardServer | undefined;
  afterAll(async () => {
    await server?.close();
    await storage?.close();
    await dropSchemas([schema]);
  });

  it('after the documented UPDATE, a reader ahead of the restored history gets every new event', async () => {
    storage = await createStorage({ driver: 'postgres', url: PG_URL, schema });
    const started = await start(storage);
    server = started.server;
    const ctx = server.services;
    const publish = (jti: string) =>
      ctx.storage.revocations.append({ type: 'token', jti, at: Date.now(), expiresAt: Date.now() + 600_000 });
    await publish('before-backup'); // the restored history ends at cursor 1; a reader was at 4
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      // docs/operations.md, "Backups and restores", step 2.
      await client.query(`UPDATE "${schema}".revocation_head SET last_cursor = last_cursor + 1000000`);
    } finally {
      await client.end();
    }
    for (const jti of ['n1', 'n2', 'n3', 'n4', 'n5']) await publish(jti);
    const page = await (await fetch(`${started.url}/revocations?after=4`)).json();
    expect(page.reset).toBe(true);
    expect(page.events.map((e: { jti: string }) => e.jti)).toEqual(['n1', 'n2', 'n3', 'n4', 'n5']);
    expect(page.cursor).toBe(1_000_006);
  });
});

describe('guard.ready() means caught up', () => {
  it('resolves only after the whole backlog, not after the first page of 1,000 events', async () => {
    const server = await createServer(
      { logLevel: 'silent', databaseUrl: 'memory', masterKey, port: 0 },
      { unsafeFastPasswordHashingForTests: true, jobs: false },
    );
    const issuer = await server.listen();
    const now = Date.now();
    for (let i = 0; i < 2500; i++) {
      await server.services.storage.revocations.append({
        type: 'token',
        jti: `t${i}`,
        at: now,
        expiresAt: now + 600_000,
      });
    }
    const guard = createGuard({ issuer, audience: 'rooms' });
    const streamOnly = createGuard({
      issuer,
      audience: 'rooms',
      revocation: { streamUri: `${issuer}/revocations/stream` },
    });
    try {
      await guard.ready();
      expect(guard.metrics().revokedTokens).toBe(2500);
      await streamOnly.ready();
      expect(streamOnly.metrics().revokedTokens).toBe(2500);
    } finally {
      await guard.close();
      await streamOnly.close();
      await server.close();
    }
  });
});
