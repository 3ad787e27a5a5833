// docs/guides/add-the-guard.md, run as a reader would: its `setup` commands through the real CLI, a real
// keycard server (in-process, on loopback), each framework's snippet as its own `node` process, and the
// guide's curl calls, which must answer 401 without a card, 200 with one and 403 without the scope,
// exactly as the guide's "What the refusals look like" shows.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { KeycardServer } from '@keycard/server';
import { createServer } from '@keycard/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CodeBlock, codeBlock } from './support/markdown-blocks.js';

const root = resolve(import.meta.dirname, '..');
const guide = readFileSync(join(root, 'docs', 'guides', 'add-the-guard.md'), 'utf8');
const cli = join(root, 'packages', 'cli', 'bin', 'keycard.js');

let dataDir: string;
let work: string; // inside the repository, so the snippets resolve @keycard/guard, express, … as installed
let server: KeycardServer;
let issuerHost: string;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a shell block with bash (errexit, pipefail), `keycard` being the repository's CLI. */
function bash(script: string, env: Record<string, string> = {}): Promise<Run> {
  const child = spawn(
    'bash',
    ['-e', '-o', 'pipefail', '-c', `keycard() { node "${cli}" "$@"; }\n${script}`],
    {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((done) => child.on('close', (status) => done({ status, stdout, stderr })));
}

async function freePort(): Promise<number> {
  const probe = createNetServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const { port } = probe.address() as { port: number };
  await new Promise((r) => probe.close(r));
  return port;
}

/** The block with the guide's addresses replaced by the test's: the issuer, and the service on `port`. */
const localized = (block: CodeBlock, port: number): string =>
  block.code.replace(/\b3000\b/g, String(port)).replaceAll('127.0.0.1:4000', issuerHost);

/** Starts a framework snippet as `node NAME` and resolves once it says it listens. */
async function startService(name: string, port: number): Promise<ChildProcess> {
  const file = join(work, name);
  writeFileSync(file, localized(codeBlock(guide, name), port));
  const child = spawn(process.execPath, [file], { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((ready, fail) => {
    const seen = (d: Buffer) => {
      output += d;
      if (output.includes(`orders service on http://127.0.0.1:${port}`)) ready();
    };
    child.stdout!.on('data', seen);
    child.stderr!.on('data', (d) => (output += d));
    child.on('exit', (code) => fail(new Error(`${name} exited (${code}) before listening:\n${output}`)));
  });
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/** The status line, header lines (lower case) and body of one `http NAME` block. */
function refusal(name: string) {
  const [head, body] = codeBlock(guide, name).code.trim().split('\n\n');
  const [status, ...headers] = head!.split('\n');
  return { status: status!, headers: headers.map((h) => h.toLowerCase()), body: body! };
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'keycard-guide-'));
  mkdirSync(join(root, 'test-results'), { recursive: true });
  work = mkdtempSync(join(root, 'test-results', 'guide-'));
  const setup = await bash(codeBlock(guide, 'setup').code, { KEYCARD_DATA_DIR: dataDir });
  expect(setup.status, setup.stderr).toBe(0);
  server = await createServer({ logLevel: 'silent', dataDir, port: 0 }, { jobs: false });
  issuerHost = new URL(await server.listen()).host;
}, 120_000);

afterAll(async () => {
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

describe('docs/guides/add-the-guard.md', () => {
  it('names only packages and commands that exist', () => {
    for (const block of ['express.mjs', 'fastify.mjs', 'hono.mjs']) {
      const imports = [...codeBlock(guide, block).code.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
      expect(imports.filter((i) => i!.startsWith('@keycard/')).sort()).toEqual([
        '@keycard/guard',
        `@keycard/guard/${block.replace('.mjs', '')}`,
      ]);
    }
    expect(guide).not.toMatch(/npx keycard\b/);
  });

  for (const name of ['express.mjs', 'fastify.mjs', 'hono.mjs']) {
    it(`${name}: 401 without a card, 200 with one, 403 without the scope`, async () => {
      const port = await freePort();
      const service = await startService(name, port);
      try {
        const calls = await bash(localized(codeBlock(guide, 'calls'), port));
        expect(calls.status).toBe(0);
        const statuses = [...calls.stdout.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));
        expect(statuses).toEqual([401, 200, 403]);
        const answers = calls.stdout.split(/(?=HTTP\/1\.1 \d{3})/);
        for (const [answer, shown] of [
          [answers[0]!, refusal('401')],
          [answers[2]!, refusal('403')],
        ] as const) {
          const lines = answer.split(/\r?\n/);
          expect(lines[0]).toBe(shown.status);
          const received = lines.map((l) => l.toLowerCase());
          for (const header of shown.headers) expect(received, answer).toContain(header);
          expect(lines.at(-1)).toBe(shown.body);
        }
        expect(JSON.parse(answers[1]!.split(/\r?\n/).at(-1)!)).toMatchObject({ orders: [] });
      } finally {
        await stop(service);
      }
    }, 60_000);
  }
});
