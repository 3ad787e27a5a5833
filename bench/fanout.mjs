// Revocation fan-out of one instance, and what one event costs its storage, against the number of
// SSE subscribers. For each storage (SQLite; PostgreSQL in a fresh database of its own, so
// pg_stat_database counts keycard's transactions only) and each subscriber count:
//   1. open S raw SSE readers of `/revocations/stream` (from the current cursor) and wait until
//      each is `synced`;
//   2. idle window (`--idle` s): server CPU, storage calls and PostgreSQL transactions with the
//      readers connected and no event: the background rate, subtracted below;
//   3. event window: `--rate` revocations/s for `--duration` s, open loop (`POST /oauth/revoke` of a
//      client_credentials card: one `token` event each); every reader records when each event
//      arrived. Delivery latency = arrival - the moment the revoke request was sent.
// Reported: server CPU (% of one core) over the event window, delivery p50/p99/max over every
// (event, reader) pair, and per event: storage calls (counted inside the server, every driver)
// and PostgreSQL transactions (xact_commit + xact_rollback), both net of the idle rate.
// Goals (issue 10): at 1,000 readers and 10 events/s, CPU < 50 % of one core and p99 < 1 s; the
// storage cost of an event independent of the number of readers.
// Usage: node bench/fanout.mjs [--storage sqlite,pg] [--subscribers 0,100,1000] [--rate 10]
//   [--duration 20] [--idle 5] [--pg-settle 11] [--pg-url URL]
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import {
  diffCalls,
  listArg,
  PG_URL,
  pgTransactions,
  probePostgres,
  REDIS_URL,
  redisSupport,
  startSet,
  storageCalls,
} from './lib/cluster.mjs';
import { cpuMs, pin } from './lib/http.mjs';
import { basicAuth, tokenRequest } from './lib/oauth-client.mjs';
import { hardTimeout, header, markdownTable, parseArgs, waitForQuiet, writeJson } from './lib/report.mjs';
import { latestCursor, openSubscribers } from './lib/sse.mjs';
import { fmtMs, median, percentile } from './lib/stats.mjs';

const args = parseArgs();
const kinds = listArg(args.storage, ['sqlite', 'pg']);
const counts = listArg(args.subscribers === undefined ? undefined : String(args.subscribers), [
  '0',
  '100',
  '1000',
]).map(Number);
const rate = args.rate ?? 10;
const duration = args.duration ?? 20;
const idle = args.idle ?? 5;
// PostgreSQL publishes a backend's counters when it goes idle, but at most once a second; a backend
// that flushed less than a second ago waits up to 10 s. Snapshots wait this long for them.
const pgSettle = args['pg-settle'] ?? 11;
const pgUrl = typeof args['pg-url'] === 'string' ? args['pg-url'] : PG_URL;
const redisUrl = typeof args['redis-url'] === 'string' ? args['redis-url'] : REDIS_URL;
const maxCount = Math.max(...counts);
hardTimeout(15 * 60_000, 'fanout bench');
pin(process.pid, 1);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const jtiOf = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url')).jti;
const notes = [];
const skipPg = kinds.some((k) => k.startsWith('pg')) ? await probePostgres(pgUrl) : undefined;
if (skipPg) notes.push(`PostgreSQL rows skipped: ${skipPg}.`);
const redis = kinds.includes('pg+redis') && !skipPg ? await redisSupport(redisUrl) : { ok: false };
if (kinds.includes('pg+redis') && !skipPg && !redis.ok)
  notes.push(`PostgreSQL + Redis rows skipped: ${redis.reason}.`);
const wanted = kinds.filter(
  (k) => k === 'sqlite' || (k === 'pg' && !skipPg) || (k === 'pg+redis' && redis.ok),
);

/** Server CPU, storage calls and (PostgreSQL) transactions at this moment. */
async function snapshot(set) {
  const inst = set.instances[0];
  return {
    at: performance.now(),
    cpu: cpuMs(inst.pid),
    calls: await storageCalls(inst.child),
    xact: set.pgInfo ? await pgTransactions(set.pgInfo.adminUrl, set.pgInfo.database) : Number.NaN,
  };
}

