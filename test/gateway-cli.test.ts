// `keycard gateway` through the CLI's main(), in-process: flags → a running proxy → SIGTERM.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IO } from '../packages/cli/src/framework/io.js';
import { main } from '../packages/cli/src/main.js';
import type { TestIssuer } from '../packages/guard/test/support/test-issuer.js';
import { eventually, startTestIssuer } from '../packages/guard/test/support/test-issuer.js';

let issuer: TestIssuer;
let upstream: ReturnType<typeof createServer>;
let upstreamUrl: string;

beforeAll(async () => {
  issuer = await startTestIssuer();
  upstream = createServer((req, res) =>
    res.end(
      req.url === '/headers' ? JSON.stringify(req.rawHeaders) : `hello ${req.headers['x-keycard-sub']}`,
    ),
  );
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});
afterAll(async () => {
  upstream.closeAllConnections();
  await new Promise((r) => upstream.close(r));
  await issuer.close();
});

function start(argv: string[]) {
  const out = { stdout: '', stderr: '' };
  const io: IO = {
    stdout: { write: (s: string) => (out.stdout += s) },
    stderr: { write: (s: string) => (out.stderr += s) },
    stdin: Readable.from([]) as IO['stdin'],
    env: {},
    cwd: process.cwd(),
    now: Date.now,
  };
  return { out, done: main(argv, io) };
}

describe('keycard gateway (CLI)', () => {
  it('proxies verified requests until SIGTERM', async () => {
    const { out, done } = start([
      'gateway',
      '--upstream',
      upstreamUrl,
      '--issuer',
      issuer.url,
      '--audience',
      'rooms',
      '--port',
      '0',
    ]);
    await eventually(() => out.stdout.includes('listening on') || out.stderr !== '');
    const url = /listening on (\S+)/.exec(out.stdout)?.[1];
    expect(url, out.stderr).toBeDefined();
    const ok = await fetch(`${url}/x`, {
      headers: { authorization: `Bearer ${issuer.sign({ sub: 'ann' })}` },
    });
    expect(await ok.text()).toBe('hello ann');
    expect((await fetch(`${url}/x`)).status).toBe(401);
    // Not behind a trusted proxy by default: client-sent aliases and forwarding fields never pass.
    const echoed = await fetch(`${url}/headers`, {
      headers: {
        authorization: `Bearer ${issuer.sign({ sub: 'ann', sid: undefined })}`,
        X_Keycard_Session: 'victim',
        'X-Forwarded-Host': 'evil.example',
      },
    });
    const raw = (await echoed.json()) as string[];
    const value = (name: string) => raw.filter((_, i) => i % 2 === 1 && raw[i - 1]!.toLowerCase() === name);
    expect(raw.filter((_, i) => i % 2 === 0 && raw[i]!.includes('_'))).toEqual([]);
    expect(value('x-keycard-session')).toEqual(['']);
    expect(value('x-forwarded-host')).toEqual([new URL(url!).host]);
    process.emit('SIGTERM', 'SIGTERM');
    expect(await done).toBe(0);
    expect(out.stdout).toContain('stopped');
  });

  it("--trust-proxy keeps the fronting proxy's X-Forwarded-Host", async () => {
    const { out, done } = start([
      'gateway',
      '--upstream',
      upstreamUrl,
      '--issuer',
      issuer.url,
      '--audience',
      'rooms',
      '--port',
      '0',
      '--trust-proxy',
    ]);
    await eventually(() => out.stdout.includes('listening on') || out.stderr !== '');
    const url = /listening on (\S+)/.exec(out.stdout)?.[1];
    expect(url, out.stderr).toBeDefined();
    const echoed = await fetch(`${url}/headers`, {
      headers: { authorization: `Bearer ${issuer.sign({ sub: 'ann' })}`, 'X-Forwarded-Host': 'app.example' },
    });
    const raw = (await echoed.json()) as string[];
    expect(raw.filter((_, i) => i % 2 === 1 && raw[i - 1]!.toLowerCase() === 'x-forwarded-host')).toEqual([
      'app.example',
    ]);
    process.emit('SIGTERM', 'SIGTERM');
    expect(await done).toBe(0);
  });

  it('answers a usage error (exit 2) naming the missing flag', async () => {
    const { out, done } = start(['gateway', '--upstream', upstreamUrl, '--issuer', issuer.url]);
    expect(await done).toBe(2);
    expect(out.stderr).toContain('--audience');
  });

  it('starts when the issuer cannot be reached, answers 503 and says why', async () => {
    const { out, done } = start([
      'gateway',
      '--forward-auth',
      '--health-path',
      '/healthz',
      '--issuer',
      'http://127.0.0.1:9',
      '--audience',
      'rooms',
      '--port',
      '0',
    ]);
    await eventually(() => out.stdout.includes('listening on'));
    const url = /listening on (\S+)/.exec(out.stdout)?.[1];
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ ok: false, keys: 0 });
    expect((await fetch(`${url}/x`, { headers: { authorization: `Bearer ${issuer.sign()}` } })).status).toBe(
      503,
    );
    await eventually(() => out.stderr.includes('ERR_GUARD_DISCOVERY_FAILED'));
    process.emit('SIGTERM', 'SIGTERM');
    expect(await done).toBe(0);
  });
});
