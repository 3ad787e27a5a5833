import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, ENV_OPTIONS, loadConfig, parseConfig } from '@keycard/server';
import { describe, expect, it } from 'vitest';
import {
  type DockerStage,
  directives,
  dockerEnv,
  filesUnder,
  keycardVariables,
  nginxSyntaxCheck,
  parseDockerfile,
  parseEnvFile,
  parseNginx,
  read,
  readYaml,
} from './support/deploy-files.js';

// The deploy/ files checked offline: no Docker engine runs here, so these tests parse the
// Dockerfile, compose file and nginx config and check what must hold for them to work.
// deploy-k8s.test.ts does the same for the Kubernetes manifests.

const dockerfile = parseDockerfile(read('deploy/Dockerfile'));
const runtime = dockerfile.stages.at(-1) as DockerStage;
const imageEnv = dockerEnv(runtime);
const ops = (stage: DockerStage, op: string) =>
  stage.instructions.filter((i) => i.op === op).map((i) => i.args);

interface PackageJson {
  name: string;
  bin?: Record<string, string>;
  dependencies?: Record<string, string>;
  workspaces?: string[];
}
const rootPackage = JSON.parse(read('package.json')) as PackageJson;
const workspaces = new Map(
  (rootPackage.workspaces ?? []).map((dir) => {
    const pkg = JSON.parse(read(`${dir}/package.json`)) as PackageJson;
    return [pkg.name, { dir, pkg }] as const;
  }),
);

/** The CLI's package and every workspace it depends on, transitively. */
function cliWorkspaces(): string[] {
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name) || !workspaces.has(name)) return;
    seen.add(name);
    for (const dep of Object.keys(workspaces.get(name)?.pkg.dependencies ?? {})) visit(dep);
  };
  visit('@keycard/cli');
  return [...seen].sort();
}

/** Names the server reads (ENV_OPTIONS) plus KEYCARD_CONFIG, which `keycard serve` reads. */
function knownVariables(): Set<string> {
  expect(read('packages/cli/src/util/data-dir.ts')).toContain("io.env['KEYCARD_CONFIG']");
  return new Set([...ENV_OPTIONS.map((o) => o.name), 'KEYCARD_CONFIG']);
}

const aMasterKey = () => randomBytes(32).toString('base64url');

