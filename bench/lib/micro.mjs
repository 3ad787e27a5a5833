// Micro-benchmark runner: every subject measured in each round, rounds interleaved (the order
// rotates each round) so drift in machine load hits all subjects alike; the median round counts.
import { performance } from 'node:perf_hooks';
import { median, spread } from './stats.mjs';

// Results go here so the optimiser cannot drop the measured call.
export let sink;

function runSyncFor(fn, ms, batch) {
  let ops = 0;
  let last;
  const start = performance.now();
  const end = start + ms;
  let now = start;
  do {
    for (let i = 0; i < batch; i++) last = fn();
    ops += batch;
    now = performance.now();
  } while (now < end);
  sink = last;
  return (ops * 1000) / (now - start);
}

async function runAsyncFor(fn, ms, batch) {
  let ops = 0;
  let last;
  const start = performance.now();
  const end = start + ms;
  let now = start;
  do {
    for (let i = 0; i < batch; i++) last = await fn();
    ops += batch;
    now = performance.now();
  } while (now < end);
  sink = last;
  return (ops * 1000) / (now - start);
}

function measure(subject, ms, batch) {
  return subject.async ? runAsyncFor(subject.fn, ms, batch) : runSyncFor(subject.fn, ms, batch);
}

/**
 * Runs `subjects` ({ id, fn, async? }) for `rounds` rounds of `time` ms each after a warmup.
 * Returns Map id -> { rounds: number[] (ops/s), median, spread, cpuRounds: number[] (process CPU µs
 * per op, user + system, every thread: counts work a subject hands to libuv's pool), cpuMedian }.
 */
export async function runInterleaved(subjects, { rounds = 7, time = 1000, warmup = 300, log } = {}) {
  const batches = new Map();
  for (const s of subjects) {
    // Warmup also sizes the batch so the clock is read about every 2 ms, not every op.
    const rate = await measure(s, warmup, 1);
    batches.set(s.id, Math.max(1, Math.round(rate / 500)));
  }
  const perRound = new Map(subjects.map((s) => [s.id, []]));
  const cpuPerRound = new Map(subjects.map((s) => [s.id, []]));
  for (let r = 0; r < rounds; r++) {
    const offset = r % subjects.length;
    const order = [...subjects.slice(offset), ...subjects.slice(0, offset)];
    for (const s of order) {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const rate = await measure(s, time, batches.get(s.id));
      const elapsedMs = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      perRound.get(s.id).push(rate);
      cpuPerRound.get(s.id).push((cpu.user + cpu.system) / ((rate * elapsedMs) / 1000));
    }
    log?.(`round ${r + 1}/${rounds} done`);
  }
  const out = new Map();
  for (const [id, values] of perRound) {
    const cpuRounds = cpuPerRound.get(id);
    out.set(id, {
      rounds: values,
      median: median(values),
      spread: spread(values),
      cpuRounds,
      cpuMedian: median(cpuRounds),
    });
  }
  return out;
}
