// The single-page app's own web server, as its publisher would run it: a small node:http static
// server on 127.0.0.1 (another site than keycard on localhost) serving spa-app/ (index.html,
// app.js), oauth4webapi's ESM build from node_modules as vendor/oauth4webapi.js, and the app's
// config.json; every answer with the page's Content-Security-Policy.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ROOT } from './hotel.js';

export const SPA_DIR = join(ROOT, 'test/browser/support/spa-app');
const OAUTH4WEBAPI = join(ROOT, 'node_modules/oauth4webapi/build/index.js');

export interface SpaServer {
  /** `http://127.0.0.1:PORT`. */
  origin: string;
  /** Sets what /config.json answers and the Content-Security-Policy of every answer. */
  configure(config: Record<string, string>, csp: string): void;
  close(): Promise<void>;
}

/** Starts the server on a free port of 127.0.0.1; configure() it before the browser comes. */
export async function startSpaServer(): Promise<SpaServer> {
  const files: Record<string, { type: string; body: () => string }> = {
    '/': { type: 'text/html', body: () => readFileSync(join(SPA_DIR, 'index.html'), 'utf8') },
    '/app.js': { type: 'text/javascript', body: () => readFileSync(join(SPA_DIR, 'app.js'), 'utf8') },
    '/vendor/oauth4webapi.js': { type: 'text/javascript', body: () => readFileSync(OAUTH4WEBAPI, 'utf8') },
    '/config.json': { type: 'application/json', body: () => JSON.stringify(config) },
  };
  let config: Record<string, string> = {};
  let csp = "default-src 'none'";
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://spa').pathname;
    const file = request.method === 'GET' ? files[path] : undefined;
    response.setHeader('content-security-policy', csp);
    response.setHeader('referrer-policy', 'no-referrer');
    response.setHeader('x-content-type-options', 'nosniff');
    response.setHeader('cache-control', 'no-store');
    if (file === undefined) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    response.writeHead(200, { 'content-type': `${file.type}; charset=utf-8` }).end(file.body());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    configure(next, policy) {
      config = next;
      csp = policy;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
