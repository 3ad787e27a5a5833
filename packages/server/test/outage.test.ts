/**
 * The database going away (issue 9, item 4): real PostgreSQL behind a TCP proxy this file owns,
 * failed three ways — connections reset, the network black-holed, the database stopped
 * (connection refused) — and a SQLite file locked by another process. While storage is away the
 * process stays up, storage-backed requests answer 503 with Retry-After and a stable code, JWKS
 * and discovery answer from memory, readiness says so, and everything recovers without a restart.
 */
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isStorageUnavailable, StorageUnavailableError } from '../src/index.js';
import { addUser, type Body, postForm, type Running, startServer, testClock } from './helpers.js';
import { probePostgres } from './storage/postgres-helper.js';
import { type ProxiedPostgres, proxiedPostgres } from './support/proxied-postgres.js';

const PASSWORD = 'correct horse battery';
/** Far above any storage bound under test: a request still open this long is hanging. */
const HANG_MS = 20_000;

const skip = await probePostgres();

// The process must survive a reset: record what would have killed it (vitest would also report it).
const uncaught: unknown[] = [];
const onUncaught = (error: unknown) => uncaught.push(error);
beforeAll(() => {
  process.on('uncaughtExceptionMonitor', onUncaught);
});
afterAll(() => {
  process.off('uncaughtExceptionMonitor', onUncaught);
});

