// Three `keycard serve` processes (the built CLI, as deployed) on one fresh PostgreSQL schema, one
// master key and one issuer, behind nginx, with a Redis of the suite's own.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { dropSchemas, freshSchema, PG_URL } from '../../../packages/server/test/storage/postgres-helper.js';
import { call, freshAddress } from './http.js';
import { startNginx } from './nginx.js';
import { type Child, freePort, isRunning, startChild, stopChild, waitFor } from './processes.js';
import { OwnRedis } from './redis.js';

export const CLI = resolve(import.meta.dirname, '../../../packages/cli/dist/bin.js');
export const PASSWORD = 'correct horse battery staple';
export const CLIENT_ID = 'keycard-cli';
export const INSTANCES = 3;

/** Small limits so the suite can reach them; refreshes are not what it throttles. */
export const LIMITS = {
  loginPerIp: { limit: 6, windowSeconds: 60 },
  accountSourceFailures: { limit: 3, windowSeconds: 900 },
  tokenPerIp: { limit: 100_000, windowSeconds: 60 },
} as const;

export class Cluster {
  readonly dir = mkdtempSync(join(tmpdir(), 'keycard-cluster-'));
  readonly schema = freshSchema();
  readonly masterKey = randomBytes(32).toString('base64url');
  readonly instances: Array<Child | undefined> = [];
  ports: number[] = [];
  nginxPort = 0;
  redis: OwnRedis | undefined;
  /** Whether instances started from now on get KEYCARD_REDIS_URL. */
  useRedis = true;
  #nginx: Child | undefined;

  get issuer(): string {
    return `http://127.0.0.1:${this.nginxPort}`;
  }

  get databaseUrl(): string {
    const url = new URL(PG_URL);
    url.searchParams.set('options', `-c search_path=${this.schema}`);
    return url.href;
  }

  url(i: number): string {
    return `http://127.0.0.1:${this.ports[i]}`;
  }

  /** Redis, the schema (migrated and seeded by the CLI), the instances, then nginx. */
  async start(nginxPath: string): Promise<void> {
    this.nginxPort = await freePort();
    for (let i = 0; i < INSTANCES; i++) this.ports.push(await freePort());
    this.redis = new OwnRedis(await freePort(), this.dir);
    await this.redis.start();
    const db = new pg.Client({ connectionString: PG_URL });
    await db.connect();
    try {
      await db.query(`create schema "${this.schema}"`);
    } finally {
      await db.end();
    }
    writeFileSync(join(this.dir, 'keycard.config.json'), JSON.stringify({ throttle: LIMITS }));
    // One process migrates and creates the keys before three start at once.
    this.cli(['users', 'add', 'boss', '--role', 'manager', '--password-stdin'], `${PASSWORD}\n`);
    await Promise.all(this.ports.map((_, i) => this.startInstance(i)));
    this.#nginx = await startNginx(nginxPath, join(this.dir, 'nginx'), this.nginxPort, this.ports);
  }

  env(i: number): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) {
      if (!k.startsWith('KEYCARD_') && k !== 'NODE_OPTIONS') env[k] = v;
    }
    const dataDir = join(this.dir, `data-${i}`);
    mkdirSync(dataDir, { recursive: true });
    return {
      ...env,
      KEYCARD_DATA_DIR: dataDir,
      KEYCARD_DATABASE_URL: this.databaseUrl,
      KEYCARD_MASTER_KEY: this.masterKey,
      KEYCARD_ISSUER: this.issuer,
      KEYCARD_CONFIG: join(this.dir, 'keycard.config.json'),
      // nginx connects from 127.0.0.1: the client is the address it appends to X-Forwarded-For.
      KEYCARD_TRUST_PROXY: '127.0.0.1',
      KEYCARD_LOG_LEVEL: 'warn',
      KEYCARD_UI: 'false',
      ...(this.useRedis && this.redis !== undefined ? { KEYCARD_REDIS_URL: this.redis.url } : {}),
    };
  }

  /** Runs a `keycard` CLI command against the cluster's database. */
  cli(args: string[], input?: string): string {
    const run = spawnSync(process.execPath, [CLI, ...args], {
      env: this.env(INSTANCES),
      input,
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (run.status !== 0) throw new Error(`keycard ${args.join(' ')} failed: ${run.stderr}${run.stdout}`);
    return run.stdout;
  }

  async startInstance(i: number): Promise<void> {
    const port = String(this.ports[i]);
    const child = startChild(`keycard-${i}`, process.execPath, [CLI, 'serve', '--port', port], {
      env: this.env(i),
      logFile: join(this.dir, `keycard-${i}.log`),
    });
    this.instances[i] = child;
    await waitFor(
      `keycard-${i} /readyz`,
      async () => {
        if (!isRunning(child)) throw new Error(`keycard-${i} exited:\n${child.tail()}`);
        return (await call(`${this.url(i)}/readyz`, { timeoutMs: 2000 })).status === 200 ? true : undefined;
      },
      30_000,
      100,
    );
  }

  /** SIGTERM (graceful) or SIGKILL (a crash). */
  async stopInstance(i: number, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.instances[i];
    if (child !== undefined) await stopChild(child, signal);
    this.instances[i] = undefined;
  }

  /** Creates users through the admin API (a manager's card, through nginx). */
  async addUsers(usernames: readonly string[]): Promise<void> {
    const login = await call(`${this.issuer}/api/login`, {
      body: { username: 'boss', password: PASSWORD, client_id: CLIENT_ID },
      from: freshAddress(),
    });
    if (login.status !== 200) throw new Error(`manager sign-in answered ${login.status}`);
    const authorization = `Bearer ${String(login.body['access_token'])}`;
    for (const username of usernames) {
      const res = await call(`${this.issuer}/api/admin/users`, {
        body: { username, password: PASSWORD, roles: ['guest'] },
        headers: { authorization },
      });
      if (res.status !== 201) throw new Error(`creating ${username} answered ${res.status}`);
    }
  }

  /** One query against the cluster's schema (assertions on sessions and audit). */
  async query<R extends pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<R[]> {
    const db = new pg.Client({ connectionString: this.databaseUrl });
    await db.connect();
    try {
      return (await db.query<R>(sql, values)).rows;
    } finally {
      await db.end();
    }
  }

  /** nginx's error log lines about upstreams it could not use (each such request went to the next one). */
  upstreamFailures(): { refused: number; cutOff: number } {
    let text = '';
    try {
      text = readFileSync(join(this.dir, 'nginx', 'error.log'), 'utf8');
    } catch {}
    const count = (re: RegExp) => text.split('\n').filter((l) => re.test(l)).length;
    return {
      refused: count(/connect\(\) failed .* while connecting to upstream/),
      cutOff: count(/(prematurely closed|reset by peer).* upstream/),
    };
  }

  /** The last lines of every instance's log (for failure messages). */
  logs(): string {
    return this.instances.map((c, i) => `--- keycard-${i}\n${c?.tail(8) ?? '(stopped)'}`).join('\n');
  }

  /** Stops everything this cluster started and drops its schema, whatever state it is in. */
  async close(): Promise<void> {
    const steps: Array<() => Promise<unknown>> = [
      () => Promise.all(this.instances.map((_, i) => this.stopInstance(i))),
      async () => this.#nginx !== undefined && stopChild(this.#nginx),
      async () => this.redis?.stop(),
      () => dropSchemas([this.schema]),
    ];
    for (const step of steps) await step().catch((error: unknown) => console.warn('cluster close:', error));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
