// Helpers of the store tests: where the test Redis is (FRESHET_REDIS_URL-free: host 127.0.0.1 and FRESHET_REDIS_PORT
// as scripts/redis.sh uses, or FRESHET_REDIS_HOST/FRESHET_REDIS_PORT), and why Redis tests must skip.
import { RedisKvStore } from '../../src/connectors/stores/redis-kv-store.js';

export const REDIS_HOST = process.env['FRESHET_REDIS_HOST'] ?? '127.0.0.1';
export const REDIS_PORT = Number(process.env['FRESHET_REDIS_PORT'] ?? '16379');

export function testRedisStore(): RedisKvStore {
  return new RedisKvStore({ host: REDIS_HOST, port: REDIS_PORT, connectTimeoutMs: 1500 });
}

/**
 * Why the Redis tests cannot run here, or false when a server answers. With FRESHET_REQUIRE_REDIS=1 a missing server
 * is an error instead, so a broken CI setup cannot pass as skipped.
 */
export async function redisSkipReason(): Promise<string | false> {
  const s = testRedisStore();
  try {
    await s.open();
    return false;
  } catch (e) {
    const reason = `no Redis at ${REDIS_HOST}:${REDIS_PORT} (${(e as Error).message}); start one with: bash scripts/redis.sh start`;
    if (process.env['FRESHET_REQUIRE_REDIS'] === '1') throw new Error(`FRESHET_REQUIRE_REDIS=1 but ${reason}`);
    return reason;
  } finally {
    await s.close();
  }
}
