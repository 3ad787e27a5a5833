import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MailSink } from './sink.js';

/**
 * The demo's read-only mailbox over HTTP, for the web app's "Mailbox" page: `GET /mailbox` lists
 * what the mail sink received, newest first. It shows reset and verification links, so it listens
 * on loopback only, answers CORS to the web app's origins only, and refuses a `Host` that is not
 * its own (a DNS-rebinding page must not read it).
 */

/** A running mailbox endpoint. */
export interface MailboxHttp {
  /** `http://127.0.0.1:PORT/mailbox`: what `ui.mailbox` points at. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Options of {@link startMailboxHttp}. */
export interface MailboxHttpOptions {
  /** Origins that may read it from a page (the web app's). */
  origins: readonly string[];
  /** Port on 127.0.0.1 (default 0: a free one). */
  port?: number;
}

const PATH = '/mailbox';

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    // The links inside are secrets: no cache keeps them.
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  res.end(JSON.stringify(body));
}

const error = (code: string, message: string) => ({ error: { code, message } });

/**
 * @example
 * ```ts
 * const sink = await startMailSink();
 * const mailbox = await startMailboxHttp(sink, { origins: ['http://127.0.0.1:4000'] });
 * // GET mailbox.url → [{ id, to, from, subject, text, html, receivedAt }, …]
 * ```
 */
export async function startMailboxHttp(sink: MailSink, options: MailboxHttpOptions): Promise<MailboxHttp> {
  const origins = new Set(options.origins);
  let hosts = new Set<string>();

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    if (!hosts.has(req.headers.host ?? '')) {
      json(res, 403, error('ERR_MAILBOX_HOST_REFUSED', 'Use the mailbox address the demo printed'));
      return;
    }
    const origin = req.headers.origin;
    const cors: Record<string, string> = { vary: 'origin' };
    if (origin !== undefined && origins.has(origin)) cors['access-control-allow-origin'] = origin;
    const path = (req.url ?? '/').split('?')[0];
    if (path !== PATH) {
      json(res, 404, error('ERR_NOT_FOUND', 'Not found'), cors);
      return;
    }
    if (req.method === 'OPTIONS') {
      const allowed = cors['access-control-allow-origin'] !== undefined;
      res.writeHead(204, allowed ? { ...cors, 'access-control-allow-methods': 'GET' } : cors);
      res.end();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      json(res, 405, error('ERR_METHOD_NOT_ALLOWED', 'The mailbox is read-only'), {
        ...cors,
        allow: 'GET, HEAD, OPTIONS',
      });
      return;
    }
    json(res, 200, [...sink.messages].reverse(), cors);
  };

  const server = createServer((req, res) => {
    // Nothing to read from a request: drain it, so a body never holds the socket.
    req.resume();
    handle(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  hosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  return {
    url: `http://127.0.0.1:${port}${PATH}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
