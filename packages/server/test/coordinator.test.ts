import { createMemoryCoordinator, createRedisCoordinator } from '../src/index.js';
import { coordinatorSuite } from './coordinator-suite.js';
import { probeRedis, REDIS_URL, uniquePrefix } from './support/redis.js';

coordinatorSuite('memory', async (clock) => createMemoryCoordinator({ clock }));

const skip = await probeRedis();
if (skip) console.log(`Redis coordinator conformance skipped: ${skip}`);
else
  coordinatorSuite('redis', async (clock) =>
    createRedisCoordinator({ url: REDIS_URL, keyPrefix: uniquePrefix(), clock }),
  );
