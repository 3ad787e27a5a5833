// The committed API reference (docs/api) is what TypeDoc generates from today's TSDoc, and the staleness
// check really fails when a page is changed, missing or left over.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const script = join(root, 'scripts', 'docs-api.mjs');
const committed = join(root, 'docs', 'api');
let dir: string;
let fresh: string;

const run = (...args: string[]) =>
  spawnSync(process.execPath, [script, ...args], { cwd: root, encoding: 'utf8' });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'keycard-docs-api-test-'));
  fresh = join(dir, 'fresh');
  const generated = run('--out', fresh);
  expect(generated.stderr).toBe('');
  expect(generated.status).toBe(0);
}, 300_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('docs/api', () => {
  it('matches what TypeDoc generates now (else: npm run docs:api)', () => {
    const compared = run('--compare', committed, fresh);
    expect(compared.stderr).toBe('');
    expect(compared.status).toBe(0);
  });

  it('documents every public package and the guard adapters', () => {
    const index = spawnSync('find', [fresh, '-name', 'README.md'], { encoding: 'utf8' }).stdout;
    for (const page of ['@keycard/jwt', '@keycard/server', '@keycard/guard/index', '@keycard/guard/express'])
      expect(index).toContain(`${page}/README.md`);
    for (const adapter of ['fastify', 'hono', 'node', 'fetch', 'gateway'])
      expect(index).toContain(`@keycard/guard/${adapter}/README.md`);
  });

  it('reports a changed, a missing and a left-over page', () => {
    const stale = join(dir, 'stale');
    cpSync(fresh, stale, { recursive: true });
    writeFileSync(join(stale, 'README.md'), '# an older reference\n');
    unlinkSync(join(stale, '@keycard', 'jwt', 'README.md'));
    writeFileSync(join(stale, 'removed-api.md'), '# gone\n');
    const compared = run('--compare', stale, fresh);
    expect(compared.status).toBe(1);
    expect(compared.stderr).toContain('out of date: docs/api/README.md');
    expect(compared.stderr).toContain('missing from docs/api: @keycard/jwt/README.md');
    expect(compared.stderr).toContain('no longer generated: docs/api/removed-api.md');
    expect(compared.stderr).toContain('run `npm run docs:api`');
  });
});
