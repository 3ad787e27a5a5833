import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * What users see is the emitted `.d.ts`: a symbol tagged `@internal` in the source (the guard's
 * `verifyRequestNow`, @keycard/jwt's key internals and factories) must not be in it (`stripInternal`).
 */
const root = fileURLToPath(new URL('../../../', import.meta.url));
const packages = ['jwt', 'guard'];

function files(dir: string, suffix: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith(suffix) && !f.endsWith(`.test${suffix}`))
    .map((f) => join(dir, f));
}

/** Names declared right after a doc comment carrying `@internal`, e.g. `verifyRequestNow`, `[INTERNALS]`. */
function internalNames(source: string): string[] {
  const tagged =
    /\/\*\*(?:(?!\*\/)[\s\S])*@internal(?:(?!\*\/)[\s\S])*\*\/\s*(?:export\s+)?(?:declare\s+)?(?:readonly\s+)?(?:const\s+|let\s+|function\s+|class\s+|interface\s+|type\s+)?(\[[\w.]+\]|[A-Za-z_$][\w$]*)/g;
  return [...source.matchAll(tagged)].map((m) => m[1]!);
}

beforeAll(() => {
  // Incremental: a no-op when dist is current.
  execFileSync(join(root, 'node_modules/.bin/tsc'), ['-b', 'packages/jwt', 'packages/guard'], { cwd: root });
}, 120_000);

describe('emitted declarations', () => {
  for (const pkg of packages) {
    it(`@keycard/${pkg}: no @internal symbol in dist/**/*.d.ts`, () => {
      const src = join(root, 'packages', pkg, 'src');
      const names = new Set(files(src, '.ts').flatMap((f) => internalNames(readFileSync(f, 'utf8'))));
      expect(names.size, 'the source tags something @internal').toBeGreaterThan(0);
      const declarations = files(join(root, 'packages', pkg, 'dist'), '.d.ts');
      expect(declarations.length).toBeGreaterThan(5);
      for (const file of declarations) {
        const text = readFileSync(file, 'utf8');
        expect(text.includes('@internal'), file).toBe(false);
        for (const name of names) {
          const pattern = name.startsWith('[') ? name : new RegExp(`\\b${name.replace(/\$/g, '\\$')}\\b`);
          const found = typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text);
          expect(found, `${name} in ${file}`).toBe(false);
        }
      }
    });
  }

  it('finds the guard and jwt internals it is meant to keep out', () => {
    const guardNames = internalNames(
      readFileSync(join(root, 'packages/guard/src/core/create-guard.ts'), 'utf8'),
    );
    expect(guardNames).toContain('verifyRequestNow');
    const jwtNames = internalNames(readFileSync(join(root, 'packages/jwt/src/keys/key.ts'), 'utf8'));
    expect(jwtNames).toEqual(expect.arrayContaining(['[INTERNALS]', 'makeKey', 'keyInternals']));
  });
});
