/**
 * A worker's registry poll runs once at a time: a poll held up by Redis (a reconnection, a slow
 * answer) can outlast the 1 s tick, and two polls in flight both found a new run not yet joined
 * and both joined it — two BullMQ workers on one queue in one process, the second never closed.
 * A poll's two reads (the registry, then the alive keys) can straddle a Redis restart without its
 * data: the run then looked like a dead coordinator's and the worker left it, to join it again
 * when the coordinator registered it anew (test/distributed.test.ts's restart case, on a loaded
 * host). Here on a scripted registry whose answers the test controls.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QueueWorker } from '../dse/backends/queue-worker.ts';
import { parseRedisUrl } from '../dse/backends/redis.ts';
import { modelVersion } from '../dse/model-version.ts';

test('two registry polls at once: the second is skipped, so a new run is joined once', async () => {
  const w = new QueueWorker(parseRedisUrl('redis://127.0.0.1:1'), { url: 'redis://127.0.0.1:1', concurrency: 1, log: () => {} }, 'a'.repeat(40));
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const entry = { queue: 'q1', name: 'sweep', dir: '/tmp/x', host: 'box', pid: 42, modelVersion: modelVersion(), t: Date.now() };
  let reads = 0;
  const registry = {
    status: 'ready',
    set: async () => 'OK',
    hgetall: async () => (reads++, await held, { q1: JSON.stringify(entry) }),
    mget: async () => ['1'],
    info: async () => `run_id:${'a'.repeat(40)}\r\n`,
  };
  const joined: string[] = [];
  const wa = w as unknown as { registry: unknown; outage: unknown; join: (q: string) => Promise<void>; discover: () => Promise<void>; workers: Map<string, unknown> };
  wa.registry = registry;
  wa.outage = { end: () => undefined, start: () => {} };
  wa.join = async (q: string) => {
    joined.push(q);
    wa.workers.set(q, {});
  };
  const first = wa.discover();
  const second = wa.discover(); // the 1 s tick while the first waits on Redis
  release();
  await Promise.all([first, second]);
  assert.equal(reads, 1, 'the second poll did not read the registry beside the first');
  assert.deepEqual(joined, ['q1'], 'joined once');
  // once the first is done, the next tick polls again (and finds the run joined)
  await wa.discover();
  assert.equal(reads, 2);
  assert.deepEqual(joined, ['q1']);
});

test('a poll held up by a Redis outage does not keep the worker from saying Redis is unreachable', async () => {
  const lines: string[] = [];
  const w = new QueueWorker(parseRedisUrl('redis://127.0.0.1:1'), { url: 'redis://127.0.0.1:1', concurrency: 1, log: (l) => void lines.push(l) }, 'a'.repeat(40));
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const registry = { status: 'ready', set: async () => 'OK', hgetall: async () => (await held, {}), mget: async () => [], info: async () => '' };
  const wa = w as unknown as { registry: typeof registry; outage: unknown; discover: () => Promise<void> };
  wa.registry = registry;
  // down for 6 s as the connection's own clock says (the worker says so after 5 s)
  wa.outage = { end: () => undefined, downSince: () => Date.now() - 6000, why: 'ECONNREFUSED' };
  const first = wa.discover(); // sent before Redis went: held until it is back
  registry.status = 'reconnecting';
  await wa.discover(); // the next tick, the poll still in flight
  assert.ok(lines.some((l) => /Redis redis:\/\/127\.0\.0\.1:1(\/0)? unreachable \(ECONNREFUSED\); waiting for it/.test(l)), lines.join('\n'));
  release();
  await first;
});

test('Redis restarted without its data between the registry read and the alive keys\' read: the worker serves its run on, not taking it for a dead coordinator\'s', async () => {
  const lines: string[] = [];
  const w = new QueueWorker(parseRedisUrl('redis://127.0.0.1:1'), { url: 'redis://127.0.0.1:1', concurrency: 1, log: (l) => void lines.push(l) }, 'a'.repeat(40));
  const entry = { queue: 'q1', name: 'sweep', dir: '/tmp/x', host: 'box', pid: 42, modelVersion: modelVersion(), t: Date.now() };
  // the entries read before the restart; the alive keys and the registry read again after it: empty
  let reads = 0;
  const registry = {
    status: 'ready',
    set: async () => 'OK',
    hgetall: async () => (reads++ === 0 ? { q1: JSON.stringify(entry) } : {}),
    mget: async () => [null],
    info: async () => `run_id:${'b'.repeat(40)}\r\n`,
  };
  const wa = w as unknown as { registry: unknown; outage: unknown; discover: () => Promise<void>; workers: Map<string, unknown>; entries: Map<string, unknown> };
  wa.registry = registry;
  wa.outage = { end: () => undefined, start: () => {} };
  wa.workers.set('q1', { close: async () => {} }); // serving q1
  wa.entries.set('q1', entry);
  await wa.discover();
  assert.ok(wa.workers.has('q1'), `left its run:\n${lines.join('\n')}`);
  assert.ok(!lines.some((l) => /no heartbeat from its coordinator/.test(l)), lines.join('\n'));
  assert.ok(lines.some((l) => /Redis restarted without its data/.test(l)), lines.join('\n'));
});
