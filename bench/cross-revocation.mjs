// Cross-instance revocation latency: two keycard instances on one PostgreSQL schema; N guards follow
// instance B's SSE feed; a card is revoked on instance A (`POST /oauth/revoke`, RFC 7009, which
// publishes a `token` event). Measured: time from the revoke call's answer to every guard refusing
// the card (each had verified and cached it just before); guards polled every ~1 ms.
// Variants, one set of instances each, all in one run:
//   poll       instances with an in-process coordinator only: B learns of A's event by its 1 s
//              cursor poll (the behaviour before the shared coordinator; forced on any build)
//   pg         the coordinator the build configures for PostgreSQL (LISTEN/NOTIFY once merged;
//              skipped while the build has none, since it would repeat `poll`)
//   pg+redis   `redis: { url }` as well (skipped while the build has no `redis` config)
//   same       reference: guards follow A itself (on the `pg` set, or the `poll` one)
// Usage: node bench/cross-revocation.mjs [--guards 10] [--revocations 50]
//   [--variants poll,pg,pg+redis,same] [--pg-url URL] [--redis-url URL]
import { performance } from 'node:perf_hooks';
import { ISSUER, listArg, PG_URL, probePostgres, REDIS_URL, redisSupport, startSet } from './lib/cluster.mjs';
import { basicAuth, tokenRequest } from './lib/oauth-client.mjs';
import { hardTimeout, header, markdownTable, parseArgs, waitForQuiet, writeJson } from './lib/report.mjs';
import { fmtMs, median, percentile } from './lib/stats.mjs';

const args = parseArgs();
const guardCount = args.guards ?? 10;
const revocations = args.revocations ?? 50;
const variants = listArg(args.variants, ['poll', 'pg', 'pg+redis', 'same']);
const pgUrl = typeof args['pg-url'] === 'string' ? args['pg-url'] : PG_URL;
const redisUrl = typeof args['redis-url'] === 'string' ? args['redis-url'] : REDIS_URL;
const GIVE_UP_MS = 10_000;
hardTimeout(10 * 60_000, 'cross-revocation bench');

const skipPg = await probePostgres(pgUrl);
if (skipPg) {
  console.error(`cross-revocation bench skipped: ${skipPg}`);
  console.log(`### Cross-instance revocation latency\n\nSkipped: ${skipPg}.`);
  process.exit(0);
}
const { createGuard } = await import('@keycard/guard');
const notes = [];
const redis = variants.includes('pg+redis') ? await redisSupport(redisUrl) : { ok: false };
if (variants.includes('pg+redis') && !redis.ok) notes.push(`PostgreSQL + Redis skipped: ${redis.reason}.`);