describe('deploy/Dockerfile', () => {
  it('is multi-stage: a build stage with npm ci + npm run build, a runtime stage without compilers', () => {
    expect(dockerfile.stages.length).toBeGreaterThanOrEqual(3);
    const runs = dockerfile.stages.flatMap((s) => ops(s, 'RUN')).join('\n');
    expect(runs).toMatch(/npm ci\b/);
    expect(runs).toMatch(/npm run build\b/);
    expect(runs).toMatch(/npm ci --omit=dev/);
    expect(runs).toMatch(/apt-get install[^\n]*python3[^\n]*make[^\n]*g\+\+/);
    // The runtime stage starts from the plain Node image and installs nothing.
    const base = dockerfile.args.find((a) => a.op === 'ARG' && a.args.startsWith('NODE_IMAGE='));
    expect(base?.args).toMatch(/^NODE_IMAGE=node:20-bookworm-slim$/);
    expect(runtime.from).toBe(`\${NODE_IMAGE}`);
    expect(ops(runtime, 'RUN').join('\n')).not.toMatch(/apt-get|npm (ci|install)|g\+\+/);
    // Every COPY --from names an earlier stage.
    const names = dockerfile.stages.map((s) => s.name);
    for (const copy of ops(runtime, 'COPY').filter((c) => c.startsWith('--from='))) {
      expect(names).toContain(/--from=(\S+)/.exec(copy)?.[1]);
    }
  });

  it('installs for production exactly the workspaces `keycard serve` needs', () => {
    const prod = dockerfile.stages.flatMap((s) => ops(s, 'RUN')).find((r) => r.includes('--omit=dev'));
    const named = [...(prod ?? '').matchAll(/-w (\S+)/g)].map((m) => m[1]).sort();
    expect(named).toEqual(cliWorkspaces());
    // Every workspace's manifest is copied before `npm ci` (the lockfile names them all).
    const toolchain = dockerfile.stages[0] as DockerStage;
    const copied = ops(toolchain, 'COPY').map((c) => c.split(/\s+/)[0]);
    for (const { dir } of workspaces.values()) expect(copied).toContain(`${dir}/package.json`);
  });

  it('runs `keycard serve` from the CLI package bin, on 0.0.0.0, as a non-root user', () => {
    const cli = workspaces.get('@keycard/cli');
    const bin = cli?.pkg.bin?.['keycard']?.replace(/^\.\//, '');
    expect(bin).toBeDefined();
    const link = ops(runtime, 'RUN').find((r) => r.includes('/usr/local/bin/keycard'));
    expect(link).toContain(`/app/${cli?.dir}/${bin}`);
    expect(JSON.parse(ops(runtime, 'ENTRYPOINT')[0] ?? '')).toEqual(['keycard', 'serve']);
    expect(imageEnv['KEYCARD_HOST']).toBe('0.0.0.0');
    const user = ops(runtime, 'USER').at(-1) ?? '';
    expect(user).toMatch(/^\d+(:\d+)?$/); // numeric, so Kubernetes can check runAsNonRoot
    expect(Number(user.split(':')[0])).toBeGreaterThan(0);
    // USER comes after the last RUN: nothing after it runs as root.
    const order = runtime.instructions.map((i) => i.op);
    expect(order.lastIndexOf('USER')).toBeGreaterThan(order.lastIndexOf('RUN'));
  });

  it('exposes the configured port, keeps the data dir in a volume, serves the built web app', () => {
    expect(ops(runtime, 'EXPOSE')).toEqual([imageEnv['KEYCARD_PORT']]);
    expect(ops(runtime, 'VOLUME')).toEqual([`["${imageEnv['KEYCARD_DATA_DIR']}"]`]);
    const uiDir = imageEnv['KEYCARD_UI_DIR'] ?? '';
    expect(ops(runtime, 'COPY').some((c) => `/app/${c.split(/\s+/).at(-1)}` === uiDir)).toBe(true);
  });

  it('has a HEALTHCHECK on /healthz that uses node (the slim image has no curl)', () => {
    const [check] = ops(runtime, 'HEALTHCHECK');
    expect(check).toMatch(/CMD \["node", "-e"/);
    expect(check).toContain('/healthz');
    expect(check).toContain('process.env.KEYCARD_PORT');
    expect(check).not.toMatch(/curl|wget/);
  });

  it('the HEALTHCHECK command passes against a running server and fails when nothing answers', async () => {
    const [, json = ''] = /CMD (\[.*\])$/.exec(ops(runtime, 'HEALTHCHECK')[0] ?? '') ?? [];
    const [node, ...args] = JSON.parse(json) as string[];
    expect(node).toBe('node');
    const exitCode = (port: number) =>
      new Promise<number | null>((resolve) => {
        const child = spawn(process.execPath, args, { env: { KEYCARD_PORT: String(port) }, stdio: 'ignore' });
        child.on('exit', (code) => resolve(code));
      });
    const server = await createServer({ databaseUrl: 'memory', port: 0, logLevel: 'silent' });
    const port = Number(new URL(await server.listen()).port);
    try {
      expect(await exitCode(port)).toBe(0);
    } finally {
      await server.close();
    }
    expect(await exitCode(port)).toBe(1);
  });

  it('bakes in no secret', () => {
    const text = read('deploy/Dockerfile');
    for (const { op, args } of [...dockerfile.args, ...dockerfile.stages.flatMap((s) => s.instructions)]) {
      if (op === 'ENV' || op === 'ARG') expect(args).not.toMatch(/MASTER_KEY|PASSWORD|SECRET|TOKEN/i);
    }
    expect(text).not.toMatch(/[A-Za-z0-9_-]{43}/); // no 32-byte base64url value
    expect(text).not.toMatch(/postgres(ql)?:\/\/[^\s]*@/);
  });

  it('.dockerignore keeps host builds, dependencies and local data out of the context', () => {
    const ignore = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim());
    for (const p of ['**/node_modules', '**/dist', '**/*.tsbuildinfo', '**/.keycard', '**/.env', '.git']) {
      expect(ignore).toContain(p);
    }
    // ...but not what the build copies.
    const sources = dockerfile.stages
      .flatMap((s) => ops(s, 'COPY'))
      .filter((c) => !c.startsWith('--from='))
      .flatMap((c) => c.split(/\s+/).slice(0, -1));
    for (const source of sources) {
      expect(ignore.filter((p) => p === source || source.startsWith(`${p}/`))).toEqual([]);
    }
  });
});

interface ComposeService {
  image?: string;
  build?: unknown;
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  ports?: unknown[];
  volumes?: unknown[];
  healthcheck?: { test: string[] };
}
const compose = readYaml<{ services: Record<string, ComposeService> }>('deploy/compose.yaml');
const servers = Object.entries(compose.services).filter(([name]) => /^keycard-\d+$/.test(name));

/** A compose value with `${VAR...}` interpolations replaced by test values. */
function interpolate(value: string): string {
  return value.replace(/\$\{(\w+)[^}]*\}/g, (_, name: string) =>
    name === 'KEYCARD_MASTER_KEY' ? aMasterKey() : name === 'KEYCARD_ISSUER' ? 'http://localhost:8080' : 'x',
  );
}

