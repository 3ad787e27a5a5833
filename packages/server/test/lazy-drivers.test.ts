import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');
const dist = resolve(root, 'packages/server/dist');
const probe = resolve(import.meta.dirname, 'support/driver-probe.mjs');

/**
 * Issue 11: `import('@keycard/server')` loads none of pg, better-sqlite3, ioredis and argon2; each
 * is loaded by the first feature that needs it. A fresh Node process imports the built package
 * (what an installed user gets), so nothing vitest or another test loaded can hide a load.
 */
describe('database drivers and argon2 load only when used', () => {
  let report: Record<string, string[]>;

  beforeAll(() => {
    execFileSync('npx', ['tsc', '-b', 'packages/server'], { cwd: root, stdio: 'inherit' });
    report = JSON.parse(execFileSync(process.execPath, [probe, dist], { cwd: root, encoding: 'utf8' }));
  }, 120_000);

  it('importing the package loads no driver', () => {
    expect(report['import']).toEqual([]);
  });

  it('SQLite storage loads better-sqlite3 only', () => {
    expect(report['sqlite']).toEqual(['better-sqlite3']);
  });

  it('a password hasher loads argon2 on its first hash, not when it is created', () => {
    expect(report['hasher']).toEqual(['better-sqlite3']);
    expect(report['argon2']).toEqual(['argon2', 'better-sqlite3']);
  });
});