/** One row: S readers, an idle window, then the events. */
async function step(set, subscribers) {
  const inst = set.instances[0];
  const s = set.seed;
  const auth = basicAuth(s.clientId, s.clientSecret);
  const events = Math.max(1, Math.round(rate * duration));
  const warm = Math.max(1, Math.round(rate));
  // The cards to revoke, fetched first (their issuance is not part of the measurement).
  const cards = [];
  for (let i = 0; i < events + warm; i++) {
    const body = await tokenRequest(
      `${inst.url}/oauth/token`,
      { grant_type: 'client_credentials', scope: 'api:read', audience: s.audience },
      { authorization: auth },
    );
    cards.push(body.access_token);
  }
  const sentAt = new Map();
  let latencies = [];
  const subs = await openSubscribers(inst.url, subscribers, {
    after: await latestCursor(inst.url),
    onEvent: (_i, event, now) => {
      const t0 = sentAt.get(event.jti);
      if (t0 !== undefined) latencies.push(now - t0);
    },
  });
  const revoke = (token, answers) => {
    const t0 = performance.now();
    sentAt.set(jtiOf(token), t0);
    return fetch(`${inst.url}/oauth/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: auth },
      body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
    }).then(
      async (res) => {
        await res.arrayBuffer();
        answers?.push(performance.now() - t0);
        return res.status === 200;
      },
      () => false,
    );
  };
  try {
    // Warm-up: one second of events (JIT, the broadcaster's first read), not measured.
    for (const token of cards.slice(events)) {
      if (!(await revoke(token))) throw new Error(`${set.kind}: warm-up revocation failed`);
      await sleep(1000 / rate);
    }
    // The issuance's audit writes and the joins' reads show up in PostgreSQL's counters first.
    await sleep(set.pgInfo ? pgSettle * 1000 : 1500);
    const a = await snapshot(set);
    await sleep(idle * 1000);
    const b = await snapshot(set);
    // Open loop: the i-th revocation is sent at start + i / rate, whatever the earlier ones do.
    latencies = [];
    const answers = [];
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const genCpu0 = process.cpuUsage();
    const start = performance.now();
    const pending = [];
    for (let i = 0; i < events; i++) {
      const due = start + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      pending.push(revoke(cards[i], answers));
    }
    const failed = (await Promise.all(pending)).filter((ok) => !ok).length;
    const expected = events * subscribers;
    const deliverBy = performance.now() + 10_000;
    while (latencies.length < expected && performance.now() < deliverBy) await sleep(20);
    const cpuEnd = cpuMs(inst.pid);
    const end = performance.now();
    loopDelay.disable();
    const genCpu = process.cpuUsage(genCpu0);
    if (set.pgInfo) await sleep(pgSettle * 1000); // the window's transactions reach the counters
    const c = await snapshot(set);
    if (failed) throw new Error(`${set.kind} ${subscribers} readers: ${failed} revoke calls failed`);
    if (subs.failures())
      throw new Error(`${set.kind}: ${subs.failures()} streams failed: ${subs.firstFailure()}`);

    const idleMs = b.at - a.at;
    const eventMs = c.at - b.at;
    const idleCalls = diffCalls(a.calls, b.calls);
    const eventCalls = diffCalls(b.calls, c.calls);
    const idleCallRate = idleCalls.total / idleMs;
    const idleXactRate = (b.xact - a.xact) / idleMs;
    const perMethod = {};
    for (const [k, v] of Object.entries(eventCalls.perMethod)) {
      const net = (v - ((idleCalls.perMethod[k] ?? 0) / idleMs) * eventMs) / events;
      if (Math.abs(net) >= 0.05) perMethod[k] = Number(net.toFixed(2));
    }
    return {
      subscribers,
      events,
      delivered: latencies.length,
      expected,
      lost: expected - latencies.length,
      cpuPct: ((cpuEnd - b.cpu) / (end - b.at)) * 100,
      idleCpuPct: ((b.cpu - a.cpu) / idleMs) * 100,
      loadGenCpuPct: ((genCpu.user + genCpu.system) / 1000 / (end - start)) * 100,
      loadGenLoopDelayP99: loopDelay.percentile(99) / 1e6,
      revokeP50: percentile(answers, 50),
      revokeP99: percentile(answers, 99),
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: percentile(latencies, 100),
      callsPerEvent: (eventCalls.total - idleCallRate * eventMs) / events,
      rawCallsPerEvent: eventCalls.total / events,
      idleCallsPerSecond: idleCallRate * 1000,
      perMethod,
      xactPerEvent: (c.xact - b.xact - idleXactRate * eventMs) / events,
      rawXactPerEvent: (c.xact - b.xact) / events,
      idleXactPerSecond: idleXactRate * 1000,
    };
  } finally {
    await subs.close();
  }
}

await waitForQuiet();
const results = { config: { kinds: wanted, counts, rate, duration, idle }, rows: [] };
for (const kind of wanted) {
  console.error(`starting ${kind}`);
  const set = await startSet({
    kind,
    instances: 1,
    users: 0,
    cpus: [0],
    countStorage: true,
    isolate: 'database',
    pgUrl,
    redisUrl,
    config: { revocations: { maxReaders: maxCount + 100, maxReadersPerAddress: maxCount + 100 } },
  });
  try {
    for (const n of counts) {
      console.error(`${kind}: ${n} readers, ${rate} events/s for ${duration} s`);
      const r = await step(set, n);
      results.rows.push({ kind, label: set.label, wakeups: set.wakeups, ...r });
      console.error(
        `${kind} ${n}: CPU ${r.cpuPct.toFixed(1)} %, p99 ${fmtMs(r.p99)}, calls/event ${r.callsPerEvent.toFixed(2)}, xact/event ${r.xactPerEvent.toFixed(2)}`,
      );
    }
  } finally {
    await set.close();
  }
}

const num = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
const fanRows = results.rows.map((r) => {
  const goal = r.subscribers >= 1000;
  return [
    r.label,
    r.subscribers,
    r.events,
    `${num(r.cpuPct)} %${goal ? (r.cpuPct < 50 ? ' ✅' : ' ❌') : ''}`,
    `${num(r.idleCpuPct)} %`,
    r.subscribers ? fmtMs(r.p50) : '—',
    r.subscribers ? `${fmtMs(r.p99)}${goal ? (r.p99 < 1000 ? ' ✅' : ' ❌') : ''}` : '—',
    r.subscribers ? fmtMs(r.max) : '—',
    r.subscribers ? `${r.lost}` : '—',
    `${fmtMs(r.revokeP50)} / ${fmtMs(r.revokeP99)}`,
    `${num(r.loadGenCpuPct)} % · ${fmtMs(r.loadGenLoopDelayP99)}`,
  ];
});
const costRows = results.rows.map((r) => [
  r.label,
  r.subscribers,
  num(r.callsPerEvent, 2),
  Object.entries(r.perMethod)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || '—',
  num(r.idleCallsPerSecond, 1),
  r.kind === 'sqlite' ? 'n/a' : num(r.xactPerEvent, 2),
  r.kind === 'sqlite' ? 'n/a' : num(r.rawXactPerEvent, 2),
  r.kind === 'sqlite' ? 'n/a' : num(r.idleXactPerSecond, 1),
]);
// "Independent of subscribers": the largest count costs at most half a transaction (or call) more
// per event than the smallest count that has readers.
const verdicts = [];
for (const kind of wanted) {
  const rows = results.rows.filter((r) => r.kind === kind && r.subscribers > 0);
  if (rows.length < 2) continue;
  const lo = rows[0];
  const hi = rows.at(-1);
  const metric = kind === 'sqlite' ? 'callsPerEvent' : 'xactPerEvent';
  const what = kind === 'sqlite' ? 'storage calls' : 'transactions';
  const ok = hi[metric] - lo[metric] <= 0.5;
  verdicts.push(
    `${hi.label}: ${num(lo[metric], 2)} ${what}/event at ${lo.subscribers} readers, ${num(hi[metric], 2)} at ${hi.subscribers} ${ok ? '✅ independent' : '❌ grows with readers'}`,
  );
}
results.medianCpuAtMax = median(results.rows.filter((r) => r.subscribers === maxCount).map((r) => r.cpuPct));

const cmd = `node bench/fanout.mjs${process.argv.length > 2 ? ` ${process.argv.slice(2).join(' ')}` : ''}`;
console.log(
  [
    `### Revocation fan-out: one instance, ${counts.join(' / ')} SSE readers, ${rate} revocations/s for ${duration} s`,
    '',
    header(cmd),
    '',
    `Server pinned to CPU 0, readers and revoker in one process on CPU 1 (PostgreSQL unpinned). Each revocation is \`POST /oauth/revoke\` of a client_credentials card, sent open loop. CPU = the server process's user + system time over the event window, in % of one core (idle: readers connected, no events). Latency: from sending the revoke request to a reader receiving the event, over every (event, reader) pair. Goals at ${maxCount} readers: CPU < 50 %, p99 < 1 s. The last column is the load generator's own CPU and event-loop delay: when it nears 100 % of its core, delivery latency measures the readers, not the server.`,
    '',
    markdownTable(
      [
        'storage',
        'readers',
        'events',
        'server CPU (events)',
        'server CPU (idle)',
        'delivery p50',
        'p99',
        'max',
        'lost',
        'revoke answer p50 / p99',
        'load generator CPU · loop delay p99',
      ],
      fanRows,
    ),
    '',
    '#### Storage work per revocation event (net of the idle rate measured with the same readers)',
    '',
    "Storage calls are counted inside the server (every storage method, any driver); PostgreSQL transactions are `xact_commit + xact_rollback` of the bench's own database in `pg_stat_database` (pg_stat_statements is not loaded on this server). Both include the revoke call itself (card check, event append, audit record) as well as the fan-out.",
    '',
    markdownTable(
      [
        'storage',
        'readers',
        'storage calls/event',
        'by method (per event)',
        'idle calls/s',
        'PG transactions/event',
        'raw (not net)',
        'idle PG transactions/s',
      ],
      costRows,
    ),
    '',
    ...verdicts.map((v) => `- ${v}`),
    ...notes,
  ].join('\n'),
);
writeJson('fanout', { command: cmd, results, notes });
