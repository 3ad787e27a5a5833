import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shippedWebAppDir } from '../src/util/web-dir.js';

const root = resolve(import.meta.dirname, '../../..');
const webDist = join(root, 'packages/web/dist');
const bin = join(root, 'packages/cli/dist/bin.js');
const built = existsSync(join(webDist, 'index.html')) && existsSync(bin);
if (!built)
  console.warn('[serve web app tests] SKIPPED: run `npm run build` first (web app or CLI not built)');

/** `keycard serve` on a free port with a fresh data dir; resolves with its URL. */
async function serve(dir: string, env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--data-dir', join(dir, 'data')], {
    env: { PATH: process.env['PATH'], ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const url = await new Promise<string>((ok, fail) => {
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m?.[1]) ok(m[1]);
    });
    child.on('exit', (code) => fail(new Error(`serve exited (${code}): ${out}`)));
  });
  return { child, url };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

const page = async (url: string) => (await fetch(`${url}/`, { headers: { accept: 'text/html' } })).text();

describe.skipIf(!built)('keycard serve: which web app it serves', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'keycard-web-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('in a clone, the workspace build of @keycard/web', async () => {
    expect(shippedWebAppDir()).toBe(webDist);
    const { child, url } = await serve(dir, {});
    try {
      expect(await page(url)).toBe(readFileSync(join(webDist, 'index.html'), 'utf8'));
    } finally {
      await stop(child);
    }
  });

  it('ui.staticDir (KEYCARD_UI_DIR) wins over the shipped build', async () => {
    const custom = join(dir, 'custom-ui');
    mkdirSync(custom);
    writeFileSync(join(custom, 'index.html'), '<!doctype html><title>custom</title>');
    const { child, url } = await serve(dir, { KEYCARD_UI_DIR: custom });
    try {
      expect(await page(url)).toContain('<title>custom</title>');
    } finally {
      await stop(child);
    }
  });
});
