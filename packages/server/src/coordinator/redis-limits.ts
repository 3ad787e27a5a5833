import type { Redis } from 'ioredis';
import { createLocalLimits } from './sliding-log.js';
import type { RateLimitResult } from './types.js';

/**
 * One atomic step per call: a sorted set per key holds the counted hits (score = time in ms),
 * trimmed to the window, then counted, given back or added to. Time is ARGV[4] when the caller
 * injects a clock, else the Redis server's TIME, so every instance counts on one clock. The key
 * expires with its newest hit (plus ARGV[6] ms).
 */
const SLIDING_WINDOW_LUA = `
local key = KEYS[1]
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local now = tonumber(ARGV[4])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
if cost < 0 then
  local n = math.min(-cost, count)
  if n > 0 then redis.call('ZREMRANGEBYRANK', key, -n, -1) end
  return {1, 0}
end
local need = math.max(cost, 1)
if count + need > limit then
  local idx = math.max(0, math.min(count - 1, count + need - limit - 1))
  local blocking = redis.call('ZRANGE', key, idx, idx, 'WITHSCORES')
  local retry = window
  if blocking[2] then retry = tonumber(blocking[2]) + window - now end
  return {0, math.max(1, retry)}
end
for i = 1, cost do redis.call('ZADD', key, now, ARGV[5] .. ':' .. i) end
if cost > 0 then redis.call('PEXPIRE', key, window + tonumber(ARGV[6])) end
return {1, 0}
`;

/** Rate limits and flags in Redis; a local, stricter fallback while Redis cannot be reached. */
export interface RedisLimits {
  rateLimit(key: string, limit: number, windowMs: number, cost?: number): Promise<RateLimitResult>;
  setFlag(key: string, ttlMs: number): Promise<void>;
  hasFlag(key: string): Promise<boolean>;
  /** Whether calls are answered locally now (not connected, or a command failed lately). */
  degraded(): boolean;
  /** Tells of a Redis command that failed elsewhere (a publish): calls stay local for a while. */
  failed(error: unknown): void;
  clear(): void;
}

/** After a failed command (a timeout: Redis reachable but not answering), stay local this long. */
const PAUSE_AFTER_FAILURE_MS = 2000;

type LimitClient = Redis & {
  keycardSlidingWindow(key: string, ...args: Array<string | number>): Promise<[number, number]>;
};

/**
 * While the client is not ready, or for 2 s after a command failed (Redis down, command timeout),
 * each call is answered from local memory with `ceil(limit / divisor)`: instances then count
 * apart, so each allows less. No call ever fails or waits for Redis beyond the command timeout.
 *
 * @example
 * ```ts
 * const limits = createRedisLimits(client, { prefix: 'keycard:', divisor: 3, onFallback: () => {} });
 * ```
 */
export function createRedisLimits(
  redis: Redis,
  opts: {
    prefix: string;
    divisor: number;
    clock?: (() => number) | undefined;
    onFallback: (error: unknown) => void;
  },
): RedisLimits {
  const { prefix, divisor, clock } = opts;
  const local = createLocalLimits(clock ?? Date.now);
  redis.defineCommand('keycardSlidingWindow', { numberOfKeys: 1, lua: SLIDING_WINDOW_LUA });
  const client = redis as LimitClient;
  let calls = 0;
  const member = () => `${process.pid}:${Date.now()}:${++calls}:${Math.random().toString(36).slice(2)}`;

  // Wall time on purpose: how long to leave Redis alone is not domain time.
  let pausedUntil = 0;
  const degraded = () => redis.status !== 'ready' || performance.now() < pausedUntil;
  const failed = (error: unknown) => {
    // A black-holed Redis would cost every call the command timeout: answer locally for a while.
    pausedUntil = performance.now() + PAUSE_AFTER_FAILURE_MS;
    opts.onFallback(error);
  };
  const shared = async <T>(run: () => Promise<T>, fallback: () => T): Promise<T> => {
    if (degraded()) return fallback();
    try {
      return await run();
    } catch (error) {
      failed(error);
      return fallback();
    }
  };

  return {
    rateLimit: (key, limit, windowMs, cost = 1) =>
      shared(
        async () => {
          const [allowed, retryAfterMs] = await client.keycardSlidingWindow(
            `${prefix}rl:${key}`,
            limit,
            windowMs,
            cost,
            clock === undefined ? '' : clock(),
            member(),
            // An injected clock is not Redis's: the key then outlives its window a while.
            clock === undefined ? 0 : 60_000,
          );
          return { allowed: allowed === 1, retryAfterMs };
        },
        () => local.rateLimit(key, Math.max(1, Math.ceil(limit / divisor)), windowMs, cost),
      ),
    setFlag: (key, ttlMs) =>
      shared(
        async () => {
          if (ttlMs <= 0) return void (await redis.del(`${prefix}flag:${key}`));
          // With an injected clock the stored expiry decides (Redis's own expiry only cleans up).
          if (clock === undefined) await redis.set(`${prefix}flag:${key}`, '1', 'PX', ttlMs);
          else await redis.set(`${prefix}flag:${key}`, String(clock() + ttlMs), 'PX', ttlMs + 60_000);
        },
        () => local.setFlag(key, ttlMs),
      ),
    hasFlag: (key) =>
      shared(
        async () => {
          if (clock === undefined) return (await redis.exists(`${prefix}flag:${key}`)) === 1;
          const value = await redis.get(`${prefix}flag:${key}`);
          return value !== null && clock() < Number(value);
        },
        () => local.hasFlag(key),
      ),
    degraded,
    failed,
    clear: () => local.clear(),
  };
}
