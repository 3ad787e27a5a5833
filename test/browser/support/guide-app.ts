// The relying party of the browser tests: the `oidc-app.mjs` block of
// docs/guides/oidc-node-openid-client.md, byte for byte (written under test-results/, inside the
// repository so it resolves the installed openid-client), served by node:http on 127.0.0.1.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { codeBlock } from '../../support/markdown-blocks.js';
import { ROOT } from './hotel.js';
import { GUIDE } from './oidc-hotel.js';

export interface AppOptions {
  issuer: string;
  clientId: string;
  clientSecret: string;
  scope: string;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;
interface GuideModule {
  createApp(options: AppOptions & { appUrl: string }): Promise<Handler>;
}

export interface RunningApp {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  /** Paths the app was asked for, in order (`/callback?code=…` included; not the test's own pages). */
  hits: string[];
  /**
   * Serves `html` at `path` of the app's origin from now on, beside the guide's app: an attacker's
   * page on that origin, for the tests (served over the network like the app, not intercepted).
   */
  testPage(path: string, html: string): void;
  close(): Promise<void>;
}

let loaded: { module: GuideModule; dir: string } | undefined;
let loading: Promise<GuideModule> | undefined;

/** Imports the guide's `oidc-app.mjs` once per test file (one copy, however many apps start at once). */
function guideModule(): Promise<GuideModule> {
  loading ??= (async () => {
    mkdirSync(join(ROOT, 'test-results'), { recursive: true });
    const dir = mkdtempSync(join(ROOT, 'test-results', 'oidc-guide-'));
    const file = join(dir, 'oidc-app.mjs');
    writeFileSync(file, codeBlock(readFileSync(GUIDE, 'utf8'), 'oidc-app.mjs').code);
    loaded = { module: (await import(pathToFileURL(file).href)) as GuideModule, dir };
    return loaded.module;
  })();
  return loading;
}

/** Removes the written copy of the guide's module. */
export function removeGuideModule(): void {
  if (loaded !== undefined) rmSync(loaded.dir, { recursive: true, force: true });
}

/** A port free on 127.0.0.1 a moment ago (for a child process that takes its port as given). */
export async function freePort(): Promise<number> {
  const probe = createNetServer();
  await new Promise<void>((ready) => probe.listen(0, '127.0.0.1', ready));
  const { port } = probe.address() as AddressInfo;
  await new Promise((done) => probe.close(done));
  return port;
}

/**
 * Runs the guide's `server.mjs` as the guide says (`CLIENT_SECRET=… node server.mjs`, beside its
 * `oidc-app.mjs`), with the test's issuer and a free port for 3000. Resolves once it listens.
 */
export async function startGuideServer(
  issuer: string,
  secret: string,
  port: number,
): Promise<{ url: string; stop(): Promise<void> }> {
  await guideModule();
  const dir = loaded!.dir;
  const code = codeBlock(readFileSync(GUIDE, 'utf8'), 'server.mjs')
    .code.replace(/\b3000\b/g, String(port))
    .replace('http://localhost:4000', issuer);
  writeFileSync(join(dir, 'server.mjs'), code);
  const child = spawn(process.execPath, ['server.mjs'], {
    cwd: dir,
    env: { ...process.env, CLIENT_SECRET: secret },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  await new Promise<void>((ready, fail) => {
    child.stdout.on('data', (d) => {
      output += d;
      if (output.includes(`room service on ${url}`)) ready();
    });
    child.stderr.on('data', (d) => (output += d));
    child.on('exit', (status) => fail(new Error(`server.mjs exited (${status}):\n${output}`)));
  });
  return {
    url,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Starts one app (one registered client) on 127.0.0.1, on a free port. */
export async function startApp(options: AppOptions): Promise<RunningApp> {
  const { createApp } = await guideModule();
  const hits: string[] = [];
  const testPages = new Map<string, string>();
  let handle: Handler | undefined;
  const server = createServer((req, res) => {
    const testPage = testPages.get(req.url ?? '');
    if (testPage !== undefined) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(testPage);
      return;
    }
    hits.push(req.url ?? '');
    if (handle === undefined) {
      res.writeHead(503).end();
      return;
    }
    void handle(req, res);
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  handle = await createApp({ ...options, appUrl: url });
  return {
    url,
    hits,
    testPage: (path, html) => testPages.set(path, html),
    async close() {
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
    },
  };
}
