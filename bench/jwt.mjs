// JWS sign / verify ops/s per algorithm: keycard vs jose, fast-jwt, jsonwebtoken and a raw
// node:crypto floor. Usage: node bench/jwt.mjs [--algs ES256,HS256] [--ops sign,verify]
//   [--rounds 25] [--time 150] [--warmup 300]

import {
  ALGS,
  assertSubjects,
  benchClaims,
  loadKeycard,
  makeKeys,
  rawSubjects,
  subjectsFor,
} from './lib/jwt-subjects.mjs';
import { runInterleaved } from './lib/micro.mjs';
import { hardTimeout, header, markdownTable, parseArgs, waitForQuiet, writeJson } from './lib/report.mjs';
import { fmtRate, fmtRatio, pairedRatio, targetCell } from './lib/stats.mjs';

const args = parseArgs();
const algs = args.algs ? String(args.algs).split(',') : ALGS;
const ops = args.ops ? String(args.ops).split(',') : ['verify', 'sign'];
const rounds = args.rounds ?? 25;
const time = args.time ?? 150;
const warmup = args.warmup ?? 300;
hardTimeout(40 * 60_000, 'jwt bench');

const LIBS = {
  verify: ['raw', 'keycard', 'jose', 'fast-jwt', 'fast-jwt (cache)', 'jsonwebtoken'],
  sign: ['raw', 'keycard', 'jose', 'fast-jwt', 'jsonwebtoken'],
};

const kc = await loadKeycard();
if (kc.error) console.error(`NOTE: keycard not measured: ${kc.error}`);

const claims = benchClaims();
const results = {};
for (const alg of algs) {
  await waitForQuiet({ maxWaitMs: 5_000 });
  const k = await makeKeys(alg);
  const token = rawSubjects(k).sign(claims);
  const all = subjectsFor(k, token, claims, kc.mod);
  await assertSubjects(k, all, claims);
  results[alg] = {};
  for (const op of ops) {
    const subjects = all.filter((s) => s.op === op);
    const res = await runInterleaved(subjects, { rounds, time, warmup });
    results[alg][op] = Object.fromEntries([...res].map(([id, r]) => [id.split(':')[0], r]));
    const summary = subjects.map((s) => `${s.lib} ${fmtRate(res.get(s.id).median)}`).join(', ');
    console.error(`${alg} ${op}: ${summary}`);
  }
}

const cmd = `node bench/jwt.mjs${process.argv.length > 2 ? ` ${process.argv.slice(2).join(' ')}` : ''}`;
const out = [
  `### JWT sign/verify (ops/s: median of ${rounds} interleaved rounds × ${time} ms per subject; ratios: median of per-round ratios)`,
  '',
  header(cmd),
  '',
];
const misses = [];
for (const op of ops) {
  const rows = [];
  for (const alg of algs) {
    const r = results[alg][op];
    const m = (lib) => r[lib]?.median ?? Number.NaN;
    const ratio = (a, b) => pairedRatio(r[a]?.rounds, r[b]?.rounds);
    const hsTarget = alg === 'HS256' ? 1.2 : 1.0;
    const vsRaw = ratio('keycard', 'raw');
    const vsFast = ratio('keycard', 'fast-jwt');
    if (Number.isFinite(vsRaw) && vsRaw < 0.9)
      misses.push(`${op} ${alg}: ${fmtRatio(vsRaw)} raw floor (target 0.9×)`);
    if (Number.isFinite(vsFast) && vsFast < hsTarget) {
      misses.push(`${op} ${alg}: ${fmtRatio(vsFast)} fast-jwt (target ${hsTarget}×)`);
    }
    rows.push([
      alg,
      ...LIBS[op].map((lib) => fmtRate(m(lib))),
      targetCell(vsRaw, 0.9),
      targetCell(vsFast, hsTarget),
      fmtRatio(ratio('keycard', 'jose')),
    ]);
  }
  out.push(
    `**${op}**`,
    '',
    markdownTable(
      ['alg', ...LIBS[op], 'keycard / raw (≥0.9)', 'keycard / fast-jwt (≥1.0; HS256 ≥1.2)', 'keycard / jose'],
      rows,
    ),
    '',
  );
}
if (kc.error) out.push(`keycard not measured: ${kc.error}.`, '');
out.push(
  misses.length ? `Missed targets: ${misses.join('; ')}.` : kc.error ? '' : 'All keycard targets hold.',
);
console.log(out.join('\n'));
writeJson('jwt', { command: cmd, rounds, time, results });
