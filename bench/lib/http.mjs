// HTTP load helpers: servers in a child process pinned to one core, autocannon in this process pinned
// to the other, interleaved rounds, medians of req/s and latency percentiles.
import { execFileSync, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import autocannon from 'autocannon';
import { median, spread } from './stats.mjs';

const CORES = os.availableParallelism();

let clockTicks;

/** CPU time (user + system, all threads) a process has used so far, in ms; NaN where unknown. */
export function cpuMs(pid) {
  try {
    clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks;
  } catch {
    return Number.NaN;
  }
}

/** CPU time of one process, or the sum over several (e.g. the instances of a cluster), in ms. */
export function cpuMsOf(pids) {
  if (pids === undefined) return Number.NaN;
  return Array.isArray(pids) ? pids.reduce((sum, pid) => sum + cpuMs(pid), 0) : cpuMs(pids);
}

/** Pins a process (all its threads) to one CPU when taskset exists and there are ≥ 2 cores. */
export function pin(pid, cpu) {
  if (CORES < 2) return false;
  try {
    execFileSync('taskset', ['-a', '-pc', String(cpu % CORES), String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Lets a process (all its threads) run on every CPU: a child inherits its parent's pinning. */
export function unpin(pid) {
  if (CORES < 2) return false;
  try {
    execFileSync('taskset', ['-a', '-pc', `0-${CORES - 1}`, String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Forks `file` (a bench server script) with `config` as JSON in argv (and `env` added to this
 * process's environment), pins it to CPU `cpu` (null: not pinned) and waits for its
 * `{ type: 'ready', ... }` message. `cpu: 'all'`: on every CPU, whatever this process is pinned to. The child exits when this process goes away.
 */
export async function startChild(
  file,
  config = {},
  { cpu = 0, timeoutMs = 60_000, execArgv = [], env = undefined } = {},
) {
  const child = fork(file, [JSON.stringify(config)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv,
    ...(env ? { env: { ...process.env, ...env } } : {}),
  });
  if (cpu === 'all') unpin(child.pid);
  else if (cpu !== null) pin(child.pid, cpu);
  const ready = await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${file}: not ready after ${timeoutMs} ms`)), timeoutMs);
    child.once('message', (m) => {
      clearTimeout(t);
      if (m?.type === 'ready') resolve(m);
      else reject(new Error(`${file}: ${m?.error ?? 'unexpected message'}`));
    });
    child.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`${file}: exited early with code ${code}`));
    });
  });
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 3000).unref();
    });
  return { child, ready, stop };
}

/** Percentile (nearest rank) of a sorted Float64Array. */
function pct(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/**
 * One autocannon run; returns req/s and latency percentiles in ms. Latencies come from autocannon's
 * per-response event (sub-millisecond), not its histogram (whole milliseconds); 2xx only.
 */
export function cannon(opts) {
  let lat = new Float64Array(1 << 16);
  let n = 0;
  return new Promise((resolve, reject) => {
    const instance = autocannon({ connections: 50, duration: 5, ...opts }, (err, r) => {
      if (err) return reject(err);
      const sorted = lat.subarray(0, n).sort();
      resolve({
        rps: r.requests.average,
        total: r.requests.total,
        p50: pct(sorted, 50),
        p90: pct(sorted, 90),
        p99: pct(sorted, 99),
        max: pct(sorted, 100),
        non2xx: r.non2xx,
        errors: r.errors,
        timeouts: r.timeouts,
        statusCodeStats: r.statusCodeStats,
      });
    });
    instance.on('response', (_client, status, _bytes, ms) => {
      if (status < 200 || status > 299) return;
      if (n === lat.length) {
        const bigger = new Float64Array(lat.length * 2);
        bigger.set(lat);
        lat = bigger;
      }
      lat[n++] = ms;
    });
  });
}

/**
 * Runs each target ({ id, url, ...autocannon options }) once as warmup, then `rounds` times in
 * rotating order. Returns Map id -> { rps, p50, p99 (medians), rounds: [...] }. Any error,
 * timeout or non-2xx answer makes the whole target fail loudly.
 */
export async function runHttpInterleaved(
  targets,
  { rounds = 5, duration = 5, warmup = 2, connections = 50, log, cpuPid } = {},
) {
  for (const t of targets) {
    const { id, cpuPid: _pid, ...opts } = t;
    const w = await cannon({ connections, ...opts, duration: warmup });
    checkClean(id, w);
  }
  const results = new Map(targets.map((t) => [t.id, []]));
  for (let r = 0; r < rounds; r++) {
    const offset = r % targets.length;
    const order = [...targets.slice(offset), ...targets.slice(0, offset)];
    for (const t of order) {
      const { id, cpuPid: targetPid, ...opts } = t;
      const pid = targetPid ?? cpuPid;
      const cpu0 = cpuMsOf(pid);
      const res = await cannon({ connections, ...opts, duration });
      // Server CPU per request: unlike req/s, it barely moves when other work shares the machine.
      // `cpuPid` may list several processes (the instances behind one target): their sum counts.
      res.cpuUsPerReq = ((cpuMsOf(pid) - cpu0) * 1000) / res.total;
      checkClean(id, res);
      results.get(id).push(res);
    }
    log?.(`round ${r + 1}/${rounds} done`);
  }
  const out = new Map();
  for (const [id, runs] of results) {
    const rps = runs.map((x) => x.rps);
    out.set(id, {
      rps: median(rps),
      rpsSpread: spread(rps),
      rpsRounds: rps,
      p50: median(runs.map((x) => x.p50)),
      p99: median(runs.map((x) => x.p99)),
      cpuUsPerReq: median(runs.map((x) => x.cpuUsPerReq)),
      rounds: runs,
    });
  }
  return out;
}

function checkClean(id, r) {
  if (r.errors || r.timeouts || r.non2xx) {
    throw new Error(
      `${id}: ${r.errors} errors, ${r.timeouts} timeouts, ${r.non2xx} non-2xx ${JSON.stringify(r.statusCodeStats)}`,
    );
  }
}
