import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

/** The shared test Redis; override with KEYCARD_TEST_REDIS_URL. Never flushed: tests use their own key prefix. */
export const REDIS_URL = process.env.KEYCARD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix no other test run uses. */
export function uniquePrefix(): string {
  return `keycard-test:${randomBytes(6).toString('hex')}:`;
}

/** Resolves to a reason to skip when Redis does not answer at `url`, else undefined. */
export async function probeRedis(url = REDIS_URL): Promise<string | undefined> {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 2000,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
    return undefined;
  } catch (error) {
    return `Redis at ${new URL(url).host} is unreachable (${(error as Error).message})`;
  } finally {
    client.disconnect();
  }
}

/** A free TCP port on loopback (free when asked; the caller binds it soon after). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

/** Whether `redis-server` can be started here; a reason to skip when not. */
export function redisServerMissing(): string | undefined {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  return probe.status === 0 ? undefined : 'redis-server is not installed';
}

/** A throwaway redis-server this test owns (no persistence), to stop and restart at will. */
export interface OwnRedis {
  readonly port: number;
  readonly url: string;
  start(): Promise<void>;
  /** SIGKILL, then waits for the process to be gone. */
  kill(): Promise<void>;
}

/** @param password started with `--requirepass` (the URL then carries it) when given. */
export async function ownRedis(password?: string): Promise<OwnRedis> {
  const port = await freePort();
  const url = `redis://${password === undefined ? '' : `:${password}@`}127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  return {
    port,
    url,
    async start() {
      child = spawn(
        'redis-server',
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--save',
          '',
          '--appendonly',
          'no',
          ...(password === undefined ? [] : ['--requirepass', password]),
        ],
        {
          stdio: 'ignore',
        },
      );
      const deadline = Date.now() + 10_000;
      while ((await probeRedis(url)) !== undefined) {
        if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not start`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async kill() {
      const current = child;
      child = undefined;
      if (current === undefined || current.exitCode !== null) return;
      const exited = new Promise((resolve) => current.once('exit', resolve));
      current.kill('SIGKILL');
      await exited;
    },
  };
}
