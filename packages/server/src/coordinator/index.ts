export { createMemoryCoordinator } from './memory.js';
export type { Coordinator, RateLimitResult } from './types.js';
