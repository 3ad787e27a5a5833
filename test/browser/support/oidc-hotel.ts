// A keycard server for the relying-party browser tests: set up through the real CLI (the guide's
// commands), then started in-process on `localhost` with the built web app, so its issuer
// (http://localhost:PORT) is another site than the apps on http://127.0.0.1:PORT2 and the
// SameSite=Lax sign-in cookie is really put to the test.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CreatedClient, NewAdminClient } from '@keycard/protocol';
import { createServer, type KeycardServer, type ServerContext } from '@keycard/server';
import type { Browser } from 'playwright-core';
import { codeBlock } from '../../support/markdown-blocks.js';
import { launchBrowser } from './browser.js';
import { ROOT } from './hotel.js';

export const GUIDE = join(ROOT, 'docs', 'guides', 'oidc-node-openid-client.md');
/** The guide's user (its password is the guide's, public and test-only). */
export const GUIDE_USER = { username: 'alice', password: 'correct horse battery staple' } as const;
const ADMIN = { username: 'admin', password: 'admin password for the browser tests' } as const;
const CLI = join(ROOT, 'packages', 'cli', 'bin', 'keycard.js');

export interface OidcHotel {
  server: KeycardServer;
  ctx: ServerContext;
  /** `http://localhost:PORT`. */
  issuer: string;
  /** The guide's client (`room-service`) and the secret `keycard clients add` printed. */
  guideClient: { id: string; secret: string };
  /** Registers a client through the admin API (an admin's Bearer card); answers its secret, if any. */
  addClient(client: NewAdminClient): Promise<CreatedClient>;
  close(): Promise<void>;
}

/** Runs a shell script with bash (errexit, pipefail), `keycard` being the repository's CLI. */
function bash(script: string, env: Record<string, string>): Promise<{ status: number | null; out: string }> {
  const child = spawn(
    'bash',
    ['-e', '-o', 'pipefail', '-c', `keycard() { node "${CLI}" "$@"; }\n${script}`],
    {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return new Promise((done) => child.on('close', (status) => done({ status, out })));
}

/**
 * Runs the guide's `setup` and `register` blocks (and adds an admin) on a new data dir, then starts
 * the server on `localhost` with the web app.
 */
export async function openOidcHotel(): Promise<OidcHotel> {
  const guide = readFileSync(GUIDE, 'utf8');
  const dataDir = mkdtempSync(join(tmpdir(), 'keycard-oidc-'));
  const script = [
    codeBlock(guide, 'setup').code,
    codeBlock(guide, 'register').code,
    `echo '${ADMIN.password}' | keycard users add ${ADMIN.username} --role manager --password-stdin`,
  ].join('\n');
  const setup = await bash(script, { KEYCARD_DATA_DIR: dataDir });
  if (setup.status !== 0) {
    rmSync(dataDir, { recursive: true, force: true });
    throw new Error(`the guide's setup failed (${setup.status}):\n${setup.out}`);
  }
  const secret = /client secret \(shown once\): (\S+)/.exec(setup.out)?.[1];
  const id = /created confidential client (\S+)/.exec(setup.out)?.[1];
  if (secret === undefined || id === undefined) throw new Error(`no client secret printed:\n${setup.out}`);

  const server = await createServer(
    { logLevel: 'silent', dataDir, port: 0, host: 'localhost' },
    { unsafeFastPasswordHashingForTests: true, jobs: false },
  );
  const issuer = await server.listen();
  if (!server.services.webPages) {
    await server.close();
    throw new Error('the server does not serve the web app: run `npm run build`');
  }

  const adminCard = async (): Promise<string> => {
    const res = await fetch(`${issuer}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...ADMIN, client_id: 'keycard-cli' }),
      signal: AbortSignal.timeout(10_000),
    });
    if (res.status !== 200) throw new Error(`admin login: HTTP ${res.status} ${await res.text()}`);
    return ((await res.json()) as { access_token: string }).access_token;
  };
  let card: Promise<string> | undefined;

  return {
    server,
    ctx: server.services,
    issuer,
    guideClient: { id, secret },
    async addClient(client) {
      card ??= adminCard();
      const res = await fetch(`${issuer}/api/admin/clients`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await card}` },
        body: JSON.stringify(client),
        signal: AbortSignal.timeout(10_000),
      });
      const body = await res.json();
      if (res.status !== 201)
        throw new Error(`adding client ${client.id}: HTTP ${res.status} ${JSON.stringify(body)}`);
      return body as CreatedClient;
    },
    async close() {
      await server.close().catch(() => {});
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The hotel and Chromium side by side; if one fails, the other is closed before the error is
 * thrown, so a failed beforeAll leaves nothing behind.
 */
export async function openOidcHotelAndBrowser(): Promise<{ hotel: OidcHotel; browser: Browser }> {
  const [hotel, browser] = await Promise.allSettled([openOidcHotel(), launchBrowser()]);
  if (hotel.status === 'fulfilled' && browser.status === 'fulfilled')
    return { hotel: hotel.value, browser: browser.value };
  if (hotel.status === 'fulfilled') await hotel.value.close();
  if (browser.status === 'fulfilled') await browser.value.close();
  throw hotel.status === 'rejected' ? hotel.reason : (browser as PromiseRejectedResult).reason;
}
