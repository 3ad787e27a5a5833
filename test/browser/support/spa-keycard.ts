// docs/guides/oidc-spa-oauth4webapi.md as its reader runs it: the guide's `setup` commands through
// the real CLI into a fresh data dir, then keycard (in this process) with the guide's `serve`
// settings, on http://localhost:PORT while the app is on http://127.0.0.1:PORT2: two sites.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type KeycardServer, loadConfig } from '@keycard/server';
import type { Page } from 'playwright-core';
import { codeBlock } from '../../support/markdown-blocks.js';
import { ROOT } from './hotel.js';
import { SPA_DIR, type SpaServer } from './spa-server.js';

export const GUIDE = readFileSync(join(ROOT, 'docs/guides/oidc-spa-oauth4webapi.md'), 'utf8');
const CLI = join(ROOT, 'packages/cli/bin/keycard.js');
const GUIDE_ISSUER = 'https://auth.example.com';
const GUIDE_APP = 'https://photos.example.com';

/** A guide block with its addresses replaced by the test's. */
export function guideBlock(name: string, issuer: string, app: string): string {
  return codeBlock(GUIDE, name).code.replaceAll(GUIDE_ISSUER, issuer).replaceAll(GUIDE_APP, app);
}

/** Whether the guide shows exactly the app the test serves. */
export function guideShowsTheApp(): { indexHtml: boolean; appJs: boolean } {
  const same = (block: string, file: string) =>
    codeBlock(GUIDE, block).code === readFileSync(join(SPA_DIR, file), 'utf8');
  return { indexHtml: same('index.html', 'index.html'), appJs: same('app.js', 'app.js') };
}

/** Runs a shell block with bash (errexit, pipefail), `keycard` being the repository's CLI. */
function bash(script: string, env: Record<string, string>): Promise<string> {
  const child = spawn(
    'bash',
    ['-e', '-o', 'pipefail', '-c', `keycard() { node "${CLI}" "$@"; }\n${script}`],
    {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d));
  child.stderr.on('data', (d: Buffer) => (output += d));
  return new Promise((done, fail) =>
    child.on('close', (status) =>
      status === 0 ? done(output) : fail(new Error(`setup failed (${status}):\n${output}`)),
    ),
  );
}

async function freePort(): Promise<number> {
  const probe = createNetServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const { port } = probe.address() as { port: number };
  await new Promise((r) => probe.close(r));
  return port;
}

export interface GuideKeycard {
  issuer: string;
  server: KeycardServer;
  close(): Promise<void>;
}

/**
 * Registers the guide's app, role and user with the CLI, starts keycard with the `KEYCARD_*`
 * settings of the guide's `serve` block, and gives the app server its config.json and CSP.
 */
export async function startGuideKeycard(spa: SpaServer): Promise<GuideKeycard> {
  const dataDir = mkdtempSync(join(tmpdir(), 'keycard-spa-'));
  try {
    const port = await freePort();
    const issuer = `http://localhost:${port}`;
    await bash(guideBlock('setup', issuer, spa.origin), { KEYCARD_DATA_DIR: dataDir });
    const env = Object.fromEntries(
      [...guideBlock('serve', issuer, spa.origin).matchAll(/\b(KEYCARD_[A-Z_]+)=(\S+)/g)].map((m) => [
        m[1]!,
        m[2]!,
      ]),
    );
    const config = loadConfig({
      env,
      overrides: { issuer, port, host: '127.0.0.1', dataDir, logLevel: 'silent' },
    });
    const server = await createServer(config, { jobs: false });
    await server.listen();
    spa.configure(
      JSON.parse(guideBlock('config.json', issuer, spa.origin)) as Record<string, string>,
      guideBlock('csp', issuer, spa.origin).trim(),
    );
    return {
      issuer,
      server,
      async close() {
        await server.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

/** Waits until the app has finished what it was doing (`main[aria-busy="false"]`). */
export async function idle(page: Page): Promise<void> {
  await page.locator('main[aria-busy="false"]').waitFor();
}

/** What the app shows in `[data-testid=id]`. */
export async function shown(page: Page, id: string): Promise<string> {
  return (await page.getByTestId(id).textContent()) ?? '';
}

/** The app's stored proof key: whether it exists and whether its private half is extractable. */
export function appKeyFacts(page: Page): Promise<{ stored: boolean; extractable: boolean | null }> {
  return page.evaluate(async () => {
    const pair = await appKey();
    return {
      stored: pair !== undefined,
      extractable: pair === undefined ? null : pair.privateKey.extractable,
    };
    async function appKey(): Promise<CryptoKeyPair | undefined> {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open('photos', 1);
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      return new Promise((resolve, reject) => {
        const get = db.transaction('keys', 'readonly').objectStore('keys').get('dpop');
        get.onsuccess = () => resolve(get.result as CryptoKeyPair | undefined);
        get.onerror = () => reject(get.error);
      });
    }
  });
}

/** A DPoP proof for `POST url` signed in the page with the app's stored key (for later use). */
export function appKeyProof(page: Page, url: string): Promise<string> {
  return page.evaluate(async (url) => {
    const b64 = (bytes: ArrayBuffer | Uint8Array) =>
      btoa(String.fromCharCode(...new Uint8Array(bytes)))
        .replace(/\+/g, '-')
        .replace(/\//g, '_')
        .replace(/=+$/, '');
    const json = (v: unknown) => b64(new TextEncoder().encode(JSON.stringify(v)));
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open('photos', 1);
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const pair = await new Promise<CryptoKeyPair>((resolve, reject) => {
      const get = db.transaction('keys', 'readonly').objectStore('keys').get('dpop');
      get.onsuccess = () => resolve(get.result as CryptoKeyPair);
      get.onerror = () => reject(get.error);
    });
    const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', pair.publicKey);
    const claims = { jti: crypto.randomUUID(), htm: 'POST', htu: url, iat: Math.floor(Date.now() / 1000) };
    const input = `${json({ typ: 'dpop+jwt', alg: 'ES256', jwk: { kty, crv, x, y } })}.${json(claims)}`;
    const signature = await crypto.subtle.sign(
      { name: 'ECDSA', hash: 'SHA-256' },
      pair.privateKey,
      new TextEncoder().encode(input),
    );
    return `${input}.${b64(signature)}`;
  }, url);
}
