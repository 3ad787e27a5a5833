// Runs the benchmarks one after another (never two at once), each in its own Node process.
// Usage: node bench/run.js [name ...] [--no-build] [-- extra args passed to every bench]
//   e.g. `npm run bench`, `node bench/run.js jwt`, `node bench/run.js jwt -- --algs ES256,HS256`
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const REPO_DIR = dirname(BENCH_DIR);
const ALL = [
  'jwt',
  'guard-micro',
  'guard-dpop',
  'guard-http',
  'server',
  'code-flow',
  'revocation',
  'session-vs-jwt',
  'cluster',
  'cross-revocation',
  'fanout',
];

const argv = process.argv.slice(2);
const sep = argv.indexOf('--');
const own = sep === -1 ? argv : argv.slice(0, sep);
const passThrough = sep === -1 ? [] : argv.slice(sep + 1);
const names = own.filter((a) => !a.startsWith('--'));
const selected = names.length ? names : ALL;

for (const name of selected) {
  if (!ALL.includes(name)) {
    console.error(`unknown bench "${name}"; known: ${ALL.join(', ')}`);
    process.exit(1);
  }
}

if (!own.includes('--no-build')) {
  // Benches import the built packages (dist/); a failed build leaves the last good dist in place.
  const r = spawnSync('npx', ['tsc', '-b'], { cwd: REPO_DIR, stdio: 'inherit' });
  if (r.status !== 0) console.error('WARNING: `npx tsc -b` failed; benches use whatever dist/ already holds');
}

const outputs = [];
let failed = 0;
for (const name of selected) {
  const file = join(BENCH_DIR, `${name}.mjs`);
  if (!existsSync(file)) {
    console.error(`skipping ${name}: ${file} does not exist`);
    continue;
  }
  console.error(`\n=== bench ${name} ===`);
  const r = spawnSync(process.execPath, [file, ...passThrough], {
    cwd: REPO_DIR,
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    timeout: 45 * 60_000,
  });
  process.stdout.write(r.stdout ?? '');
  outputs.push(r.stdout ?? '');
  if (r.status !== 0) {
    failed++;
    console.error(`bench ${name} failed (exit ${r.status ?? r.signal})`);
  }
}

mkdirSync(join(BENCH_DIR, 'out'), { recursive: true });
writeFileSync(join(BENCH_DIR, 'out', 'latest.md'), outputs.join('\n\n'));
process.exit(failed ? 1 : 0);
