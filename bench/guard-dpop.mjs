// DPoP at the guard, ES256, one interleaved run: the cost per request of a DPoP-bound card whose token
// is already cached (only the proof is verified) next to the bearer warm path and a raw node:crypto
// proof verify; peers that verify DPoP at a resource server: express-oauth2-jwt-bearer, oauth4webapi.
// Target (issue 8): DPoP warm ≤ 1.1 × (bearer warm + one raw proof verify), per-op cost (1/ops).
// Usage: node bench/guard-dpop.mjs [--rounds 15] [--time 250] [--warmup 400] [--proofs <auto>]
import crypto from 'node:crypto';
import { createDpopProof, generateKeyPair } from '@keycard/jwt';
import { runInterleaved } from './lib/micro.mjs';
import { hardTimeout, header, markdownTable, parseArgs, waitForQuiet, writeJson } from './lib/report.mjs';
import { fmtRate, fmtRatio, median, pairedRatio } from './lib/stats.mjs';
import { accessClaims, BENCH_AUDIENCE, BENCH_ISSUER, makeIssuer } from './lib/tokens.mjs';

const args = parseArgs();
const rounds = args.rounds ?? 15;
const time = args.time ?? 250;
const warmup = args.warmup ?? 400;
hardTimeout(8 * 60_000, 'guard-dpop bench');

const ORIGIN = 'https://rooms.bench.test';
const PATH = '/rooms/101';
const TARGET = 1.1;

// Frozen clock: every proof is signed at T and every keycard guard reads T, so none ages out.
const T = Date.now();
const issuer = makeIssuer();
const proofKey = await generateKeyPair('ES256');
const jkt = jktOf(proofKey.publicKey.toJWK());
const bearerToken = issuer.sign(accessClaims(0));
const boundToken = issuer.sign({ ...accessClaims(1), cnf: { jkt } });
const bearerReq = { headers: { authorization: `Bearer ${bearerToken}` } };
const dpopAuthorization = `DPoP ${boundToken}`;

function jktOf(jwk) {
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  return crypto.createHash('sha256').update(canonical).digest('base64url');
}

// ---- raw node:crypto floor: one ES256 proof verification ----
let proofKeyObject;
function rawProofVerify(proof, reuseKey) {
  const d1 = proof.indexOf('.');
  const d2 = proof.lastIndexOf('.');
  const head = JSON.parse(Buffer.from(proof.slice(0, d1), 'base64url').toString());
  const payload = JSON.parse(Buffer.from(proof.slice(d1 + 1, d2), 'base64url').toString());
  const key = reuseKey ? proofKeyObject : crypto.createPublicKey({ key: head.jwk, format: 'jwk' });
  const ok = crypto.verify(
    'sha256',
    Buffer.from(proof.slice(0, d2)),
    { key, dsaEncoding: 'ieee-p1363' },
    Buffer.from(proof.slice(d2 + 1), 'base64url'),
  );
  if (!ok) throw new Error('bad proof signature');
  return payload;
}

// ---- proof pool ----
// Each keycard guard refuses a jti it has seen, so every keycard call takes the next unused proof.
// The pool is sized from a short calibration of the raw verify (a keycard DPoP call costs at least
// that): calls needed ≈ rate × (warmup + rounds × time), with a 2× margin; --proofs overrides.
const sample = createDpopProof(proofKey, {
  method: 'GET',
  url: ORIGIN + PATH,
  accessToken: boundToken,
  clock: () => T,
});
proofKeyObject = crypto.createPublicKey({
  key: JSON.parse(Buffer.from(sample.split('.')[0], 'base64url').toString()).jwk,
  format: 'jwk',
});
const calib = await runInterleaved([{ id: 'raw', fn: () => rawProofVerify(sample, false) }], {
  rounds: 1,
  time: 200,
  warmup: 100,
});
const needed = Math.ceil((calib.get('raw').median * (warmup + rounds * time)) / 1000);
const poolSize = args.proofs ?? Math.max(20_000, 2 * needed);
console.error(`signing ${poolSize} DPoP proofs (iat frozen at ${new Date(T).toISOString()})`);
const proofs = Array.from({ length: poolSize }, () =>
  createDpopProof(proofKey, { method: 'GET', url: ORIGIN + PATH, accessToken: boundToken, clock: () => T }),
);
if (new Set(proofs).size !== poolSize) throw new Error('proof pool has duplicates');

/** A cursor over the pool that never hands out a proof twice (keycard subjects). */
function freshProofs(label) {
  let i = 0;
  return () => {
    if (i === poolSize) throw new Error(`${label}: proof pool of ${poolSize} exhausted; pass --proofs`);
    return proofs[i++];
  };
}
let rawNext = 0;
const anyProof = () => proofs[rawNext++ % poolSize];

