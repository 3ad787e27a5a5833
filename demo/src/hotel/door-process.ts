import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** One door service to run as its own process. */
export interface DoorSpec {
  /** `rooms`, `amenities` or `office`: also the audience and the entry file's name. */
  name: string;
  port: number;
  /** Extra environment (e.g. the rooms register). */
  env?: Record<string, string>;
}

/** A running door process. */
export interface DoorProcess {
  readonly name: string;
  readonly url: string;
  readonly child: ChildProcess;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  readonly exited: Promise<number | string>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

/** The compiled entry of a door; two levels below the package root from both src/ and dist/. */
export function doorEntry(name: string): string {
  return fileURLToPath(new URL(`../../dist/doors/${name}.js`, import.meta.url));
}

/**
 * Spawns a door with the same Node binary, its settings in the environment, output prefixed with
 * its name, and an IPC channel: the door exits when this process goes away, however it ends.
 */
export function spawnDoor(
  spec: DoorSpec,
  opts: { issuer: string; host: string; corsOrigins: string[]; output: (line: string) => void },
): DoorProcess {
  const child = spawn(process.execPath, [doorEntry(spec.name)], {
    env: {
      ...process.env,
      KEYCARD_ISSUER: opts.issuer,
      KEYCARD_AUDIENCE: spec.name,
      PORT: String(spec.port),
      HOST: opts.host,
      KEYCARD_CORS_ORIGIN: opts.corsOrigins.join(','),
      ...spec.env,
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const prefix = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split('\n'))
      if (line.trim() !== '') opts.output(`[${spec.name}] ${line}`);
  };
  child.stdout?.on('data', prefix);
  child.stderr?.on('data', prefix);
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  return {
    name: spec.name,
    url: `http://${opts.host}:${spec.port}`,
    child,
    exited,
    async stop(graceMs = 3000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Polls `url` until it answers 200, the process exits, or `timeoutMs` passes.
 */
export async function waitHealthy(door: DoorProcess, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitedWith: number | string | undefined;
  void door.exited.then((code) => {
    exitedWith = code;
  });
  while (Date.now() < deadline) {
    if (exitedWith !== undefined)
      throw new Error(`the ${door.name} door exited during start-up (${exitedWith})`);
    try {
      const res = await fetch(`${door.url}/healthz`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the ${door.name} door did not answer ${door.url}/healthz within ${timeoutMs / 1000} s`);
}
