// Child processes for the cluster suite (keycard, nginx, redis-server): started with their output in
// a log file, stopped by their own pid only, and waited for with deadlines, never fixed sleeps.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** A port the kernel just handed out on 127.0.0.1 (free now; the caller binds it right away). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise((r) => server.close(r));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export interface Child {
  readonly name: string;
  readonly process: ChildProcess;
  readonly logFile: string;
  /** Resolves with the exit code or signal once the process is gone. */
  readonly exited: Promise<string>;
  /** The last lines of its output (for failure messages). */
  tail(lines?: number): string;
}

const live = new Set<ChildProcess>();
let reaperInstalled = false;

/** Should the test process end without its afterAll (a crash, a timeout), its children end with it. */
function reapOnExit(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (reaperInstalled) return;
  reaperInstalled = true;
  process.once('exit', () => {
    for (const c of live) c.kill('SIGKILL');
  });
}

/** Spawns `cmd` with stdout and stderr appended to `logFile`; killed if this process exits first. */
export function startChild(
  name: string,
  cmd: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; logFile: string; cwd?: string },
): Child {
  const out = openSync(options.logFile, 'a');
  const child = spawn(cmd, args, {
    env: options.env ?? process.env,
    cwd: options.cwd,
    stdio: ['ignore', out, out],
  });
  closeSync(out); // the child holds its own copy
  reapOnExit(child);
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => resolve(signal ?? String(code)));
    child.once('error', (error) => resolve(`spawn error: ${error.message}`));
  });
  return {
    name,
    process: child,
    logFile: options.logFile,
    exited,
    tail(lines = 15) {
      try {
        return readFileSync(options.logFile, 'utf8').trim().split('\n').slice(-lines).join('\n');
      } catch {
        return '';
      }
    },
  };
}

export const isRunning = (child: Child): boolean =>
  child.process.exitCode === null && child.process.signalCode === null;

/** Sends `signal` (SIGTERM by default); after `graceMs` without an exit, SIGKILL. */
export async function stopChild(
  child: Child,
  signal: NodeJS.Signals = 'SIGTERM',
  graceMs = 5000,
): Promise<void> {
  if (!isRunning(child)) return;
  child.process.kill(signal);
  const timer = setTimeout(() => {
    if (isRunning(child)) child.process.kill('SIGKILL');
  }, graceMs);
  try {
    await child.exited;
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `check` until it returns a value other than undefined, or throws `what` after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      const why = last instanceof Error ? ` (last error: ${last.message})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