// ---- keycard ----
const { createGuard } = await import('@keycard/guard');
const makeGuard = (cacheSize) =>
  createGuard({
    issuer: BENCH_ISSUER,
    keys: { keys: [issuer.publicJwk] },
    audience: BENCH_AUDIENCE,
    algorithms: ['ES256'],
    revocation: false,
    cacheSize,
    publicUrl: ORIGIN,
    clock: () => T,
    // Larger than the pool, so the replay cache never evicts (nor raises its floor) during the run.
    dpop: { replayCacheSize: poolSize + 1000 },
  });
const guard = makeGuard(10_000);
const guardNoCache = makeGuard(0);
await Promise.all([guard.ready(), guardNoCache.ready()]);
const warmProof = freshProofs('keycard DPoP warm');
const coldProof = freshProofs('keycard DPoP, no token cache');
const dpopReq = (proof) => ({
  headers: { authorization: dpopAuthorization, dpop: proof },
  method: 'GET',
  url: PATH,
});

// ---- peer: express-oauth2-jwt-bearer (Express middleware, driven with a fake req/res) ----
const { auth: auth0 } = await import('express-oauth2-jwt-bearer');
const auth0Mw = auth0({
  issuer: BENCH_ISSUER,
  audience: BENCH_AUDIENCE,
  publicKey: { keys: [issuer.publicJwk] },
  tokenSigningAlg: 'ES256',
  // Its iat window is read from Date.now(); an hour keeps the pool's frozen iat inside it.
  dpop: { enabled: true, iatOffset: 3600 },
});
const auth0Req = (proof) => {
  const headers = { authorization: dpopAuthorization, dpop: proof, host: 'rooms.bench.test' };
  return {
    headers,
    method: 'GET',
    url: PATH,
    originalUrl: PATH,
    protocol: 'https',
    query: {},
    body: undefined,
    socket: {},
    get: (name) => headers[name.toLowerCase()],
    is: () => false,
  };
};
const auth0Verify = () => {
  const req = auth0Req(anyProof());
  return new Promise((resolve, reject) => {
    auth0Mw(req, {}, (err) => (err ? reject(err) : resolve(req.auth.payload)));
  });
};

// ---- peer: oauth4webapi validateJwtAccessToken (fetch Request; JWKS fetched once by customFetch) ----
const oauth = await import('oauth4webapi');
const jwksBody = JSON.stringify({ keys: [issuer.publicJwk] });
let jwksFetches = 0;
const as = { issuer: BENCH_ISSUER, jwks_uri: `${BENCH_ISSUER}/jwks` };
const o4wOptions = {
  [oauth.customFetch]: async () => {
    jwksFetches++;
    return new Response(jwksBody, { headers: { 'content-type': 'application/json' } });
  },
  [oauth.jwksCache]: {},
  // Its clock is Date.now() + clockSkew, and it allows 300 s on a proof's iat: pin "now" to T.
  get [oauth.clockSkew]() {
    return T / 1000 - Date.now() / 1000;
  },
};
const o4wVerify = () =>
  oauth.validateJwtAccessToken(
    as,
    new Request(ORIGIN + PATH, { headers: { authorization: dpopAuthorization, dpop: anyProof() } }),
    BENCH_AUDIENCE,
    o4wOptions,
  );

// ---- subjects ----
const subjects = [
  { id: 'keycard bearer warm (cached card)', fn: () => guard.verifyRequest(bearerReq), async: true },
  {
    id: 'keycard DPoP warm (cached card, proof verified)',
    fn: () => guard.verifyRequest(dpopReq(warmProof())),
    async: true,
  },
  {
    id: 'raw node:crypto proof verify (key imported per proof)',
    fn: () => rawProofVerify(anyProof(), false),
  },
  { id: 'raw node:crypto proof verify (key object reused)', fn: () => rawProofVerify(anyProof(), true) },
  {
    id: 'keycard DPoP, no token cache (card + proof verified)',
    fn: () => guardNoCache.verifyRequest(dpopReq(coldProof())),
    async: true,
  },
  { id: 'express-oauth2-jwt-bearer 1.10 (card + proof)', fn: auth0Verify, async: true },
  { id: 'oauth4webapi validateJwtAccessToken (card + proof)', fn: o4wVerify, async: true },
];
const [BEARER, DPOP, RAW, RAW_REUSE, KC_COLD] = subjects.map((s) => s.id);

