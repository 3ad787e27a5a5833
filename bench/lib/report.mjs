// Output helpers: Markdown tables, machine description, JSON copies in bench/out/ (git-ignored).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
export const REPO_DIR = dirname(BENCH_DIR);

/** Renders rows (arrays of cells) under headers as a GitHub Markdown table. */
export function markdownTable(headers, rows) {
  const line = (cells) => `| ${cells.map((c) => String(c)).join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

let machine;

/** Node version, cores and CPU model, for the heading of every results block (read once, before any
 * bench pins itself to one CPU, which would make `nproc` say 1). */
export function machineInfo() {
  machine ??= readMachine();
  return { ...machine, date: new Date().toISOString() };
}
machineInfo();

function readMachine() {
  let nproc = os.availableParallelism();
  try {
    nproc = Number(execFileSync('nproc', { encoding: 'utf8' }).trim());
  } catch {
    // nproc missing: keep Node's own count
  }
  return {
    date: new Date().toISOString(),
    node: process.version,
    nproc,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memGiB: Math.round(os.totalmem() / 2 ** 30),
  };
}

/** One line describing how and where a bench ran. */
export function header(command) {
  const m = machineInfo();
  const load = os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
  const busy = Number.isFinite(backgroundBusy)
    ? ` · other load at start ${(backgroundBusy * 100).toFixed(0)}% of CPUs`
    : '';
  return [
    `Command: \`${command}\``,
    '',
    `Date: ${m.date} · Node ${m.node} · nproc ${m.nproc} · ${m.cpu} · ${m.memGiB} GiB · loadavg at end ${load}${busy}`,
  ].join('\n');
}

/** Writes a JSON copy of the results to bench/out/<name>.json. */
export function writeJson(name, data) {
  const dir = join(BENCH_DIR, 'out');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({ machine: machineInfo(), ...data }, null, 2));
  return file;
}

/** Kills the process after `ms` so no bench can run away (the timer does not keep it alive). */
export function hardTimeout(ms, label) {
  const t = setTimeout(() => {
    console.error(`${label}: hard time limit of ${Math.round(ms / 1000)} s reached, exiting`);
    process.exit(2);
  }, ms);
  t.unref();
  return t;
}

/** Parses `--name value` and `--flag` arguments into an object (numbers converted). */
export function parseArgs(argv = process.argv.slice(2)) {
  const out = { _: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) {
      out._.push(a);
      continue;
    }
    const key = a.slice(2);
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) out[key] = true;
    else {
      out[key] = Number.isNaN(Number(next)) ? next : Number(next);
      i++;
    }
  }
  return out;
}

function cpuTimes() {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = line[3] + (line[4] ?? 0);
  const total = line.reduce((a, b) => a + b, 0);
  return { idle, total };
}

/** Share of all CPUs busy over `ms` (0..1), from /proc/stat; NaN where it is unavailable. */
export async function cpuBusy(ms = 1000) {
  try {
    const a = cpuTimes();
    await new Promise((resolve) => setTimeout(resolve, ms));
    const b = cpuTimes();
    return 1 - (b.idle - a.idle) / (b.total - a.total);
  } catch {
    return Number.NaN;
  }
}

/**
 * The machine is shared with other work: wait (at most `maxWaitMs`, env BENCH_QUIET_WAIT_MS) until
 * less than `threshold` of all CPUs is busy, and return the busy share seen last, for the report.
 */
export async function waitForQuiet({
  threshold = 0.15,
  maxWaitMs = Number(process.env.BENCH_QUIET_WAIT_MS ?? 60_000),
} = {}) {
  const until = Date.now() + maxWaitMs;
  let busy = await cpuBusy();
  while (busy > threshold && Date.now() < until) {
    console.error(`waiting for a quiet machine: ${(busy * 100).toFixed(0)}% of the CPUs busy`);
    busy = await cpuBusy(2000);
  }
  backgroundBusy = busy;
  return busy;
}

let backgroundBusy;
