// Plain HTTP for the cluster suite, with a chosen source address: the whole 127.0.0.0/8 block is
// loopback on Linux, so each simulated client gets its own address (through nginx and trustProxy the
// servers see it as the client; per-address limits count it, not the load balancer).
import { request } from 'node:http';

export interface Answer {
  status: number;
  /** Parsed JSON, or {} when the body is empty or not JSON. */
  body: Record<string, unknown>;
}

export interface CallOptions {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Source address of the connection (default: the kernel's choice, 127.0.0.1). */
  from?: string;
  timeoutMs?: number;
}

/** One request on a fresh connection; rejects on network errors and after `timeoutMs` (default 10 s). */
export function call(url: string, options: CallOptions = {}): Promise<Answer> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: options.method ?? (payload === undefined ? 'GET' : 'POST'),
        agent: false,
        ...(options.from !== undefined ? { localAddress: options.from } : {}),
        headers: {
          ...(payload !== undefined ? { 'content-type': 'application/json' } : {}),
          ...options.headers,
        },
        timeout: options.timeoutMs ?? 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: Record<string, unknown> = {};
          try {
            body = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
          } catch {
            body = { text: text.slice(0, 200) };
          }
          resolve({ status: res.statusCode ?? 0, body });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timed out: ${url}`)));
    req.on('error', reject);
    req.end(payload);
  });
}

let next = Math.floor(Math.random() * 50_000);

/** A loopback address no other client of this run used (127.77.x.y). */
export function freshAddress(): string {
  next = (next + 1) % 65_000;
  const n = next + 256; // never x.y = 0.0
  return `127.77.${n >> 8}.${n & 255 || 1}`;
}

/** Status counts, e.g. `{ 200: 12, 429: 6 }`. */
export function tally(statuses: readonly number[]): Record<number, number> {
  const out: Record<number, number> = {};
  for (const s of statuses) out[s] = (out[s] ?? 0) + 1;
  return out;
}
