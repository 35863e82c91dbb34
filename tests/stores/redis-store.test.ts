// The KvStore contract on Redis (scripts/redis.sh start). Skips, saying why, when no server answers.
import { kvStoreContract } from './contract.js';
import { redisSkipReason, testRedisStore } from './store-helpers.js';

// Probed before the tests are declared, so the skip reason shows on each test.
const skip = await redisSkipReason();

kvStoreContract('redis store', async () => ({
  open: async () => { const s = testRedisStore(); await s.open(); return s; },
}), { skip });
