// A Redis the suite owns: its own redis-server on a free port (no persistence), so it can be stopped
// and restarted without touching the shared one on 6379.
import { spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import { type Child, startChild, stopChild, waitFor } from './processes.js';

/** Why the suite cannot run its own Redis, or undefined. */
export function probeRedisServer(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  return found.status === 0 ? undefined : 'redis-server is not installed (apt-get install redis-server)';
}

/** Resolves true when something on 127.0.0.1:port answers PING with PONG. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

export class OwnRedis {
  #child: Child | undefined;
  constructor(
    readonly port: number,
    readonly dir: string,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    const child = startChild('redis', 'redis-server', [...args, '--dir', this.dir], {
      logFile: join(this.dir, 'redis.log'),
    });
    this.#child = child;
    await waitFor(
      `redis-server on port ${this.port}`,
      async () => {
        if (child.process.exitCode !== null) throw new Error(`redis-server exited: ${child.tail()}`);
        return (await ping(this.port)) ? true : undefined;
      },
      10_000,
    );
  }

  async stop(): Promise<void> {
    if (this.#child !== undefined) await stopChild(this.#child);
    this.#child = undefined;
  }
}