async function call(
  url: string,
  init: { method?: string; json?: unknown; form?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; body: Body }> {
  const headers: Record<string, string> = {};
  let body: string | undefined;
  if (init.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(init.json);
  } else if (init.form !== undefined) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(init.form).toString();
  }
  // A hang fails the test here instead of at the test timeout.
  const res = await fetch(url, {
    method: init.method ?? (body === undefined ? 'GET' : 'POST'),
    headers,
    ...(body !== undefined ? { body } : {}),
    signal: AbortSignal.timeout(HANG_MS),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text === '' ? undefined : JSON.parse(text) };
}

const login = (r: Running) => call(`${r.url}/api/login`, { json: { username: 'alice', password: PASSWORD } });

/** Retries `attempt` until `done` holds: recovery is checked by outcome, never by a clock. */
async function eventually<T>(attempt: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  let last: T | undefined;
  for (let i = 0; i < 100; i += 1) {
    last = await attempt();
    if (done(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return last as T;
}

/** Signs in until it works again (bounded): the server must recover on its own. */
const loginWhenBack = (r: Running) =>
  eventually(
    () => login(r),
    (res) => res.status === 200,
  );

function expectUnavailable(res: { status: number; headers: Headers; body: Body }) {
  expect(res.status).toBe(503);
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(res.body.error.code).toBe('ERR_STORAGE_UNAVAILABLE');
}

function expectOAuthUnavailable(res: { status: number; headers: Headers; body: Body }) {
  expect(res.status).toBe(503);
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(res.body).toMatchObject({ error: 'temporarily_unavailable', code: 'ERR_STORAGE_UNAVAILABLE' });
}

describe.skipIf(Boolean(skip))('PostgreSQL going away', () => {
  let db: ProxiedPostgres | undefined;
  let r: Running | undefined;
  afterEach(async () => {
    await db?.proxy.restore();
    await r?.close();
    await db?.close();
    r = undefined;
    db = undefined;
  });

  async function start(
    config: Parameters<typeof startServer>[0] = {},
    options: Parameters<typeof startServer>[1] = {},
  ): Promise<Running> {
    db = await proxiedPostgres();
    r = await startServer({ databaseUrl: db.url, ...config }, options);
    await addUser(r, 'alice', PASSWORD);
    expect((await login(r)).status).toBe(200);
    return r;
  }

  it('connections reset (RST): the process lives, 503 meanwhile, recovery without a restart', async () => {
    const r = await start();
    const proxy = db!.proxy;
    const refresh = (await login(r)).body.refresh_token as string;

    // A query in flight when the reset comes: the pg client it runs on emits 'error'.
    proxy.blackhole();
    const inFlight = login(r);
    await eventually(
      async () => proxy.held,
      (held) => held > 0,
    );
    proxy.reset();
    expectUnavailable(await inFlight);

    expectUnavailable(await login(r));
    const token = await call(`${r.url}/oauth/token`, {
      form: { grant_type: 'refresh_token', refresh_token: refresh, client_id: 'keycard-web' },
    });
    expectOAuthUnavailable(token);
    expect((await call(`${r.url}/healthz`)).status).toBe(200);
    expect((await call(`${r.url}/readyz`)).status).toBe(503);

    await proxy.restore();
    expect((await loginWhenBack(r)).status).toBe(200);
    // The outage consumed nothing: the refresh token presented during it still works.
    const after = await postForm(`${r.url}/oauth/token`, {
      grant_type: 'refresh_token',
      refresh_token: refresh,
      client_id: 'keycard-web',
    });
    expect(after.status).toBe(200);
    expect((await call(`${r.url}/readyz`)).status).toBe(200);
    expect(uncaught).toEqual([]);
  });

  it('black-holed: every call is bounded, JWKS and discovery answer from memory', async () => {
    const clock = testClock(Date.now());
    const r = await start({ storage: { timeoutMs: 2000 } }, { clock });
    const jwks = await call(`${r.url}/.well-known/jwks.json`);
    const discovery = await call(`${r.url}/.well-known/openid-configuration`);
    expect(jwks.status).toBe(200);

    db!.proxy.blackhole();
    expectUnavailable(await login(r));
    expectOAuthUnavailable(
      await call(`${r.url}/oauth/token`, {
        form: { grant_type: 'password', username: 'alice', password: PASSWORD, client_id: 'keycard-web' },
      }),
    );
    const readyz = await call(`${r.url}/readyz`);
    expect(readyz.status).toBe(503);
    expect(readyz.body.error.code).toBe('ERR_STORAGE_UNAVAILABLE');
    expect((await call(`${r.url}/healthz`)).status).toBe(200);
    // Long after the key cache's lifetime, still the same keys and metadata.
    clock.advance(10 * 60_000);
    for (let i = 0; i < 3; i += 1) {
      const during = await call(`${r.url}/.well-known/jwks.json`);
      expect(during.status).toBe(200);
      expect(during.body).toEqual(jwks.body);
      const meta = await call(`${r.url}/.well-known/openid-configuration`);
      expect(meta.status).toBe(200);
      expect(meta.body).toEqual(discovery.body);
    }

    await db!.proxy.restore();
    expect((await loginWhenBack(r)).status).toBe(200);
    expect(uncaught).toEqual([]);
  });

  it('stopped cleanly (connection refused): 503, not 500 ERR_INTERNAL, then recovery', async () => {
    const r = await start();
    await db!.proxy.refuse();
    expectUnavailable(await login(r));
    expectOAuthUnavailable(
      await call(`${r.url}/oauth/token`, {
        form: { grant_type: 'password', username: 'alice', password: PASSWORD, client_id: 'keycard-web' },
      }),
    );
    expect((await call(`${r.url}/readyz`)).status).toBe(503);

    await db!.proxy.restore();
    expect((await loginWhenBack(r)).status).toBe(200);
    expect(uncaught).toEqual([]);
  });
});

describe('SQLite locked by another process', () => {
  let r: Running | undefined;
  afterEach(async () => {
    await r?.close();
    r = undefined;
  });

  it('a write that cannot get the lock within storage.timeoutMs answers 503', async () => {
    r = await startServer({ storage: { timeoutMs: 200 } });
    await addUser(r, 'alice', PASSWORD);
    const other = new BetterSqlite3(join(r.dir, 'keycard.db'));
    try {
      other.exec('begin exclusive');
      expectUnavailable(await login(r));
      other.exec('rollback');
    } finally {
      other.close();
    }
    expect((await login(r)).status).toBe(200);
  });
});

describe('what counts as storage unavailable', () => {
  const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

  it('connection, timeout and lock failures do; bugs and conflicts do not', () => {
    for (const error of [
      withCode('ECONNREFUSED'),
      withCode('08006'),
      withCode('57P01'),
      withCode('57014'),
      withCode('53300'),
      withCode('25006'),
      withCode('SQLITE_BUSY'),
      withCode('SQLITE_IOERR_WRITE'),
      new Error('Connection terminated unexpectedly'),
      new Error('wrapped', { cause: withCode('ECONNRESET') }),
      new StorageUnavailableError(),
    ]) {
      expect(isStorageUnavailable(error), String((error as { code?: string }).code ?? error.message)).toBe(
        true,
      );
    }
    for (const error of [
      withCode('23505'),
      withCode('42601'),
      withCode('SQLITE_CONSTRAINT_UNIQUE'),
      new TypeError('x is undefined'),
      'ECONNRESET',
      undefined,
    ]) {
      expect(isStorageUnavailable(error)).toBe(false);
    }
  });
});
