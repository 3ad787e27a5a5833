// Token endpoint and refresh throughput for one instance and for N instances on one database:
// SQLite (one instance), PostgreSQL (a fresh schema shared by N `keycard` server processes) and,
// once the server knows `redis.url`, PostgreSQL + Redis. The N-instance rows are load-balanced
// round-robin by the load generator itself: autocannon spreads its connections over the instance
// URLs (client_credentials), and the refresh workers send each request to the next instance in
// turn, so a chain's successive refreshes land on different instances (as behind a balancer).
// The 1-instance row of a PostgreSQL set is its first instance alone, the others idle: the ratio
// N / 1 compares the same processes on the same database within one run.
// Usage: node bench/cluster.mjs [--rounds 3] [--duration 5] [--connections 50] [--instances 3]
//   [--storage sqlite,pg,pg+redis] [--server-cpus 0 | 0,1 | none] [--throttle on|off]
//   [--pg-url URL] [--redis-url URL]

import { listArg, PG_URL, probePostgres, REDIS_URL, redisSupport, startSet } from './lib/cluster.mjs';
import { cpuMsOf, pin, runHttpInterleaved } from './lib/http.mjs';
import { basicAuth, tokenRequest } from './lib/oauth-client.mjs';
import { hardTimeout, header, markdownTable, parseArgs, waitForQuiet, writeJson } from './lib/report.mjs';
import { fmtMs, fmtRate, fmtRatio, fmtUs, pairedRatio } from './lib/stats.mjs';
import { makeAgent, request, runWorkers, summarizeWorkerRuns } from './lib/workers.mjs';

const args = parseArgs();
const rounds = args.rounds ?? 3;
const duration = args.duration ?? 5;
const connections = args.connections ?? 50;
const instanceCount = args.instances ?? 3;
const kinds = listArg(args.storage, ['sqlite', 'pg', 'pg+redis']);
const pgUrl = typeof args['pg-url'] === 'string' ? args['pg-url'] : PG_URL;
const redisUrl = typeof args['redis-url'] === 'string' ? args['redis-url'] : REDIS_URL;
// `--throttle off`: no rate limiting at all (every bench request comes from 127.0.0.1, so the
// throttle runs with limits raised to 10,000,000 a second; its per-request cost is measured by default).
const throttleOff = args.throttle === 'off';
const serverCpus =
  args['server-cpus'] === 'none' ? null : listArg(String(args['server-cpus'] ?? '0'), ['0']).map(Number);
hardTimeout(15 * 60_000, 'cluster bench');
if (serverCpus !== null) pin(process.pid, 1);

const notes = [];
const skipPg = kinds.some((k) => k.startsWith('pg')) ? await probePostgres(pgUrl) : undefined;
if (skipPg) notes.push(`PostgreSQL rows skipped: ${skipPg}.`);
const redis = kinds.includes('pg+redis') && !skipPg ? await redisSupport(redisUrl) : { ok: false };
if (kinds.includes('pg+redis') && !skipPg && !redis.ok)
  notes.push(`PostgreSQL + Redis rows skipped: ${redis.reason}.`);
const wanted = kinds.filter(
  (k) => k === 'sqlite' || (k === 'pg' && !skipPg) || (k === 'pg+redis' && redis.ok),
);

