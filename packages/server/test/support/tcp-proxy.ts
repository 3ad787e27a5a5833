import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * What the proxy does with traffic:
 * - `forward`: pipes bytes both ways.
 * - `blackhole`: accepts connections and holds every byte (a network partition: nothing arrives,
 *   nothing fails). Bytes sent meanwhile are dropped.
 * - `reset`: answers every new connection with a TCP RST.
 * - `refused`: the listener is closed, so connecting fails with ECONNREFUSED (a database stopped
 *   cleanly).
 */
export type ProxyMode = 'forward' | 'blackhole' | 'reset' | 'refused';

/** A TCP proxy owned by a test, to fail a real database without touching it. */
export interface TcpProxy {
  readonly port: number;
  readonly mode: ProxyMode;
  /** Connections currently open through the proxy (client side). */
  readonly connections: number;
  /** Chunks the client side sent while blackholed (so a test can wait for a request in flight). */
  readonly held: number;
  /** Sends a TCP RST on every open connection; new ones are reset too until {@link restore}. */
  reset(): void;
  /** Holds all traffic on open and new connections until {@link restore}. */
  blackhole(): void;
  /** Ends every open connection and closes the listener (ECONNREFUSED) until {@link restore}. */
  refuse(): Promise<void>;
  /** Forwards again (re-opening the listener on the same port); held connections are dropped. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream: Socket;
}

/**
 * Starts a proxy on 127.0.0.1 (port 0) in front of `target`.
 *
 * @example
 * ```ts
 * const proxy = await startTcpProxy({ host: '127.0.0.1', port: 5432 });
 * proxy.reset();
 * await proxy.restore();
 * ```
 */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<Pair>();
  let mode: ProxyMode = 'forward';
  let held = 0;
  let server: Server = createServer(accept);
  const port = await listen(server, 0);

  function accept(client: Socket): void {
    if (mode === 'reset') {
      rst(client);
      return;
    }
    const upstream = createConnection(target);
    const pair = { client, upstream };
    pairs.add(pair);
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    // Bytes pass only while forwarding: a blackholed connection silently loses them.
    client.on('data', (chunk) => {
      if (mode === 'forward') upstream.write(chunk);
      else held += 1;
    });
    upstream.on('data', (chunk) => {
      if (mode === 'forward') client.write(chunk);
    });
  }

  const dropAll = (how: (socket: Socket) => void) => {
    for (const pair of [...pairs]) {
      pairs.delete(pair);
      how(pair.client);
      pair.upstream.destroy();
    }
  };

  return {
    port,
    get mode() {
      return mode;
    },
    get connections() {
      return pairs.size;
    },
    get held() {
      return held;
    },
    reset() {
      mode = 'reset';
      dropAll(rst);
    },
    blackhole() {
      mode = 'blackhole';
      held = 0;
    },
    async refuse() {
      mode = 'refused';
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      dropAll((socket) => socket.end());
      await closed;
    },
    async restore() {
      const previous = mode;
      // Half-delivered protocol messages would corrupt a held connection: drop them.
      if (previous === 'blackhole') dropAll((socket) => socket.destroy());
      if (previous === 'refused') {
        server = createServer(accept);
        await listen(server, port);
      }
      mode = 'forward';
    },
    async close() {
      dropAll((socket) => socket.destroy());
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** An abortive close (RST) where Node supports it, else a plain destroy. */
function rst(socket: Socket): void {
  const s = socket as Socket & { resetAndDestroy?: () => void };
  if (typeof s.resetAndDestroy === 'function') s.resetAndDestroy();
  else socket.destroy();
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}
