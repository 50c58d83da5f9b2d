/**
 * A worker's runs across a Redis restart without its data (dse/backends/queue-restart.ts), on a
 * scripted run_id and clock: kept while their coordinators register them again, left once the
 * grace (ALIVE_TTL_MS) is over, and a run that ends normally is left at once. The same on a real
 * Redis: test/distributed.test.ts (the Redis-restart tests).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RestartGrace } from '../dse/backends/queue-restart.ts';
import { ALIVE_TTL_MS } from '../dse/backends/redis.ts';

const RUN = '"sweep" (box:42)';

/** A grace over a Redis whose run_id the test sets, counting the INFO reads. */
function scripted() {
  const lines: string[] = [];
  const clock = { t: 1_000_000 };
  const redis = { runId: 'a'.repeat(40), reads: 0, fail: false };
  const client = { info: async () => (redis.reads++, redis.fail ? Promise.reject(new Error('down')) : `# Server\r\nredis_version:7.0.15\r\nrun_id:${redis.runId}\r\n`) };
  const grace = new RestartGrace(redis.runId, (l) => lines.push(l), () => clock.t);
  return { grace, lines, clock, redis, client };
}

test('no restart: a run missing from the registry ended (left, nothing said); run_id is read only after a reconnection or when a served run is missing', async () => {
  const { grace, lines, redis, client } = scripted();
  await grace.poll(client, false);
  assert.equal(redis.reads, 0, 'nothing to look at');
  grace.onReady();
  await grace.poll(client, false);
  assert.equal(redis.reads, 1, 'after a reconnection');
  await grace.poll(client, true);
  assert.equal(redis.reads, 2, 'a served run is missing');
  assert.equal(grace.keep('q1', RUN), false);
  assert.deepEqual(lines, []);
});

test('restart without data: the missing run is served on (said once), then said registered again; missing later, it ended', async () => {
  const { grace, lines, clock, redis, client } = scripted();
  redis.runId = 'b'.repeat(40);
  await grace.poll(client, true);
  assert.equal(grace.keep('q1', RUN), true);
  clock.t += 400;
  assert.equal(grace.keep('q1', RUN), true);
  assert.deepEqual(lines, [`Redis restarted without its data (run_id now bbbbbbbb…): run ${RUN} is no longer registered there; serving its queue on until its coordinator registers it again, up to ${ALIVE_TTL_MS / 1000} s (the jobs finished or running as Redis went are evaluated again: their results went with its data)`]);
  clock.t += 800;
  grace.back('q1');
  assert.equal(lines[1], `run ${RUN} registered again 1.2 s after this worker found Redis restarted; serving it on`);
  grace.back('q1');
  assert.equal(lines.length, 2, 'said once');
  // the run ends normally 2 s later, within the grace: it was registered since the restart, so it is left
  clock.t += 2000;
  assert.equal(grace.keep('q1', RUN), false);
  assert.equal(lines.length, 2);
});

test('restart seen at a reconnection while the run was still registered: its later end is no restart', async () => {
  const { grace, lines, clock, redis, client } = scripted();
  redis.runId = 'c'.repeat(40);
  grace.onReady();
  await grace.poll(client, false);
  grace.back('q1'); // registered (persistence, or its coordinator was first)
  clock.t += 1000;
  assert.equal(grace.keep('q1', RUN), false);
  assert.deepEqual(lines, []);
});

test('restart, and the run is not registered again within ALIVE_TTL_MS: the worker says so and leaves it', async () => {
  const { grace, lines, clock, redis, client } = scripted();
  redis.runId = 'd'.repeat(40);
  await grace.poll(client, true);
  assert.equal(grace.keep('q1', RUN), true);
  clock.t += ALIVE_TTL_MS - 1;
  assert.equal(grace.keep('q1', RUN), true);
  clock.t += 1;
  assert.equal(grace.keep('q1', RUN), false);
  assert.equal(lines[1], `leaving run ${RUN}: not registered again within ${ALIVE_TTL_MS / 1000} s of Redis restarting (its coordinator ended, or cannot reach Redis)`);
  assert.equal(grace.keep('q1', RUN), false);
  assert.equal(lines.length, 2, 'said once');
});

test('run_id unreadable after a reconnection: read again at the next poll', async () => {
  const { grace, redis, client } = scripted();
  grace.onReady();
  redis.fail = true;
  await assert.rejects(grace.poll(client, false));
  redis.fail = false;
  redis.runId = 'e'.repeat(40);
  await grace.poll(client, false);
  assert.equal(redis.reads, 2);
  assert.equal(grace.keep('q1', RUN), true, 'the restart was found');
});