// Every subject must succeed before it is timed, and the guard must really check the proof.
for (const s of subjects) {
  const out = await s.fn();
  const claims = out?.ok === true ? out.auth : out;
  if (out?.ok === false) throw new Error(`${s.id}: refused (${out.error?.code})`);
  const id = claims?.sub ?? claims?.jti;
  if (typeof id !== 'string') throw new Error(`${s.id}: did not verify`);
}
const replay = await guard.verifyRequest(dpopReq(proofs[0]));
if (replay.ok || replay.error?.code !== 'ERR_GUARD_DPOP_PROOF_REPLAYED')
  throw new Error(`keycard accepted a replayed proof (${replay.error?.code})`);
const asBearer = await guard.verifyRequest({ headers: { authorization: `Bearer ${boundToken}` } });
if (asBearer.ok) throw new Error('keycard accepted a DPoP-bound card as a bearer card');
const wrongUrl = await guard.verifyRequest({ ...dpopReq(warmProof()), url: '/rooms/102' });
if (wrongUrl.ok) throw new Error('keycard accepted a proof for another URL');

await waitForQuiet();
const rejectedBefore = guard.metrics().rejections + guardNoCache.metrics().rejections;
const res = await runInterleaved(subjects, { rounds, time, warmup });
const rejected = guard.metrics().rejections + guardNoCache.metrics().rejections - rejectedBefore;
if (rejected !== 0) throw new Error(`keycard refused ${rejected} requests during timing`);
if (jwksFetches !== 1) throw new Error(`oauth4webapi fetched the JWKS ${jwksFetches} times`);

// Per-op cost (µs) of subject `id` in round i, from ops/s; and from process CPU time.
const cost = (id, i) => 1e6 / res.get(id).rounds[i];
const cpuCost = (id, i) => res.get(id).cpuRounds[i];
const perRound = (f) => median(Array.from({ length: rounds }, (_, i) => f(i)));
const targetRatio = (rawId, c = cost) => perRound((i) => c(DPOP, i) / (c(BEARER, i) + c(rawId, i)));
const target = targetRatio(RAW);
const targetReuse = targetRatio(RAW_REUSE);
const targetCpu = targetRatio(RAW, cpuCost);
const targetReuseCpu = targetRatio(RAW_REUSE, cpuCost);
const maxCell = (r) =>
  `${Math.abs(r - TARGET) < 0.01 ? `${r.toFixed(3)}×` : fmtRatio(r)} ${r <= TARGET ? '✅' : `❌ (>${TARGET})`}`;

const cardAndProof = new Set([KC_COLD, subjects[5].id, subjects[6].id]);
const rows = subjects.map((s) => {
  const r = res.get(s.id);
  return [
    s.id,
    fmtRate(r.median),
    `${(1e6 / r.median).toFixed(1)} µs`,
    `${r.cpuMedian.toFixed(1)} µs`,
    fmtRatio(pairedRatio(res.get(DPOP).rounds, r.rounds)),
    cardAndProof.has(s.id) ? fmtRatio(pairedRatio(res.get(KC_COLD).rounds, r.rounds)) : '—',
  ];
});
const cmd = `node bench/guard-dpop.mjs${process.argv.length > 2 ? ` ${process.argv.slice(2).join(' ')}` : ''}`;
console.log(
  [
    `### Guard DPoP, ES256 (ops/s: median of ${rounds} interleaved rounds × ${time} ms; ratios: median of per-round ratios)`,
    '',
    header(cmd),
    '',
    markdownTable(
      [
        'subject',
        'ops/s',
        'µs/op (1/ops)',
        'process CPU µs/op',
        'cost ÷ keycard DPoP warm',
        'cost ÷ keycard DPoP, no token cache',
      ],
      rows,
    ),
    '',
    markdownTable(
      [
        'target (issue 8): DPoP warm cost ÷ (bearer warm + one raw proof verify)',
        'median of per-round ratios',
      ],
      [
        ['per-op cost from 1/ops, raw verify importing the proof key (the target)', maxCell(target)],
        ['same, from process CPU time per op', maxCell(targetCpu)],
        ['per-op cost from 1/ops, raw verify with the key object reused (stricter)', maxCell(targetReuse)],
        ['same, from process CPU time per op', maxCell(targetReuseCpu)],
      ],
    ),
    '',
    `Proof pool: ${poolSize} proofs signed before timing (each keycard guard's replay cache holds ${poolSize + 1000}, so none is evicted); keycard subjects never reuse a proof, the raw and peer subjects cycle through the pool (they keep no jti).`,
  ].join('\n'),
);
writeJson('guard-dpop', {
  command: cmd,
  rounds,
  time,
  poolSize,
  target: {
    ratio: target,
    cpuRatio: targetCpu,
    reusedKeyRatio: targetReuse,
    reusedKeyCpuRatio: targetReuseCpu,
  },
  results: Object.fromEntries(res),
});
await Promise.all([guard.close(), guardNoCache.close()]);
