import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CreateServerOptions,
  createClient,
  createServer,
  type KeycardConfigInput,
  type KeycardServer,
  updateClient,
  WEB_CLIENT_ID,
} from '../src/index.js';

/** Response bodies in tests are read loosely; assertions check their shape. */
// biome-ignore lint/suspicious/noExplicitAny: test-only JSON access
export type Body = any;

/** A frozen, steppable clock for expiry tests. */
export function testClock(start = Date.UTC(2030, 0, 1)) {
  let now = start;
  const clock = () => now;
  clock.advance = (ms: number) => {
    now += ms;
  };
  clock.set = (ms: number) => {
    now = ms;
  };
  return clock;
}

export interface Running {
  server: KeycardServer;
  url: string;
  dir: string;
  close(): Promise<void>;
  /** Closes and creates a new server on the same data dir and port-less config. */
  restart(): Promise<Running>;
}

/** A temp data dir (removed by the caller through the returned function). */
export function tempDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'keycard-server-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Starts a real server on 127.0.0.1 (port 0) with SQLite in a temp dir (or memory storage),
 * fast argon2 (test option) and silent logs.
 */
export async function startServer(
  config: KeycardConfigInput = {},
  options: CreateServerOptions & { dir?: string; webClientDpop?: 'as-seeded' } = {},
): Promise<Running> {
  const tmp = options.dir === undefined ? tempDir() : undefined;
  const dir = options.dir ?? tmp!.dir;
  const { webClientDpop, ...serverOptions } = options;
  const server = await createServer(
    { logLevel: 'silent', dataDir: dir, port: 0, ...config },
    { unsafeFastPasswordHashingForTests: true, jobs: false, ...serverOptions },
  );
  // The seeded web client requires DPoP; tests that are not about DPoP sign in with plain JSON
  // to `/api/login`, so they get it without the requirement (`webClientDpop: 'as-seeded'` keeps it).
  if (
    webClientDpop !== 'as-seeded' &&
    (await server.services.storage.clients.get(WEB_CLIENT_ID)) !== undefined
  )
    await updateClient(server.services, WEB_CLIENT_ID, { requireDpop: false });
  const url = await server.listen();
  const running: Running = {
    server,
    url,
    dir,
    async close() {
      await server.close();
      tmp?.remove();
    },
    async restart() {
      await server.close();
      return startServer(config, { ...options, dir });
    },
  };
  return running;
}

/** POSTs JSON and returns status, headers and parsed body. */
export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: Body }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text === '' ? undefined : JSON.parse(text) };
}

/** GETs JSON. */
export async function getJson(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { headers });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    body: text === '' ? undefined : (JSON.parse(text) as Body),
  };
}

/** POSTs a form (OAuth endpoints). */
export async function postForm(
  url: string,
  form: Record<string, string>,
  headers: Record<string, string> = {},
) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    body: text === '' ? undefined : (JSON.parse(text) as Body),
  };
}

/** Creates a user through the service layer. */
export async function addUser(
  running: Running,
  username: string,
  password: string,
  roles: string[] = ['guest'],
) {
  const { createUser } = await import('../src/index.js');
  return createUser(running.server.services, { username, password, roles });
}

/**
 * Registers an audience straight in storage, as a database may hold it (the admin API's rules,
 * such as one id namespace with clients, are not applied).
 */
export async function addAudience(running: Running, id: string, scopes: string[], name = id): Promise<void> {
  await running.server.services.storage.audiences.upsert({ id, name, scopes, uri: null, createdAt: 0 });
}

/**
 * The front desk of the revocation tests: a first-party confidential client with the password and
 * refresh grants, cards for the server's own audience with `revocations:read` (a scope that audience
 * understands, so it shows on the card) and `rooms:open`. Returns its Basic authorization header.
 */
export async function createDeskClient(services: KeycardServer['services']): Promise<Record<string, string>> {
  const { secret } = await createClient(services, {
    id: 'desk',
    type: 'confidential',
    firstParty: true,
    grants: ['password', 'refresh_token'],
    audiences: ['keycard'],
    scopes: ['revocations:read', 'rooms:open'],
  });
  return { authorization: `Basic ${Buffer.from(`desk:${secret}`).toString('base64')}` };
}
