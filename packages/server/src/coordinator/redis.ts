import type { Redis, RedisOptions } from 'ioredis';
import { loadIoredis } from '../drivers/load.js';
import { ServerError } from '../errors.js';
import { createFanout, parseEnvelope, type Transport } from './fanout.js';
import { createRedisLimits, type RedisLimits } from './redis-limits.js';
import type { Coordinator } from './types.js';

/** Options of {@link createRedisCoordinator}. */
export interface RedisCoordinatorOptions {
  /** `redis://` or `rediss://` URL (credentials allowed; they are never logged). */
  url: string;
  /** Prefix of every key and of the pub/sub channel (default `keycard:`). */
  keyPrefix?: string;
  /** Rate-limit time from this clock (passed to the script) instead of the Redis server's TIME. */
  clock?: (() => number) | undefined;
  /** While Redis is unreachable, local limits are `ceil(limit / divisor)` (default 3). */
  degradedLimitDivisor?: number;
  /** Bound on each command, in ms (default 1000): past it the call falls back to local limits. */
  commandTimeoutMs?: number;
  /** More transports for revocation wake-ups and invalidations (PostgreSQL NOTIFY). */
  transports?: Transport[];
  /** Told about commands that failed (the call was answered locally) and lost connections. */
  onError?: (error: unknown) => void;
  /** Told when the command connection is ready again after a loss. */
  onReconnect?: () => void;
}

/** `host:port` of a Redis URL: safe to show (no credentials). */
export function redisHost(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || 6379}`;
  } catch {
    return 'an invalid URL';
  }
}

/**
 * A Redis error reduced to its name, message and code. ioredis attaches the failed command to its
 * errors: a refused AUTH carries the password in `command.args`, a failed script or publish its keys
 * (typed usernames) and payload. Every error leaving this module (logs, causes) goes through here.
 */
export function redisError(error: unknown): Error {
  const source = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>;
  const safe = new Error(typeof source['message'] === 'string' ? source['message'] : String(error));
  if (typeof source['name'] === 'string') safe.name = source['name'];
  if (typeof source['code'] === 'string') (safe as Error & { code?: string }).code = source['code'];
  return safe;
}

/** Why a start failed, in a word: the error code (ECONNREFUSED) or Redis's own (WRONGPASS, NOAUTH). */
function startFailure(error: Error & { code?: string }): string {
  return error.code ?? /^[A-Z]{3,}(?= )/.exec(error.message)?.[0] ?? 'no answer';
}

function connectionOptions(timeoutMs: number): RedisOptions {
  return {
    lazyConnect: true,
    // Fail fast while Redis is away: no queue that holds requests until it returns.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: timeoutMs,
    connectTimeout: Math.max(timeoutMs, 2000),
    // Reconnects forever, at most every 2 s.
    retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 2000),
  };
}

/** Redis pub/sub on a dedicated subscriber connection, publishing through the command connection. */
function redisTransport(
  client: Redis,
  subscriber: Redis,
  channel: string,
  limits: Pick<RedisLimits, 'degraded' | 'failed'>,
): Transport {
  const receivers: Array<(payload: string) => void> = [];
  subscriber.on('message', (from: string, payload: string) => {
    if (from === channel) for (const receive of receivers) receive(payload);
  });
  return {
    name: 'redis',
    async send(envelope) {
      // Not answering lately: do not make the publisher wait; the other transports carry it.
      if (limits.degraded()) throw new Error('Redis is unavailable');
      try {
        await client.publish(channel, JSON.stringify(envelope));
      } catch (error) {
        limits.failed(error);
        throw redisError(error);
      }
    },
    onReceive(callback) {
      receivers.push((payload) => {
        const envelope = parseEnvelope(payload);
        if (envelope !== undefined) callback(envelope);
      });
    },
    health: () => {
      const up = client.status === 'ready' && subscriber.status === 'ready';
      return up ? { name: 'redis', up } : { name: 'redis', up, detail: `connection ${client.status}` };
    },
    async close() {},
  };
}

/**
 * A {@link Coordinator} for many instances: sliding-window rate limits (one Lua script per call)
 * and flags in Redis, revocation wake-ups and invalidations over Redis pub/sub (plus any other
 * transports given). Redis unreachable at start: ERR_REDIS_UNAVAILABLE. Later outages: limits
 * fall back to stricter local ones, messages go over the other transports; ioredis reconnects.
 *
 * @example
 * ```ts
 * const coordinator = await createRedisCoordinator({ url: 'redis://127.0.0.1:6379', keyPrefix: 'keycard:' });
 * ```
 */
export async function createRedisCoordinator(opts: RedisCoordinatorOptions): Promise<Coordinator> {
  const prefix = opts.keyPrefix ?? 'keycard:';
  const onError = opts.onError ?? (() => {});
  const options = connectionOptions(opts.commandTimeoutMs ?? 1000);
  const { Redis } = loadIoredis();
  const client = new Redis(opts.url, options);
  // The subscriber waits for its replies (SUBSCRIBE) and resubscribes by itself after a reconnect.
  const subscriber = new Redis(opts.url, { ...options, enableOfflineQueue: true, commandTimeout: undefined });
  // Until started, errors only explain a failed start; afterwards they are reported.
  let started = false;
  let firstError: unknown;
  for (const connection of [client, subscriber]) {
    connection.on('error', (error) => {
      if (started) onError(redisError(error));
      else firstError ??= error;
    });
  }
  try {
    await Promise.all([client.connect(), subscriber.connect()]);
    await subscriber.subscribe(`${prefix}events`);
    started = true;
    client.on('ready', () => opts.onReconnect?.());
  } catch (failure) {
    client.disconnect();
    subscriber.disconnect();
    const cause = redisError(firstError ?? failure);
    throw new ServerError('ERR_REDIS_UNAVAILABLE', {
      message: `Redis at ${redisHost(opts.url)} is unreachable (${startFailure(cause)})`,
      cause,
    });
  }
  const limits = createRedisLimits(client, {
    prefix,
    divisor: opts.degradedLimitDivisor ?? 3,
    clock: opts.clock,
    onFallback: (error) => onError(redisError(error)),
  });
  const redis = redisTransport(client, subscriber, `${prefix}events`, limits);
  const transports = [redis, ...(opts.transports ?? [])];
  const fanout = createFanout(transports, onError);
  return {
    ...fanout,
    rateLimit: limits.rateLimit,
    setFlag: limits.setFlag,
    hasFlag: limits.hasFlag,
    health: () =>
      transports.map((t) => {
        const health = t.health();
        return t === redis && health.up && limits.degraded()
          ? { name: 'redis', up: false, detail: 'commands failing' }
          : health;
      }),
    async close() {
      fanout.close();
      limits.clear();
      for (const transport of transports) await transport.close();
      client.disconnect();
      subscriber.disconnect();
    },
  };
}
