// A bounded closed-loop load generator for stateful request chains (e.g. rotating refresh tokens,
// where every connection must carry its own chain and never send a token twice): N workers, each
// awaiting its previous answer, until a deadline. Latencies are kept in ms.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { median, percentile } from './stats.mjs';

/** Keep-alive agent with one socket per worker (like autocannon's connections). */
export function makeAgent(connections) {
  return new http.Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
}

/** One HTTP request on loopback; resolves { status, body } (body as a string). */
export function request(agent, url, { method = 'GET', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent, headers, timeout: 30_000 }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString() }),
      );
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url}: timed out`)));
    req.on('error', reject);
    if (body !== undefined) req.end(body);
    else req.end();
  });
}

/**
 * Runs `states.length` workers for `durationMs`: worker i repeatedly calls `step(states[i])` (which
 * must resolve true on success). Each worker finishes its request in flight before stopping, so no
 * chain is left half-rotated. Returns { rps, count, failures, p50, p90, p99, max } (ms).
 */
export async function runWorkers(states, step, { durationMs }) {
  const latencies = [];
  let failures = 0;
  let firstFailure;
  const start = performance.now();
  const deadline = start + durationMs;
  await Promise.all(
    states.map(async (state) => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        let ok = false;
        try {
          ok = await step(state);
        } catch (err) {
          firstFailure ??= err;
        }
        if (ok) latencies.push(performance.now() - t0);
        else {
          failures++;
          firstFailure ??= new Error('step reported failure');
          return; // a broken chain cannot continue
        }
      }
    }),
  );
  const elapsed = performance.now() - start;
  return {
    rps: (latencies.length * 1000) / elapsed,
    count: latencies.length,
    failures,
    firstFailure: firstFailure ? String(firstFailure.message ?? firstFailure) : undefined,
    p50: percentile(latencies, 50),
    p90: percentile(latencies, 90),
    p99: percentile(latencies, 99),
    max: percentile(latencies, 100),
  };
}

/**
 * Medians across rounds of each subject's closed-loop runs (`Map<id, run[]>` → `{ [id]: summary }`);
 * `rpsRounds` keeps the per-round rates for paired ratios.
 */
export function summarizeWorkerRuns(runsById) {
  const out = {};
  for (const [id, runs] of runsById) {
    out[id] = {
      rps: median(runs.map((x) => x.rps)),
      rpsRounds: runs.map((x) => x.rps),
      p50: median(runs.map((x) => x.p50)),
      p99: median(runs.map((x) => x.p99)),
      cpuUsPerReq: median(runs.map((x) => x.cpuUsPerReq)),
      rounds: runs,
    };
  }
  return out;
}
