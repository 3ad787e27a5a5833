// Revocation propagation: N guards subscribed to a real keycard server's revocation feed; for each
// of M sessions, the time from `DELETE /api/sessions/:id` returning to every guard rejecting the
// session's (previously accepted, cached) access token.
// Usage: node bench/revocation.mjs [--guards 10] [--revocations 50]
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startChild } from './lib/http.mjs';
import {
  BENCH_DIR,
  hardTimeout,
  header,
  markdownTable,
  parseArgs,
  waitForQuiet,
  writeJson,
} from './lib/report.mjs';
import { fmtMs, median, percentile } from './lib/stats.mjs';

const args = parseArgs();
const guardCount = args.guards ?? 10;
const revocations = args.revocations ?? 50;
const GIVE_UP_MS = 10_000;
hardTimeout(10 * 60_000, 'revocation bench');

const { createGuard } = await import('@keycard/guard');
await waitForQuiet();
const srv = await startChild(join(BENCH_DIR, 'servers', 'keycard-server.mjs'), { users: 5 }, { cpu: null });
const s = srv.ready;
const guards = [];
const results = { perRevocation: [], perGuard: [] };
try {
  for (let i = 0; i < guardCount; i++) {
    guards.push(createGuard({ issuer: s.url, audience: 'keycard' }));
  }
  await Promise.all(guards.map((g) => g.ready()));
  // ready() may resolve before the stream is open: give the feeds a few seconds to connect.
  const connectBy = performance.now() + 10_000;
  while (!guards.every((g) => g.metrics().feedConnected) && performance.now() < connectBy) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const m0 = guards[0].metrics();
  if (!guards.every((g) => g.metrics().feedConnected)) {
    throw new Error(
      `not every guard has its feed connected (first: mode ${m0.feedMode}, reconnects ${m0.feedReconnects})`,
    );
  }

  const login = async (i) => {
    const res = await fetch(`${s.url}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        username: s.users[i % s.users.length],
        password: s.password,
        client_id: 'keycard-cli', // keycard-web requires DPoP
      }),
    });
    if (res.status !== 200) throw new Error(`login: ${res.status} ${await res.text()}`);
    return res.json();
  };

  for (let n = 0; n < revocations; n++) {
    const session = await login(n);
    const req = { headers: { authorization: `Bearer ${session.access_token}` } };
    // Every guard accepts (and caches) the token first.
    for (const g of guards) {
      const r = await g.verifyRequest(req);
      if (!r.ok) throw new Error(`guard rejected a fresh token: ${r.error.code}`);
    }
    const res = await fetch(`${s.url}/api/sessions/${encodeURIComponent(session.session_id)}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${session.access_token}` },
    });
    const returned = performance.now();
    if (res.status !== 204) throw new Error(`revoke: ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
    // Poll every guard each millisecond until all of them reject the token.
    const rejectedAt = new Array(guards.length).fill(undefined);
    while (rejectedAt.includes(undefined) && performance.now() - returned < GIVE_UP_MS) {
      for (let i = 0; i < guards.length; i++) {
        if (rejectedAt[i] !== undefined) continue;
        const r = await guards[i].verifyRequest(req);
        if (!r.ok) rejectedAt[i] = Math.max(0, performance.now() - returned);
      }
      if (rejectedAt.includes(undefined)) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    const all = rejectedAt.includes(undefined) ? Number.POSITIVE_INFINITY : Math.max(...rejectedAt);
    results.perRevocation.push(all);
    rejectedAt.forEach((ms, i) => {
      results.perGuard[i] ??= [];
      results.perGuard[i].push(ms ?? Number.POSITIVE_INFINITY);
    });
    if (n % 10 === 9) console.error(`revocations: ${n + 1}/${revocations}`);
  }
  results.metrics = guards.map((g) => g.metrics());
} finally {
  await Promise.all(guards.map((g) => g.close()));
  await srv.stop();
}

const all = results.perRevocation;
const anyGuard = results.perGuard.flat();
const p99 = percentile(all, 99);
const rows = [
  [
    'slowest of the guards (all rejecting)',
    fmtMs(median(all)),
    fmtMs(p99),
    fmtMs(Math.max(...all)),
    p99 < 1000 ? '✅' : '❌',
  ],
  [
    'each guard individually',
    fmtMs(median(anyGuard)),
    fmtMs(percentile(anyGuard, 99)),
    fmtMs(Math.max(...anyGuard)),
    '',
  ],
];
const cmd = `node bench/revocation.mjs${process.argv.length > 2 ? ` ${process.argv.slice(2).join(' ')}` : ''}`;
console.log(
  [
    `### Revocation propagation (${guardCount} guards on the SSE feed, ${revocations} revocations, loopback)`,
    '',
    header(cmd),
    '',
    "Time from `DELETE /api/sessions/:id` returning (204) until the guards reject the session's access token, which each had verified and cached just before; guards polled every ~1 ms.",
    '',
    markdownTable(['measured', 'p50', 'p99', 'max', 'target p99 < 1 s'], rows),
    '',
    p99 < 1000 ? '' : `Missed target: p99 ${fmtMs(p99)} (target < 1 s).`,
  ].join('\n'),
);
writeJson('revocation', { command: cmd, guardCount, revocations, results });
