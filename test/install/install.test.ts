import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publicPackages } from '../../scripts/public-packages.mjs';
import { installTarballs, ROOT } from './support/project.js';
import { sectionBlocks, withoutComment } from './support/readme.js';

/**
 * Issue 11: install like a user. Every public package is packed, the tarballs are installed into
 * a fresh project outside the repository, and the README's own commands run there: "Run your own
 * server", "Tokens from the command line" and "Protect a service" (as ESM, as CommonJS through
 * require(), and type-checked with tsc). A file or a dependency missing from a tarball fails here.
 */
const README = join(ROOT, 'README.md');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

/** The user's environment: none of this repository's npm or keycard settings; npx stays offline. */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(npm_|KEYCARD_|NODE_OPTIONS$|VITEST)/i.test(k)) env[k] = v;
  }
  return { ...env, npm_config_offline: 'true', npm_config_update_notifier: 'false' };
}

function bash(script: string, cwd: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('bash', ['-c', `set -euo pipefail\n${script}`], {
    cwd,
    env: userEnv(),
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts a README `… serve` line on a free port; resolves with the URL it prints. */
async function startServer(line: string, cwd: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn('bash', ['-c', `exec ${withoutComment(line)} --port 0`], {
    cwd,
    env: userEnv(),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`serve exited (${code}) before listening:\n${out}`)));
  });
  return { child, url };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = once(child, 'exit');
  process.kill(-child.pid, 'SIGTERM');
  await exited;
}

/**
 * The README snippet plus requests to the real listening app: without a card (401), and with the
 * card in the CARD environment variable (200 from the route, so the guard fetched the server's keys).
 */
const PROBE = `
;{
  const listener = app.listen(0, '127.0.0.1', async () => {
    const url = 'http://127.0.0.1:' + listener.address().port + '/pool/open';
    const bare = await fetch(url);
    const carded = await fetch(url, { headers: { authorization: 'Bearer ' + process.env.CARD } });
    console.log(JSON.stringify({
      status: bare.status,
      challenge: bare.headers.get('www-authenticate'),
      withCard: carded.status,
      body: await carded.json(),
    }));
    process.exit(0);
  });
}
`;