/** One revocation after another: card from A, guards cache it, revoke on A, wait for all guards. */
async function measure(set, follow, label) {
  const a = set.instances[0];
  const s = set.seed;
  const guards = [];
  const perRevocation = [];
  const perGuard = [];
  try {
    for (let i = 0; i < guardCount; i++) {
      guards.push(
        createGuard({
          tokenIssuer: ISSUER,
          jwksUri: `${follow.url}/.well-known/jwks.json`,
          audience: s.audience,
          revocation: { streamUri: `${follow.url}/revocations/stream` },
        }),
      );
    }
    await Promise.all(guards.map((g) => g.ready()));
    const connectBy = performance.now() + 10_000;
    while (!guards.every((g) => g.metrics().feedConnected) && performance.now() < connectBy) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    if (!guards.every((g) => g.metrics().feedConnected))
      throw new Error(`${label}: not every guard's feed connected`);
    const auth = basicAuth(s.clientId, s.clientSecret);
    for (let n = 0; n < revocations; n++) {
      const { access_token: token } = await tokenRequest(
        `${a.url}/oauth/token`,
        { grant_type: 'client_credentials', scope: 'api:read', audience: s.audience },
        { authorization: auth },
      );
      const req = { headers: { authorization: `Bearer ${token}` } };
      for (const g of guards) {
        const r = await g.verifyRequest(req);
        if (!r.ok) throw new Error(`${label}: guard rejected a fresh card: ${r.error.code}`);
      }
      const res = await fetch(`${a.url}/oauth/revoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: auth },
        body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
      });
      await res.arrayBuffer();
      const returned = performance.now();
      if (res.status !== 200) throw new Error(`${label}: revoke answered ${res.status}`);
      const rejectedAt = new Array(guards.length).fill(undefined);
      while (rejectedAt.includes(undefined) && performance.now() - returned < GIVE_UP_MS) {
        for (let i = 0; i < guards.length; i++) {
          if (rejectedAt[i] !== undefined) continue;
          const r = await guards[i].verifyRequest(req);
          if (!r.ok) rejectedAt[i] = Math.max(0, performance.now() - returned);
        }
        if (rejectedAt.includes(undefined)) await new Promise((resolve) => setTimeout(resolve, 1));
      }
      perRevocation.push(rejectedAt.includes(undefined) ? Number.POSITIVE_INFINITY : Math.max(...rejectedAt));
      for (const ms of rejectedAt) perGuard.push(ms ?? Number.POSITIVE_INFINITY);
      if (n % 10 === 9) console.error(`${label}: ${n + 1}/${revocations}`);
      // A random pause of up to one poll period: without it each revocation would follow the
      // previous one's poll tick by the same few ms and the poll row would read ~1 s every time.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 1000));
    }
  } finally {
    await Promise.all(guards.map((g) => g.close()));
  }
  return { perRevocation, perGuard };
}

await waitForQuiet();
const results = { config: { guardCount, revocations, variants }, rows: {} };
const rows = [];
const sets = [];
try {
  const pollSet =
    variants.includes('poll') || variants.includes('same')
      ? await startSet({ kind: 'pg', instances: 2, users: 0, cpus: null, pgUrl, memoryCoordinator: true })
      : undefined;
  if (pollSet) sets.push(pollSet);
  let pgSet;
  if (variants.includes('pg')) {
    pgSet = await startSet({ kind: 'pg', instances: 2, users: 0, cpus: null, pgUrl });
    sets.push(pgSet);
    if (pgSet.wakeups.startsWith('none')) {
      notes.push(
        '`pg` skipped: this build has no shared wake-up channel for PostgreSQL yet (it would repeat the poll row).',
      );
      await pgSet.close();
      sets.pop();
      pgSet = undefined;
    }
  }
  const redisSet = redis.ok
    ? await startSet({ kind: 'pg+redis', instances: 2, users: 0, cpus: null, pgUrl, redisUrl })
    : undefined;
  if (redisSet) sets.push(redisSet);

  const runs = [];
  if (pollSet && variants.includes('poll'))
    runs.push(['A → guards on B, no shared coordinator (1 s poll)', pollSet, 1]);
  if (pgSet) runs.push([`A → guards on B, PostgreSQL (${pgSet.wakeups})`, pgSet, 1]);
  if (redisSet) runs.push([`A → guards on B, PostgreSQL + Redis (${redisSet.wakeups})`, redisSet, 1]);
  if (variants.includes('same'))
    runs.push(['A → guards on A (same instance, reference)', pgSet ?? pollSet, 0]);
  for (const [label, set, follow] of runs) {
    console.error(`measuring: ${label}`);
    const r = await measure(set, set.instances[follow], label);
    results.rows[label] = r;
    const p99 = percentile(r.perRevocation, 99);
    rows.push([
      label,
      fmtMs(median(r.perRevocation)),
      fmtMs(p99),
      fmtMs(Math.max(...r.perRevocation)),
      fmtMs(median(r.perGuard)),
      p99 < 100 ? '✅' : '❌',
    ]);
  }
} finally {
  for (const set of sets) await set.close();
}

const cmd = `node bench/cross-revocation.mjs${process.argv.length > 2 ? ` ${process.argv.slice(2).join(' ')}` : ''}`;
console.log(
  [
    `### Cross-instance revocation latency (${guardCount} guards, ${revocations} revocations per row, PostgreSQL, loopback)`,
    '',
    header(cmd),
    '',
    "Time from `POST /oauth/revoke` on instance A answering until every guard refuses the card (each had verified and cached it just before); guards follow the named instance's SSE feed and are polled every ~1 ms.",
    '',
    markdownTable(['path', 'all guards: p50', 'p99', 'max', 'each guard: p50', 'p99 < 100 ms'], rows),
    '',
    ...notes,
  ].join('\n'),
);
writeJson('cross-revocation', { command: cmd, results, notes });
