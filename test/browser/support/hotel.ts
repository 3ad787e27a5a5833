// Starts the hotel the way `npm start` does: `node packages/cli/dist/bin.js demo` as a real child
// process (the built dist, separate door processes), on free ports, with a temporary data dir.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../../..');
export const CLI = join(ROOT, 'packages/cli/dist/bin.js');

/** The demo accounts (public, demo-only; demo/README.md). */
export const PASSWORDS = { alice: 'alice-room-101', bob: 'bob-room-102', carol: 'carol-manager' } as const;

/** What the hotel needs built; the message says how to build it. */
export function missingBuild(): string | undefined {
  const needed = [
    CLI,
    join(ROOT, 'demo/dist/doors/rooms.js'),
    join(ROOT, 'packages/server/dist/index.js'),
    join(ROOT, 'packages/web/dist/index.html'),
  ];
  const missing = needed.filter((f) => !existsSync(f));
  return missing.length === 0
    ? undefined
    : `not built (${missing.map((f) => f.slice(ROOT.length + 1)).join(', ')}): run \`npm run build\``;
}

export interface RunningHotel {
  url: string;
  doors: { rooms: string; amenities: string; office: string; billing: string };
  child: ChildProcess;
  dataDir: string;
  /** Everything the process printed so far (stdout + stderr). */
  output(): string;
  /** Pids of the door processes (children of the demo process). */
  doorPids(): number[];
  /** SIGINT, wait for the exit (SIGKILL after `timeoutMs`); resolves with the exit code or signal. */
  stop(timeoutMs?: number): Promise<number | string>;
  /** stop() and remove the data dir (unless it was given). */
  dispose(): Promise<void>;
}

/** Children of `pid` from /proc (Linux); empty elsewhere. */
export function childPids(pid: number): number[] {
  if (!existsSync('/proc')) return [];
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid …; comm may contain spaces, so split after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return out;
}

/** Whether a process with this pid still exists (and is not a zombie). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return true;
  }
}

/**
 * Starts `keycard demo --port 0` and resolves once it printed its banner (every door answered
 * /healthz). `env` adds KEYCARD_* server settings (e.g. a short token lifetime).
 */
export async function startHotelProcess(opts: HotelOptions = {}): Promise<RunningHotel> {
  // `--port 0`: the demo probes free ports, then listens. Another test file starting its own demo at
  // the same moment can take one in between (the demo then says so and exits); with a fresh data dir
  // nothing was kept, so start again on new ports.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startHotelOnce(opts);
    } catch (error) {
      const taken = error instanceof Error && / is already in use\./.test(error.message);
      if (!taken || opts.dataDir !== undefined || attempt === 3) throw error;
    }
  }
}

type HotelOptions = { env?: Record<string, string>; dataDir?: string; args?: string[]; timeoutMs?: number };

async function startHotelOnce(opts: HotelOptions): Promise<RunningHotel> {
  const ownDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'keycard-hotel-'));
  const child = spawn(
    process.execPath,
    [CLI, 'demo', '--port', '0', '--data-dir', dataDir, ...(opts.args ?? [])],
    {
      cwd: ROOT,
      env: { ...process.env, KEYCARD_LOG_LEVEL: 'error', ...opts.env },
      // The IPC channel makes the demo close itself if this test process dies without cleaning up.
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    },
  );
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString('utf8');
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString('utf8');
  });
  const exited = new Promise<number | string>((res) => {
    child.once('exit', (code, signal) => res(code ?? signal ?? 'unknown'));
  });
  let code: number | string | undefined;
  void exited.then((c) => {
    code = c;
  });
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  while (!output.includes('Press Ctrl-C to stop.')) {
    if (code !== undefined || Date.now() > deadline) {
      if (code === undefined) child.kill('SIGKILL');
      if (ownDir) rmSync(dataDir, { recursive: true, force: true });
      throw new Error(`keycard demo did not start (exit ${code ?? 'timeout'}):\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const find = (re: RegExp): string => {
    const m = re.exec(output);
    if (m?.[1] === undefined) throw new Error(`banner without ${re}:\n${output}`);
    return m[1];
  };
  const hotel: RunningHotel = {
    url: find(/Open (http:\/\/\S+?)\/ in your browser/),
    doors: {
      rooms: find(/rooms\s+Express door\s+(http:\/\/[^/\s]+)/),
      amenities: find(/amenities\s+Fastify door\s+(http:\/\/[^/\s]+)/),
      office: find(/office\s+Hono door\s+(http:\/\/[^/\s]+)/),
      billing: find(/billing\s+node:http door\s+(http:\/\/[^/\s]+)/),
    },
    child,
    dataDir,
    output: () => output,
    doorPids: () => (child.pid === undefined ? [] : childPids(child.pid)),
    async stop(timeoutMs = 8000) {
      if (code !== undefined) return code;
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const c = await exited;
      clearTimeout(timer);
      return c;
    },
    async dispose() {
      const pids = hotel.doorPids();
      await hotel.stop();
      for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
      if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return hotel;
}

/**
 * Signs in through the JSON API (not the browser) as the scripts' client `keycard-cli` (Bearer
 * cards; the web app's client requires DPoP) and returns a card for `audience` (default `keycard`).
 */
export async function apiLogin(
  url: string,
  username: keyof typeof PASSWORDS,
  audience?: string,
): Promise<string> {
  const res = await fetch(`${url}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: PASSWORDS[username], client_id: 'keycard-cli', audience }),
    signal: AbortSignal.timeout(10_000),
  });
  if (res.status !== 200) throw new Error(`login ${username}: HTTP ${res.status}`);
  return ((await res.json()) as { access_token: string }).access_token;
}
