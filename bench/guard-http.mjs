// HTTP req/s and latency on loopback, ES256: each framework with no auth, with the keycard guard and
// with its usual JWT middleware; the same token reused (warm) and a fresh token per request (cold).
// Servers run in a child pinned to CPU 0, autocannon here on CPU 1.
// Usage: node bench/guard-http.mjs [--frameworks fastify,express,hono] [--rounds 5] [--duration 3]
//   [--connections 50] [--tokens 50000] [--variants keycard-cold,peer-cold] [--cpu-prof DIR]
//   [--cache-admission always|repeat]
//   --variants: time only these targets (for profiles); --cpu-prof DIR: V8 CPU profile of the server
//   child (summarise with bench/lib/profile-summary.mjs); --cache-admission: the guard's option.
import { join, resolve } from 'node:path';
import { pin, runHttpInterleaved, startChild } from './lib/http.mjs';
import {
  BENCH_DIR,
  hardTimeout,
  header,
  markdownTable,
  parseArgs,
  waitForQuiet,
  writeJson,
} from './lib/report.mjs';
import { fmtMs, fmtRate, fmtRatio, fmtUs, pairedRatio, targetCell } from './lib/stats.mjs';
import { accessClaims, BENCH_AUDIENCE, BENCH_ISSUER, makeIssuer, serveJwks } from './lib/tokens.mjs';

const args = parseArgs();
const frameworks = args.frameworks ? String(args.frameworks).split(',') : ['fastify', 'express', 'hono'];
const rounds = args.rounds ?? 5;
const duration = args.duration ?? 3;
const connections = args.connections ?? 50;
const tokenCount = args.tokens ?? 50_000;
const variants = args.variants ? String(args.variants).split(',') : undefined;
const profDir = typeof args['cpu-prof'] === 'string' ? resolve(args['cpu-prof']) : undefined;
const cacheAdmission = args['cache-admission'];
hardTimeout(20 * 60_000, 'guard-http bench');
pin(process.pid, 1);

const issuer = makeIssuer();
const jwks = await serveJwks([issuer.publicJwk]);
const warmToken = issuer.sign(accessClaims(0));
console.error(`signing ${tokenCount} cold tokens…`);
const coldTokens = Array.from({ length: tokenCount }, (_, i) => issuer.sign(accessClaims(i + 1)));
const badToken = `${warmToken.slice(0, -4)}AAAA`;

let next = 0;
const warmHeaders = { authorization: `Bearer ${warmToken}` };
const coldRequests = [
  {
    method: 'GET',
    path: '/me',
    setupRequest: (req) => ({
      ...req,
      headers: { ...req.headers, authorization: `Bearer ${coldTokens[next++ % tokenCount]}` },
    }),
  },
];

async function expectStatus(url, token, status, sub) {
  const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const body = await res.text();
  if (res.status !== status)
    throw new Error(`${url}: expected ${status}, got ${res.status} ${body.slice(0, 200)}`);
  if (sub && JSON.parse(body).sub !== sub) throw new Error(`${url}: unexpected body ${body.slice(0, 200)}`);
}

const results = {};
const notes = [];
for (const framework of frameworks) {
  await waitForQuiet();
  const { child, ready, stop } = await startChild(
    join(BENCH_DIR, 'servers', 'guard-http-server.mjs'),
    {
      framework,
      publicJwk: issuer.publicJwk,
      publicPem: issuer.publicPem,
      jwksUrl: jwks.url,
      issuer: BENCH_ISSUER,
      audience: BENCH_AUDIENCE,
      ...(cacheAdmission === undefined ? {} : { cacheAdmission }),
    },
    profDir ? { execArgv: ['--cpu-prof', `--cpu-prof-dir=${profDir}`] } : {},
  );
  try {
    if (ready.keycardSkipped) notes.push(`${framework}: keycard not measured (${ready.keycardSkipped})`);
    const url = (name) => `http://127.0.0.1:${ready.ports[name]}/me`;
    // Prove auth is enforced and correct before timing anything.
    await expectStatus(url('noauth'), null, 200);
    for (const name of ['peer', 'keycard'].filter((n) => ready.ports[n])) {
      await expectStatus(url(name), warmToken, 200, 'user_0');
      await expectStatus(url(name), coldTokens[0], 200, 'user_1');
      await expectStatus(url(name), badToken, 401);
      await expectStatus(url(name), null, 401);
    }
    const targets = [{ id: 'noauth', url: url('noauth'), headers: warmHeaders }];
    for (const name of ['keycard', 'peer'].filter((n) => ready.ports[n])) {
      targets.push({ id: `${name}-warm`, url: url(name), headers: warmHeaders });
      targets.push({ id: `${name}-cold`, url: url(name), requests: coldRequests });
    }
    const timed = variants ? targets.filter((t) => variants.includes(t.id)) : targets;
    const res = await runHttpInterleaved(timed, {
      rounds,
      duration,
      connections,
      cpuPid: child.pid,
      log: (m) => console.error(`${framework}: ${m}`),
    });
    results[framework] = Object.fromEntries(res);
  } finally {
    await stop();
  }
}
await jwks.close();

