// Output helpers: Markdown tables, machine description, JSON copies in bench/out/ (git-ignored).
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
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
  return [
    `Command: \`${command}\``,
    `Date: ${m.date} · Node ${m.node} · nproc ${m.nproc} · ${m.cpu} · ${m.memGiB} GiB`,
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