await waitForQuiet();
const sets = [];
const results = {
  config: { rounds, duration, connections, instanceCount, kinds: wanted, serverCpus, throttleOff },
};
const out = [];
try {
  for (const kind of wanted) {
    console.error(`starting ${kind} (${kind === 'sqlite' ? 1 : instanceCount} instance(s))`);
    sets.push(
      await startSet({
        kind,
        instances: kind === 'sqlite' ? 1 : instanceCount,
        users: connections,
        cpus: serverCpus,
        config: throttleOff ? { throttle: { enabled: false } } : {},
        pgUrl,
        redisUrl,
      }),
    );
  }

  // Targets: every set alone on its first instance, and each multi-instance set on all of them.
  const targets = [];
  for (const set of sets) {
    const all = set.instances;
    const variants = all.length > 1 ? [all.slice(0, 1), all] : [all];
    for (const group of variants) {
      targets.push({ set, group, id: `${set.kind}×${group.length}` });
    }
  }

  // --- client_credentials: autocannon, connections spread over the group's URLs ---------------
  const ccBody = (aud) =>
    new URLSearchParams({ grant_type: 'client_credentials', scope: 'api:read', audience: aud }).toString();
  for (const t of targets) {
    // Every instance answers a valid token before timing.
    for (const inst of t.group) {
      const body = await tokenRequest(
        `${inst.url}/oauth/token`,
        Object.fromEntries(new URLSearchParams(ccBody(t.set.seed.audience))),
        {
          authorization: basicAuth(t.set.seed.clientId, t.set.seed.clientSecret),
        },
      );
      if (typeof body.access_token !== 'string') throw new Error(`${t.id}: no access token from ${inst.url}`);
    }
  }
  const cc = await runHttpInterleaved(
    targets.map((t) => ({
      id: t.id,
      url:
        t.group.length === 1 ? `${t.group[0].url}/oauth/token` : t.group.map((i) => `${i.url}/oauth/token`),
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: basicAuth(t.set.seed.clientId, t.set.seed.clientSecret),
      },
      body: ccBody(t.set.seed.audience),
      cpuPid: t.group.map((i) => i.pid),
    })),
    { rounds, duration, connections, log: (m) => console.error(`client_credentials: ${m}`) },
  );
  results.clientCredentials = Object.fromEntries(cc);

  // --- refresh_token: closed-loop chains, each request to the next instance of the group -------
  const agent = makeAgent(connections * 2);
  const chainsBySet = new Map();
  for (const set of sets) {
    const s = set.seed;
    const auth = basicAuth(s.appId, s.appSecret);
    const chains = [];
    for (const username of s.users.slice(0, connections)) {
      const body = await tokenRequest(
        `${set.instances[0].url}/oauth/token`,
        { grant_type: 'password', username, password: s.password, scope: 'api:read', audience: s.audience },
        { authorization: auth },
      );
      if (typeof body.refresh_token !== 'string')
        throw new Error(`${set.kind}: password grant gave no refresh token`);
      chains.push({ rt: body.refresh_token });
    }
    chainsBySet.set(set, chains);
    console.error(`${set.kind}: ${chains.length} refresh chains`);
  }
  const refreshStep = (t) => {
    const auth = basicAuth(t.set.seed.appId, t.set.seed.appSecret);
    let next = 0;
    return async (chain) => {
      const inst = t.group[next++ % t.group.length];
      const res = await request(agent, `${inst.url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: auth },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: chain.rt }).toString(),
      });
      if (res.status !== 200)
        throw new Error(`refresh at ${inst.url}: ${res.status} ${res.body.slice(0, 200)}`);
      const body = JSON.parse(res.body);
      if (typeof body.refresh_token !== 'string' || body.refresh_token === chain.rt)
        throw new Error('refresh: not rotated');
      chain.rt = body.refresh_token;
      return true;
    };
  };
  const refreshTargets = targets.map((t) => ({
    ...t,
    step: refreshStep(t),
    pids: t.group.map((i) => i.pid),
  }));
  for (const t of refreshTargets) {
    const w = await runWorkers(chainsBySet.get(t.set), t.step, { durationMs: 2000 });
    if (w.failures) throw new Error(`${t.id} refresh warmup: ${w.firstFailure}`);
  }
  const refreshRuns = new Map(refreshTargets.map((t) => [t.id, []]));
  for (let r = 0; r < rounds; r++) {
    const offset = r % refreshTargets.length;
    const order = [...refreshTargets.slice(offset), ...refreshTargets.slice(0, offset)];
    for (const t of order) {
      const cpu0 = cpuMsOf(t.pids);
      const res = await runWorkers(chainsBySet.get(t.set), t.step, { durationMs: duration * 1000 });
      res.cpuUsPerReq = ((cpuMsOf(t.pids) - cpu0) * 1000) / res.count;
      if (res.failures) throw new Error(`${t.id} refresh: ${res.failures} failures: ${res.firstFailure}`);
      refreshRuns.get(t.id).push(res);
    }
    console.error(`refresh_token: round ${r + 1}/${rounds} done`);
  }
  results.refresh = summarizeWorkerRuns(refreshRuns);

  const rows = [];
  for (const [grant, res] of [
    ['client_credentials', results.clientCredentials],
    ['refresh_token', results.refresh],
  ]) {
    for (const t of targets) {
      const x = res[t.id];
      const one = res[`${t.set.kind}×1`];
      const ratio = t.group.length > 1 ? pairedRatio(x.rpsRounds, one.rpsRounds) : Number.NaN;
      rows.push([
        grant,
        t.set.label,
        t.group.length,
        t.set.wakeups,
        fmtRate(x.rps),
        fmtRate(x.rps / t.group.length),
        fmtMs(x.p50),
        fmtMs(x.p99),
        fmtUs(x.cpuUsPerReq),
        t.group.length > 1 ? fmtRatio(ratio) : '',
      ]);
      if (t.group.length > 1) x.ratioToOne = ratio;
    }
  }
  results.sets = sets.map((s) => ({ kind: s.kind, instances: s.instances.length, wakeups: s.wakeups }));
  const layout =
    serverCpus === null
      ? 'servers and load generator unpinned'
      : `every instance pinned to CPU ${serverCpus.join('/')} (round-robin), load generator on CPU 1; PostgreSQL and Redis unpinned`;
  out.push(
    `#### Token endpoint and refresh, 1 → ${instanceCount} instances (medians of ${rounds} interleaved rounds × ${duration} s, ${connections} connections; ratio = median of per-round ratios)`,
    '',
    `Layout: ${layout}. Server CPU/req sums every instance of the row. Throttle: ${throttleOff ? 'off' : 'on, limits raised to 10,000,000 a second (all requests come from 127.0.0.1)'}.`,
    '',
    markdownTable(
      [
        'grant',
        'storage',
        'instances',
        'cross-instance wake-ups',
        'req/s',
        'req/s per instance',
        'p50',
        'p99',
        'server CPU/req',
        `${instanceCount} / 1`,
      ],
      rows,
    ),
    '',
  );
} finally {
  for (const set of sets) await set.close();
}

const cmd = `node bench/cluster.mjs${process.argv.length > 2 ? ` ${process.argv.slice(2).join(' ')}` : ''}`;
console.log(
  [
    `### Cluster: token endpoint and refresh throughput, 1 → ${instanceCount} instances`,
    '',
    header(cmd),
    '',
    ...out,
    `Reading: ${instanceCount} instances here share the core(s) one instance had (see the layout line), so the ${instanceCount} / 1 column shows what several processes on one database cost or gain on this machine, not how keycard scales with more cores.`,
    ...notes,
  ].join('\n'),
);
writeJson('cluster', { command: cmd, results, notes });