describe('deploy/compose.yaml', () => {
  it('runs 3 keycard servers from one image, sharing one database, one Redis and one master key', () => {
    expect(servers.map(([name]) => name)).toEqual(['keycard-1', 'keycard-2', 'keycard-3']);
    expect(new Set(servers.map(([, s]) => s.image)).size).toBe(1);
    expect(servers.filter(([, s]) => s.build !== undefined)).toHaveLength(1);
    for (const variable of [
      'KEYCARD_DATABASE_URL',
      'KEYCARD_REDIS_URL',
      'KEYCARD_MASTER_KEY',
      'KEYCARD_ISSUER',
    ]) {
      const values = new Set(servers.map(([, s]) => s.environment?.[variable]));
      expect(values.size, variable).toBe(1);
      expect([...values][0], variable).toBeTruthy();
    }
    const env = servers[0]?.[1].environment ?? {};
    const db = new URL(interpolate(env['KEYCARD_DATABASE_URL'] ?? ''));
    expect(db.protocol).toBe('postgres:');
    expect(compose.services[db.hostname]?.healthcheck).toBeDefined();
    expect(compose.services[db.hostname]?.volumes?.length).toBeGreaterThan(0);
    const redis = new URL(env['KEYCARD_REDIS_URL'] ?? '');
    expect(redis.protocol).toBe('redis:');
    expect(compose.services[redis.hostname]?.healthcheck).toBeDefined();
    expect(env['KEYCARD_TRUST_PROXY']).toBe('true');
  });

  it('takes the master key and database password from deploy/.env, never a literal', () => {
    const env = servers[0]?.[1].environment ?? {};
    expect(env['KEYCARD_MASTER_KEY']).toMatch(/^\$\{KEYCARD_MASTER_KEY:\?[^}]+\}$/);
    expect(env['KEYCARD_DATABASE_URL']).toMatch(/:\$\{POSTGRES_PASSWORD:\?[^}]+\}@/);
    expect(compose.services['postgres']?.environment?.['POSTGRES_PASSWORD']).toMatch(
      /^\$\{POSTGRES_PASSWORD:\?/,
    );
    // The example's placeholder is refused by the server: nobody runs on a published key.
    const example = parseEnvFile(read('deploy/.env.example'));
    expect(() => parseConfig({ masterKey: example['KEYCARD_MASTER_KEY'] })).toThrow(/masterKey/);
    expect(read('.gitignore').split('\n')).toContain('deploy/.env');
  });

  it("gives each server a configuration the server's own loader accepts", () => {
    for (const [name, service] of servers) {
      const env = Object.fromEntries(
        Object.entries(service.environment ?? {}).map(([k, v]) => [k, interpolate(String(v))]),
      );
      const config = loadConfig({ env: { ...imageEnv, ...env } });
      expect(config.databaseUrl, name).toMatch(/^postgres:\/\/keycard:x@postgres:5432\/keycard$/);
      expect(config.trustProxy, name).toBe(true);
      expect(config.host, name).toBe('0.0.0.0');
    }
  });

  it('starts servers after healthy PostgreSQL and Redis, and nginx after healthy servers; only nginx is published', () => {
    for (const [name, service] of servers) {
      expect(service.depends_on?.['postgres']?.condition, name).toBe('service_healthy');
      expect(service.depends_on?.['redis']?.condition, name).toBe('service_healthy');
      expect(service.ports, name).toBeUndefined();
    }
    const nginx = compose.services['nginx'];
    for (const [name] of servers) expect(nginx?.depends_on?.[name]?.condition).toBe('service_healthy');
    expect(nginx?.ports).toEqual(['8080:8080']);
    expect(nginx?.volumes).toContain('./nginx.conf:/etc/nginx/nginx.conf:ro');
  });
});

