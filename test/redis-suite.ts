/**
 * The Redis of a test file that needs one: SPATTEN_TEST_REDIS (default redis://127.0.0.1:6390) and
 * a namespace of the file's own. Without a reachable Redis the file's tests are skipped with a
 * message saying so — except under CI=true, where a failing test says so instead (no silent skip
 * in CI). What the file leaves in Redis (queues of killed coordinators, their alive and refusal
 * keys) is deleted after its tests: its namespace's keys only, so a shared Redis does not fill up
 * with one suite's queues per run.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkRedis, parseRedisUrl, redisKeys } from '../dse/backends/redis.ts';

export interface RedisSuite {
  REDIS: string;
  /** The file's namespace: its workers serve only its runs. */
  NS: string;
  KEYS: ReturnType<typeof redisKeys>;
  /** Why the file's tests are skipped (no Redis), or false. */
  skip: string | false;
}

/** Checks the Redis (`what`: the tests, as the messages name them) and registers the clean-up; `prefix` starts the namespace. */
export async function redisSuite(what: string, prefix: string): Promise<RedisSuite> {
  const REDIS = process.env.SPATTEN_TEST_REDIS ?? 'redis://127.0.0.1:6390';
  const NS = `${prefix}-${process.pid}-${Date.now().toString(36)}`;
  const KEYS = redisKeys(NS);
  let skip: string | false = false;
  try {
    await checkRedis(parseRedisUrl(REDIS), 'SPATTEN_TEST_REDIS', 2000);
  } catch (e) {
    if (process.env.CI === 'true') test(`a Redis for ${what} (CI=true: required)`, () => assert.fail(`${(e as Error).message}`));
    skip = `no Redis at ${REDIS} (start one: redis-server --port 6390 --bind 127.0.0.1 --save '' --daemonize yes, or set SPATTEN_TEST_REDIS)`;
    process.stderr.write(`\n${what} ${skip}\n\n`);
  }
  after(async () => {
    if (skip) return;
    const { Redis } = await import('ioredis');
    const r = new Redis(parseRedisUrl(REDIS).options);
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${KEYS.prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await r.del(...keys);
    } while (cursor !== '0');
    r.disconnect();
  });
  return { REDIS, NS, KEYS, skip };
}
