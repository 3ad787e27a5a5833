import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Every error code any component can raise is listed in docs/errors.md: each `ERR_…` string
 * literal in the sources of every package (jwt, server, guard, cli, web) and of the demo doors.
 * The registries' own tests (jwt docs.test, server errors-doc.test, guard errors.test) also check
 * the status column; this one catches codes that live outside a registry.
 */
const root = new URL('..', import.meta.url).pathname;
const doc = readFileSync(join(root, 'docs/errors.md'), 'utf8');
const documented = new Set([...doc.matchAll(/`(ERR_[A-Z0-9_]+(?:<status>)?)`/g)].map((m) => m[1]!));

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sources(path));
    else if (/\.(ts|tsx)$/.test(name) && !/\.test\.tsx?$/.test(name)) out.push(path);
  }
  return out;
}

const dirs = ['jwt', 'server', 'guard', 'cli', 'web'].map((p) => `packages/${p}/src`).concat('demo/src');

describe('docs/errors.md lists every error code in the sources', () => {
  it.each(dirs)('%s', (dir) => {
    const codes = new Set<string>();
    for (const file of sources(join(root, dir))) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/['"`](ERR_[A-Z0-9_]+)(\$\{)?/g))
        codes.add(m[2] ? `${m[1]}<status>` : m[1]!);
    }
    expect(codes.size, dir).toBeGreaterThan(0);
    const missing = [...codes].filter((code) => !documented.has(code)).sort();
    expect(missing, `${dir}: codes missing from docs/errors.md`).toEqual([]);
  });
});
