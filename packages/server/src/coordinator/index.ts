export { createCoordinator } from './create.js';
export { createMemoryCoordinator } from './memory.js';
export { createPostgresNotify, notifyChannel } from './postgres-notify.js';
export { createRedisCoordinator, type RedisCoordinatorOptions } from './redis.js';
export type {
  Coordinator,
  CoordinatorHealth,
  InvalidationTarget,
  RateLimitResult,
} from './types.js';
