import type { KeycardConfig } from '../config/index.js';
import type { Clock, Logger } from '../context.js';
import type { Storage } from '../storage/index.js';
import { createFanout, type Transport } from './fanout.js';
import { createMemoryCoordinator } from './memory.js';
import { createPostgresNotify } from './postgres-notify.js';
import { createRedisCoordinator, redisHost } from './redis.js';
import type { Coordinator } from './types.js';

/** Logs a backend's errors at most once per 30 s (a reconnect loop raises one per attempt). */
function quietly(logger: Logger, message: string, detail: object): (error: unknown) => void {
  let last = 0;
  return (err) => {
    const now = Date.now();
    if (now - last < 30_000) return;
    last = now;
    logger.warn({ err, ...detail }, message);
  };
}

/**
 * The coordinator the configuration asks for:
 * - memory only (one instance, the default);
 * - plus PostgreSQL LISTEN/NOTIFY for revocation wake-ups and cache invalidations whenever storage
 *   is PostgreSQL (from `databaseUrl`), with or without Redis;
 * - plus Redis (`redis.url`): cluster-wide rate limits and flags, and pub/sub as a second
 *   transport. Unreachable at start: ERR_REDIS_UNAVAILABLE; later outages degrade to stricter
 *   local limits and recover by themselves.
 * Each message reaches each instance once, whichever transports carried it.
 *
 * @example
 * ```ts
 * const coordinator = await createCoordinator(config, storage, logger, Date.now);
 * ```
 */
export async function createCoordinator(
  config: KeycardConfig,
  storage: Storage,
  logger: Logger,
  clock?: Clock,
): Promise<Coordinator> {
  const transports: Transport[] = [];
  const url = config.databaseUrl;
  if (storage.kind === 'postgres' && url !== undefined && /^postgres(ql)?:\/\//.test(url)) {
    transports.push(
      await createPostgresNotify({
        url,
        timeoutMs: Math.min(config.storage.timeoutMs, 5000),
        onError: quietly(logger, 'PostgreSQL notify connection lost (reconnecting)', {}),
      }),
    );
  }
  if (config.redis.url !== undefined) {
    try {
      return await createRedisCoordinator({
        url: config.redis.url,
        keyPrefix: config.redis.keyPrefix,
        clock,
        degradedLimitDivisor: config.redis.degradedLimitDivisor,
        transports,
        onError: quietly(logger, 'Redis unreachable: rate limits are local and stricter until it is back', {
          redis: redisHost(config.redis.url),
        }),
        onReconnect: () => logger.info({ redis: redisHost(config.redis.url ?? '') }, 'Redis reachable again'),
      });
    } catch (error) {
      for (const transport of transports) await transport.close();
      throw error;
    }
  }
  const memory = createMemoryCoordinator(clock === undefined ? {} : { clock });
  if (transports.length === 0) return memory;
  // Shared storage says "several instances": say once that the limits are not shared.
  logger.warn(
    { redis: null },
    'no Redis configured: rate limits and sign-in throttling count per instance (N instances allow N times each budget); set redis.url',
  );
  const fanout = createFanout(transports, quietly(logger, 'coordinator message not sent', {}));
  return {
    ...memory,
    ...fanout,
    health: () => transports.map((t) => t.health()),
    async close() {
      fanout.close();
      await memory.close();
      for (const transport of transports) await transport.close();
    },
  };
}