const PEER = { fastify: '@fastify/jwt', express: 'express-jwt', hono: 'hono/jwt' };
// Cold target: no more CPU per request than the peer (CPU/req ratio ≥ 1.0), and req/s not worse, where
// "not worse" allows this machine's noise band: req/s ratios within NOISE of 1.0 count as even.
const NOISE = 0.05;
const rows = [];
const misses = [];
const cpuRounds = (x) => x?.rounds.map((run) => run.cpuUsPerReq);
for (const framework of frameworks) {
  const r = results[framework];
  const row = (label, id, ratioCell) => {
    const x = r[id];
    if (!x) return;
    rows.push([
      framework,
      label,
      fmtRate(x.rps),
      fmtMs(x.p50),
      fmtMs(x.p99),
      fmtUs(x.cpuUsPerReq),
      fmtRatio(pairedRatio(x.rpsRounds, r.noauth?.rpsRounds)),
      ratioCell ?? '',
    ]);
  };
  row('no auth', 'noauth');
  const warm = r['keycard-warm'];
  if (warm && r.noauth) {
    const warmRatio = pairedRatio(warm.rpsRounds, r.noauth.rpsRounds);
    const warmCpu = pairedRatio(cpuRounds(r.noauth), cpuRounds(warm));
    if (warmRatio < 0.9) misses.push(`${framework} warm ${fmtRatio(warmRatio)} of no-auth (target 0.9×)`);
    row(
      'keycard, warm',
      'keycard-warm',
      `warm/no-auth ${targetCell(warmRatio, 0.9)}; by CPU/req ${fmtRatio(warmCpu)}`,
    );
  } else row('keycard, warm', 'keycard-warm');
  const cold = r['keycard-cold'];
  const peerCold = r['peer-cold'];
  if (cold && peerCold) {
    // Both ratios are keycard's advantage: peer CPU/req over keycard's, keycard req/s over the peer's.
    const cpuRatio = pairedRatio(cpuRounds(peerCold), cpuRounds(cold));
    const rpsRatio = pairedRatio(cold.rpsRounds, peerCold.rpsRounds);
    const rpsOk = rpsRatio >= 1 - NOISE;
    const rpsCell = `${fmtRatio(rpsRatio)} ${rpsOk ? (rpsRatio >= 1 ? '✅' : '✅ (noise)') : `❌ (<${1 - NOISE})`}`;
    if (cpuRatio < 1)
      misses.push(`${framework} cold CPU/req ${fmtRatio(cpuRatio)} of ${PEER[framework]} (target 1.0×)`);
    if (!rpsOk)
      misses.push(
        `${framework} cold req/s ${fmtRatio(rpsRatio)} of ${PEER[framework]} (target 1.0×, ±${NOISE * 100} % noise)`,
      );
    row(
      'keycard, cold',
      'keycard-cold',
      `cold/peer by CPU/req ${targetCell(cpuRatio, 1)}; by req/s ${rpsCell}`,
    );
  } else row('keycard, cold', 'keycard-cold');
  row(`${PEER[framework]}, warm`, 'peer-warm');
  row(`${PEER[framework]}, cold`, 'peer-cold');
}

const cmd = `node bench/guard-http.mjs${process.argv.length > 2 ? ` ${process.argv.slice(2).join(' ')}` : ''}`;
const out = [
  `### Guard over HTTP, ES256, \`GET /me\` (medians of ${rounds} interleaved rounds × ${duration} s, ratios = median of per-round ratios, ${connections} connections, cold = ${tokenCount} distinct tokens rotated)`,
  '',
  `Targets: warm ≥ 0.9× no auth (req/s); cold ≥ 1.0× the peer by server CPU/req (peer's over keycard's) and by req/s (keycard's over the peer's; ≥ ${1 - NOISE} counts as noise).`,
  '',
  header(cmd),
  '',
  markdownTable(
    ['framework', 'variant', 'req/s', 'p50', 'p99', 'server CPU/req', 'vs no auth', 'target'],
    rows,
  ),
  '',
  ...notes.map((n) => `- ${n}`),
  misses.length ? `Missed targets: ${misses.join('; ')}.` : '',
];
console.log(out.join('\n'));
writeJson('guard-http', { command: cmd, rounds, duration, connections, tokenCount, results });
