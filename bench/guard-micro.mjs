// Cached verify: the keycard guard answering for a token it has already verified, against fast-jwt
// with its cache on (the fastest peer path), ES256. Cold paths are listed for reference.
// Usage: node bench/guard-micro.mjs [--rounds 21] [--time 300]
import crypto from 'node:crypto';
import * as fastJwt from 'fast-jwt';
import { runInterleaved } from './lib/micro.mjs';
import { hardTimeout, header, markdownTable, parseArgs, waitForQuiet, writeJson } from './lib/report.mjs';
import { fmtRate, fmtRatio, pairedRatio, targetCell } from './lib/stats.mjs';
import { accessClaims, BENCH_AUDIENCE, BENCH_ISSUER, makeIssuer } from './lib/tokens.mjs';

const args = parseArgs();
const rounds = args.rounds ?? 21;
const time = args.time ?? 300;
hardTimeout(10 * 60_000, 'guard-micro bench');

const issuer = makeIssuer();
const token = issuer.sign(accessClaims(0));
const coldTokens = Array.from({ length: 20_000 }, (_, i) => issuer.sign(accessClaims(i + 1)));
let next = 0;
const headers = { authorization: `Bearer ${token}` };
const req = { headers };
const coldReq = () => ({ headers: { authorization: `Bearer ${coldTokens[next++ % coldTokens.length]}` } });

const fastOpts = {
  key: issuer.publicPem,
  algorithms: ['ES256'],
  allowedIss: BENCH_ISSUER,
  allowedAud: BENCH_AUDIENCE,
};
const fastCached = fastJwt.createVerifier({ ...fastOpts, cache: true });
const fastCold = fastJwt.createVerifier({ ...fastOpts, cache: false });
const publicKey = crypto.createPublicKey({ key: issuer.publicJwk, format: 'jwk' });
const rawVerify = (t) => {
  const d1 = t.indexOf('.');
  const d2 = t.lastIndexOf('.');
  const payload = JSON.parse(Buffer.from(t.slice(d1 + 1, d2), 'base64url').toString());
  const ok = crypto.verify(
    'sha256',
    Buffer.from(t.slice(0, d2)),
    { key: publicKey, dsaEncoding: 'ieee-p1363' },
    Buffer.from(t.slice(d2 + 1), 'base64url'),
  );
  if (!ok) throw new Error('bad signature');
  return payload;
};

const subjects = [
  { id: 'fast-jwt (cache on)', fn: () => fastCached(token) },
  { id: 'fast-jwt (cache off), cold', fn: () => fastCold(coldTokens[next++ % coldTokens.length]) },
  { id: 'raw node:crypto, cold', fn: () => rawVerify(coldTokens[next++ % coldTokens.length]) },
];

let guard;
let note = '';
try {
  const { createGuard } = await import('@keycard/guard');
  const make = (cacheSize) =>
    createGuard({
      issuer: BENCH_ISSUER,
      keys: { keys: [issuer.publicJwk] },
      audience: BENCH_AUDIENCE,
      algorithms: ['ES256'],
      revocation: false,
      cacheSize,
    });
  guard = make(10_000);
  await guard.ready();
  const first = await guard.verifyRequest(req);
  if (!first.ok || first.auth.sub !== 'user_0')
    throw new Error(`guard rejected the bench token: ${first.error?.code}`);
  if (typeof guard.verifyRequestNow === 'function') {
    subjects.unshift({
      id: 'keycard guard.verifyRequestNow (cached, sync path)',
      fn: () => guard.verifyRequestNow(req),
    });
  }
  subjects.unshift({
    id: 'keycard guard.verifyRequest (cached)',
    fn: () => guard.verifyRequest(req),
    async: true,
  });
  subjects.push({
    id: 'keycard guard.verifyRequest, cold (distinct tokens)',
    fn: () => guard.verifyRequest(coldReq()),
    async: true,
  });
} catch (err) {
  note = `keycard guard not measured: ${err.message}`;
  console.error(note);
}

// Every subject must succeed before it is timed.
for (const s of subjects) {
  const out = await s.fn();
  const sub = out?.ok === true ? out.auth.sub : out?.sub;
  if (typeof sub !== 'string' || !sub.startsWith('user_')) throw new Error(`${s.id}: did not verify`);
}

await waitForQuiet();
const res = await runInterleaved(subjects, { rounds, time, warmup: 500 });
const base = res.get('fast-jwt (cache on)').rounds;
const rows = subjects.map((s) => {
  const r = res.get(s.id);
  const cached = s.id.startsWith('keycard') && s.id.includes('(cached');
  const ratio = pairedRatio(r.rounds, base);
  return [s.id, fmtRate(r.median), cached ? targetCell(ratio, 2) : fmtRatio(ratio)];
});
const cmd = `node bench/guard-micro.mjs${process.argv.length > 2 ? ` ${process.argv.slice(2).join(' ')}` : ''}`;
console.log(
  [
    `### Guard micro: cached verify, ES256 (ops/s: median of ${rounds} interleaved rounds × ${time} ms; ratios: median of per-round ratios)`,
    '',
    header(cmd),
    '',
    markdownTable(['subject', 'ops/s', 'vs fast-jwt (cache on); cached keycard target ≥2×'], rows),
    '',
    note,
  ].join('\n'),
);
writeJson('guard-micro', { command: cmd, rounds, time, results: Object.fromEntries(res) });
await guard?.close();