describe('install from the packed tarballs and follow the README', () => {
  let dir: string;
  let project: string;
  let server: { child: ChildProcess; url: string } | undefined;
  let serveLine: string | undefined;

  beforeAll(() => {
    execFileSync('npx', ['tsc', '-b'], { cwd: ROOT, stdio: 'inherit' });
    // The CLI's prepack ships the built web app; build it when this checkout has not yet.
    if (!existsSync(join(ROOT, 'packages/web/dist/index.html'))) {
      execFileSync('npm', ['run', 'build', '-w', '@keycard/web'], { cwd: ROOT, stdio: 'inherit' });
    }
    dir = mkdtempSync(join(tmpdir(), 'keycard-install-'));
    project = installTarballs(dir);
  }, 240_000);

  afterAll(async () => {
    if (server) await stop(server.child);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('every export of every public package loads with import() and with require()', () => {
    const specifiers = publicPackages(ROOT).flatMap(({ name, pkg }) =>
      Object.keys((pkg['exports'] as Record<string, unknown> | undefined) ?? { '.': '' })
        .filter((subpath) => subpath !== './package.json')
        .map((subpath) => `${name}${subpath.slice(1)}`),
    );
    const check = `const specifiers = ${JSON.stringify(specifiers)};
for (const s of specifiers) require(s);
Promise.all(specifiers.map((s) => import(s))).then(() => console.log('loaded ' + specifiers.length));`;
    writeFileSync(join(project, 'load-all.cjs'), check);
    const r = spawnSync(process.execPath, ['load-all.cjs'], {
      cwd: project,
      env: userEnv(),
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`loaded ${specifiers.length}`);
  });

  it('Run your own server: users add, serve (with the web app), then the curl session', async () => {
    const [setup, session] = sectionBlocks(README, 'Run your own server');
    const lines = (setup?.code ?? '').split('\n').filter((l) => l.trim() !== '');
    serveLine = lines.find((l) => / serve\b/.test(withoutComment(l)));
    expect(serveLine, 'a `serve` line in the first block').toBeDefined();
    for (const line of lines.filter((l) => l !== serveLine)) {
      const r = bash(line, project);
      expect(r.status, `${line}\n${r.stderr}`).toBe(0);
    }
    server = await startServer(serveLine ?? '', project);
    const { url } = server;

    const page = await fetch(`${url}/`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    const asset = /(?:src|href)="(\/assets\/[^"]+)"/.exec(html)?.[1];
    expect(asset, 'index.html names a built asset').toBeDefined();
    expect((await fetch(`${url}${asset}`)).status).toBe(200);
    const discovery = await fetch(`${url}/.well-known/openid-configuration`);
    expect(discovery.status).toBe(200);
    expect(((await discovery.json()) as { issuer: string }).issuer).toBe(url);

    const host = new URL(url).host;
    const script = (session?.code ?? '')
      .replaceAll('http://127.0.0.1:4000', url)
      .replaceAll('127.0.0.1:4000', host);
    const r = bash(script, project);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('"alice"');
  });

  it('Tokens from the command line: keys generate, token sign, decode, verify', () => {
    const [block] = sectionBlocks(README, 'Tokens from the command line');
    const r = bash(block?.code ?? 'false', project);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('alice');
  });

  describe('Protect a service', () => {
    let card = '';
    beforeAll(async () => {
      // A card the snippet's door accepts, made with the CLI from the tarball on the README server's
      // data dir (while that server is stopped): the `amenities` audience and its `pool` scope, a role
      // granting it, a client that may ask for it and a user with the role.
      expect(server && serveLine, 'the "Run your own server" test started the server').toBeTruthy();
      if (server) await stop(server.child);
      const setup = bash(
        [
          'npx @keycard/cli audiences add amenities --scope pool',
          'npx @keycard/cli roles add swimmer --scope pool',
          'npx @keycard/cli clients add pool-app --type public --first-party --grant password --audience amenities --scope pool',
          "echo 'a pool password for bob' | npx @keycard/cli users add bob --role swimmer --password-stdin",
        ].join('\n'),
        project,
      );
      expect(setup.status, setup.stderr).toBe(0);
      server = await startServer(serveLine ?? '', project);
      const login = await fetch(`${server.url}/api/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          username: 'bob',
          password: 'a pool password for bob',
          client_id: 'pool-app',
          audience: 'amenities',
        }),
      });
      const body = (await login.json()) as { access_token?: string };
      expect(login.status, JSON.stringify(body)).toBe(200);
      card = body.access_token ?? '';
    }, 120_000);

    const snippet = () => {
      const [block] = sectionBlocks(README, 'Protect a service');
      expect(block?.lang).toBe('ts');
      return (block?.code ?? '').replaceAll('http://127.0.0.1:4000', server?.url ?? 'http://127.0.0.1:4000');
    };
    const run = (file: string, module: ts.ModuleKind) => {
      const js = ts.transpileModule(snippet(), {
        compilerOptions: { module, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
      }).outputText;
      writeFileSync(join(project, file), `${js}${PROBE}`);
      const r = spawnSync(process.execPath, [file], {
        cwd: project,
        env: { ...userEnv(), CARD: card },
        encoding: 'utf8',
      });
      expect(r.status, r.stderr).toBe(0);
      const result = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as {
        status: number;
        challenge: string;
        withCard: number;
        body: unknown;
      };
      expect(result.status).toBe(401);
      expect(result.challenge).toMatch(/^Bearer /);
      expect(result.withCard, JSON.stringify(result.body)).toBe(200);
      expect(result.body).toEqual({ opened: true, by: expect.any(String) });
    };

    it('runs as an ES module', () => run('service.mjs', ts.ModuleKind.ESNext));

    it('runs as CommonJS, loading the packages with require()', () => {
      const js = ts.transpileModule(snippet(), {
        compilerOptions: { module: ts.ModuleKind.CommonJS },
      }).outputText;
      expect(js).toContain('require("@keycard/guard")');
      run('service.cjs', ts.ModuleKind.CommonJS);
    });

    it('type-checks with tsc as ESM and as CommonJS', () => {
      writeFileSync(join(project, 'service.mts'), snippet());
      writeFileSync(join(project, 'service-cjs.cts'), snippet());
      const tsconfig = {
        compilerOptions: {
          module: 'nodenext',
          target: 'es2022',
          strict: true,
          noEmit: true,
          esModuleInterop: true,
          skipLibCheck: false,
          types: ['node'],
        },
        files: ['service.mts', 'service-cjs.cts'],
      };
      writeFileSync(join(project, 'tsconfig.json'), JSON.stringify(tsconfig));
      const r = spawnSync(process.execPath, [TSC, '-p', 'tsconfig.json'], { cwd: project, encoding: 'utf8' });
      expect(r.status, r.stdout + r.stderr).toBe(0);
    });
  });
});