describe('deploy/nginx.conf', () => {
  const conf = parseNginx(read('deploy/nginx.conf'));
  const http = directives(conf, 'http')[0]?.block ?? [];
  const upstream = directives(http, 'upstream')[0];
  const server = directives(http, 'server')[0]?.block ?? [];
  const location = (path: string) =>
    directives(server, 'location').find((l) => l.args.at(-1) === path)?.block ?? [];
  const header = (block: typeof http, name: string) =>
    directives(block, 'proxy_set_header').find((d) => d.args[0] === name)?.args[1];

  it('balances over the 3 compose servers on their port, with passive health checks', () => {
    const members = directives(upstream?.block ?? [], 'server');
    expect(members.map((m) => m.args[0])).toEqual(
      servers.map(([name]) => `${name}:${imageEnv['KEYCARD_PORT']}`),
    );
    for (const m of members) expect(m.args.some((a) => a.startsWith('max_fails='))).toBe(true);
    for (const proxied of ['/', '/revocations']) {
      expect(directives(location(proxied), 'proxy_pass')[0]?.args).toEqual([`http://${upstream?.args[0]}`]);
    }
  });

  it('passes the SSE feed unbuffered over HTTP/1.1 with a long read timeout', () => {
    expect('/revocations/stream'.startsWith('/revocations')).toBe(true);
    const feed = location('/revocations');
    expect(directives(feed, 'proxy_buffering')[0]?.args).toEqual(['off']);
    const timeout = directives(feed, 'proxy_read_timeout')[0]?.args[0] ?? '';
    expect(Number.parseInt(timeout, 10)).toBeGreaterThanOrEqual(600); // far above the 15 s pings
    expect(directives(http, 'proxy_http_version')[0]?.args).toEqual(['1.1']);
    expect(header(http, 'Connection')).toBe('');
  });

  const check = nginxSyntaxCheck(read('deploy/nginx.conf'));
  if ('skip' in check) console.warn(`deploy: nginx -t skipped: ${check.skip}`);

  it.skipIf('skip' in check)('passes `nginx -t` (upstream names pointed at 127.0.0.1)', () => {
    if ('skip' in check) return;
    expect(check.output, `nginx ${check.version}`).not.toMatch(/emerg|\[error\]/);
    expect(check.ok, check.output).toBe(true);
  });

  it('sets X-Forwarded-For (appended) and X-Forwarded-Proto, and never hides a 503 or retries POSTs', () => {
    expect(header(http, 'X-Forwarded-For')).toBe('$proxy_add_x_forwarded_for');
    expect(header(http, 'X-Forwarded-Proto')).toBe('$scheme');
    const retry = directives(http, 'proxy_next_upstream')[0]?.args ?? [];
    expect(retry).toContain('error');
    expect(retry).not.toContain('http_503');
    expect(retry).not.toContain('non_idempotent');
  });
});

describe('KEYCARD_* variables in deploy/ and docs/production.md', () => {
  it('are all options the server (or `keycard serve`) reads', () => {
    const known = knownVariables();
    const files = [...filesUnder('deploy'), 'docs/production.md'];
    const unknown = files.flatMap((file) =>
      keycardVariables(read(file))
        .filter((v) => !known.has(v))
        .map((v) => `${file}: ${v}`),
    );
    expect(unknown).toEqual([]);
  });
});
