/**
 * Two processes consuming the same authorization codes in one SQLite file at the same time: real
 * parallelism (better-sqlite3 is synchronous, so two connections in one process only interleave).
 * The children load the built storage (`packages/server/dist`), built first with
 * `npx tsc -b packages/server`; if the build fails the existing dist/ is used, and without one the
 * test is skipped with the reason.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteStorage } from '../../src/storage/sqlite/index.js';
import { authorizationCode } from './conformance/fixtures.js';

const root = resolve(fileURLToPath(import.meta.url), '../../../../..');
const dist = join(root, 'packages/server/dist/storage/index.js');
const dir = mkdtempSync(join(tmpdir(), 'keycard-sqlite-procs-'));
const CODES = 2000;
let ready = false;

// Each child opens the file, says "ready", and on "go" consumes every code once: the first child
// in order, the second in reverse, so wherever they meet they contend for the same rows.
const CHILD = `
const { createSqliteStorage } = await import(process.env.KC_DIST);
const storage = await createSqliteStorage({ file: process.env.KC_FILE, busyTimeoutMs: 20000 });
process.stdout.write('ready\\n');
process.stdin.once('data', async () => {
  const statuses = [];
  const n = Number(process.env.KC_CODES);
  for (let k = 0; k < n; k++) {
    const i = process.env.KC_REVERSE ? n - 1 - k : k;
    statuses[i] = (await storage.authorizationCodes.consume('code-' + i, 5)).status;
  }
  await storage.close();
  process.stdout.write(JSON.stringify(statuses) + '\\n');
  process.stdin.destroy();
});
`;

function child(file: string, reverse: boolean) {
  const proc = spawn(process.execPath, ['--input-type=module', '-e', CHILD], {
    env: {
      ...process.env,
      KC_DIST: pathToFileURL(dist).href,
      KC_FILE: file,
      KC_CODES: String(CODES),
      ...(reverse ? { KC_REVERSE: '1' } : {}),
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  proc.stderr.on('data', (d) => (stderr += d));
  const lines: string[] = [];
  const waiters: Array<() => void> = [];
  proc.stdout.on('data', (d) => {
    stdout += d;
    const parts = stdout.split('\n');
    stdout = parts.pop() ?? '';
    lines.push(...parts);
    for (const wake of waiters.splice(0)) wake();
  });
  const exited = new Promise<number | null>((done) => proc.on('close', done));
  const line = async (n: number): Promise<string> => {
    while (lines.length <= n) {
      const code = await Promise.race([
        new Promise<'line'>((wake) => waiters.push(() => wake('line'))),
        exited,
      ]);
      if (code !== 'line' && lines.length <= n) throw new Error(`child exited (${code}): ${stderr}`);
    }
    return lines[n] as string;
  };
  return { proc, line, exited };
}

beforeAll(async () => {
  const built = await new Promise<boolean>((done) => {
    execFile('npx', ['tsc', '-b', 'packages/server'], { cwd: root, timeout: 180_000 }, (err, stdout) => {
      if (err) console.warn(`[sqlite process test] tsc -b failed, using the existing dist/:\n${stdout}`);
      done(err === null);
    });
  });
  ready = existsSync(dist);
  if (!ready)
    console.warn('[sqlite process test] SKIPPED: packages/server/dist is missing and the build failed');
  else if (!built) console.warn('[sqlite process test] running against a possibly stale dist/');
}, 200_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('sqlite authorization codes across processes', () => {
  it('gives every code exactly one ok and one replayed when two processes consume them at once', async (ctx) => {
    if (!ready) ctx.skip();
    const file = join(dir, 'keycard.db');
    const setup = await createSqliteStorage({ file });
    await setup.migrate();
    for (let i = 0; i < CODES; i += 1) await setup.authorizationCodes.create(authorizationCode(`code-${i}`));
    await setup.close();

    const children = [child(file, false), child(file, true)];
    try {
      for (const c of children) expect(await c.line(0)).toBe('ready');
      for (const c of children) c.proc.stdin.write('go\n'); // both start together
      const [a, b] = (await Promise.all(children.map((c) => c.line(1)))).map(
        (text) => JSON.parse(text) as string[],
      );
      const pairs = Array.from({ length: CODES }, (_, i) => [a?.[i], b?.[i]].sort().join('+'));
      expect(pairs.filter((p) => p !== 'ok+replayed')).toEqual([]);
    } finally {
      for (const c of children) c.proc.kill();
      await Promise.all(children.map((c) => c.exited));
    }
  }, 60_000);
});
