// The app's one HTTP helper against a real loopback server: how `X-CSRF-Token` is sent.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRequest, csrfCookie } from '../src/api/http.js';

describe('apiRequest and X-CSRF-Token', () => {
  let server: Server;
  let url: string;
  const seen: IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.headers);
      req.resume();
      req.on('end', () => res.writeHead(204).end());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/anything`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const sent = async (options: Parameters<typeof apiRequest>[1]) => {
    await apiRequest<void>(url, { method: 'POST', body: {}, ...options });
    return seen.at(-1)?.['x-csrf-token'];
  };

  it('sends the token it is given, the one way to send it', async () => {
    expect(await sent({ csrf: 'handed-out-by-the-server' })).toBe('handed-out-by-the-server');
  });

  it('sends none when there is none: no option, undefined, empty, or no cookie to read', async () => {
    expect(await sent({})).toBeUndefined();
    expect(await sent({ csrf: undefined })).toBeUndefined();
    expect(await sent({ csrf: '' })).toBeUndefined();
    // Outside a page there is no document and so no double-submit cookie.
    expect(csrfCookie()).toBeUndefined();
    expect(await sent({ csrf: csrfCookie() })).toBeUndefined();
  });
});
