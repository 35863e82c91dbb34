// The redis SQL connector end to end (sink, restore, lookup join) against the test server (scripts/redis.sh start).
// Skips, saying why, when no server answers.
import { REDIS_HOST, REDIS_PORT, redisSkipReason, testRedisStore } from '../../stores/store-helpers.js';
import { storeScenarios } from '../../stores/kv-connector-scenarios.js';

const skip = await redisSkipReason();

storeScenarios('redis', {
  withClause: (table) => `'connector' = 'redis', 'host' = '${REDIS_HOST}', 'port' = '${REDIS_PORT}', 'table' = '${table}'`,
  openStore: async () => { const s = testRedisStore(); await s.open(); return s; },
}, skip);
