// The web app directory is served as files: nothing outside it, and no dotfile inside it (a `.env`,
// a `.git` folder or an editor's swap file left next to a build must never be readable).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveStaticDir } from '../src/http/routes/ui.js';
import { type Running, startServer } from './helpers.js';

/** A GET with the path sent exactly as written (fetch would normalise `..` and `%2e`). */
function get(base: string, path: string): Promise<{ status: number; type: string; body: string }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path, headers: { accept: 'text/html' } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('the static web app', () => {
  let r: Running;
  let web: string;
  beforeAll(async () => {
    // Under a dot folder itself (like ~/.local/share): only dotfiles inside the app are refused.
    web = join(mkdtempSync(join(tmpdir(), '.keycard-web-')), 'dist');
    mkdirSync(web);
    writeFileSync(join(web, 'index.html'), '<!doctype html><title>app</title>');
    writeFileSync(join(web, '.env'), 'SECRET_SAUCE=1');
    mkdirSync(join(web, '.git'));
    writeFileSync(join(web, '.git', 'config'), 'SECRET_SAUCE=2');
    mkdirSync(join(web, 'assets'));
    writeFileSync(join(web, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(web, 'assets', '.app.js.swp'), 'SECRET_SAUCE=3');
    r = await startServer({ ui: { staticDir: web } });
  });
  afterAll(async () => {
    await r?.close();
    rmSync(join(web, '..'), { recursive: true, force: true });
  });

  it('serves the app and its assets', async () => {
    expect((await get(r.url, '/')).body).toContain('<title>app</title>');
    const asset = await get(r.url, '/assets/app.js');
    expect(asset.status).toBe(200);
    expect(asset.body).toBe('console.log(1)');
  });

  it.each([
    '/.env',
    '/%2eenv',
    '/.git/config',
    '/%2Egit/config',
    '/assets/.app.js.swp',
    '/assets/%2eapp.js.swp',
  ])('never answers the dotfile %s', async (path) => {
    const res = await get(r.url, path);
    expect(res.body).not.toContain('SECRET_SAUCE');
  });

  it.each([
    '/../../etc/passwd',
    '/%2e%2e/%2e%2e/etc/passwd',
    '/..%2f..%2fetc/passwd',
    '/assets/..%2f.env',
    '//etc/passwd',
  ])('never leaves the directory: %s', async (path) => {
    const res = await get(r.url, path);
    expect(res.body).not.toContain('root:');
    expect(res.body).not.toContain('SECRET_SAUCE');
  });
});

describe('the web app of an installed server', () => {
  it('is never an @keycard/web found in node_modules (a private workspace is never installed)', () => {
    const root = mkdtempSync(join(tmpdir(), 'keycard-install-'));
    try {
      const modules = join(root, 'node_modules', '@keycard');
      mkdirSync(join(modules, 'server', 'dist', 'http', 'routes'), { recursive: true });
      mkdirSync(join(modules, 'web', 'dist'), { recursive: true });
      writeFileSync(join(modules, 'web', 'package.json'), '{"name":"@keycard/web","version":"9.9.9"}');
      writeFileSync(join(modules, 'web', 'dist', 'index.html'), 'planted');
      const from = pathToFileURL(join(modules, 'server', 'dist', 'http', 'routes', 'ui.js'));
      expect(resolveStaticDir(undefined, from)).toBeUndefined();
      expect(resolveStaticDir('/srv/web', from)).toBe('/srv/web');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('in a clone, the workspace build (its link resolves outside node_modules)', () => {
    expect(resolveStaticDir(undefined)).toMatch(/packages[/\\]web[/\\]dist$/);
  });
});
