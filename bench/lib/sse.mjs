// Many raw readers of keycard's revocation SSE stream (`GET /revocations/stream`), each its own HTTP
// connection, as a fleet of guards would hold. Each `data:` line is parsed and handed to `onEvent`
// with the reader's index and the time it arrived (performance.now()).
import http from 'node:http';
import { performance } from 'node:perf_hooks';

/** The feed's latest cursor (asking beyond the end answers a reset that carries it). */
export async function latestCursor(baseUrl) {
  const res = await fetch(`${baseUrl}/revocations?after=${Number.MAX_SAFE_INTEGER}`);
  if (res.status !== 200) throw new Error(`GET /revocations: ${res.status}`);
  const body = await res.json();
  return body.cursor;
}

/**
 * Opens `count` streams from `after` (so no backlog is replayed) in batches, and resolves once every
 * stream has received its `synced` event. Returns { close(), received: () => total events }.
 * Any stream that ends or fails before close() is counted in `failures()`.
 */
export async function openSubscribers(baseUrl, count, { after, onEvent, batch = 100, timeoutMs = 60_000 }) {
  const agent = new http.Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });
  const requests = [];
  let closing = false;
  let failures = 0;
  let firstFailure;
  let received = 0;
  const fail = (why) => {
    if (closing) return;
    failures++;
    firstFailure ??= why;
  };
  const open = (index) =>
    new Promise((resolve, reject) => {
      const req = http.get(
        `${baseUrl}/revocations/stream?after=${after}`,
        { agent, headers: { accept: 'text/event-stream' } },
        (res) => {
          if (res.statusCode !== 200) {
            res.resume();
            reject(new Error(`stream ${index}: HTTP ${res.statusCode}`));
            return;
          }
          res.setEncoding('utf8');
          let buffer = '';
          let synced = false;
          res.on('data', (chunk) => {
            const now = performance.now();
            buffer += chunk;
            let nl = buffer.indexOf('\n');
            while (nl !== -1) {
              const line = buffer.slice(0, nl);
              buffer = buffer.slice(nl + 1);
              nl = buffer.indexOf('\n');
              if (!synced && line === 'event: synced') {
                synced = true;
                resolve();
              } else if (line.startsWith('data: {') && synced) {
                const event = JSON.parse(line.slice(6));
                if (event.type !== undefined) {
                  received++;
                  onEvent?.(index, event, now);
                }
              }
            }
          });
          res.on('end', () => fail(`stream ${index} ended`));
          res.on('error', (e) => fail(`stream ${index}: ${e.message}`));
        },
      );
      req.on('error', (e) => {
        fail(`stream ${index}: ${e.message}`);
        reject(e);
      });
      requests.push(req);
    });
  const openBounded = (index) => {
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`stream ${index}: not synced after ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    return Promise.race([open(index), timeout]).finally(() => clearTimeout(timer));
  };
  try {
    for (let i = 0; i < count; i += batch) {
      const n = Math.min(batch, count - i);
      await Promise.all(Array.from({ length: n }, (_, k) => openBounded(i + k)));
    }
  } catch (error) {
    closing = true;
    for (const req of requests) req.destroy();
    agent.destroy();
    throw error;
  }
  return {
    received: () => received,
    failures: () => failures,
    firstFailure: () => firstFailure,
    async close() {
      closing = true;
      for (const req of requests) req.destroy();
      agent.destroy();
      // Let the server see the sockets close before the next measurement.
      await new Promise((resolve) => setTimeout(resolve, 500));
    },
  };
}
