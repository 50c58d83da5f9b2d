/**
 * The Redis outage clock (dse/backends/redis-outage.ts) on a scripted connection and clock: when
 * an outage started, the bounds of when Redis answered again (the last failed reconnection attempt's
 * start, the reconnection), and the text the coordinator and the worker print. The same on a real
 * Redis: test/distributed.test.ts (20 s outage).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import { ATTEMPT_GAP_S, OutageClock, clockTime, outageText } from '../dse/backends/redis-outage.ts';

/** A connection that emits what it is told, and a clock the test sets. */
function scripted(status = 'ready', t0 = 0) {
  const conn = Object.assign(new EventEmitter(), { status });
  const clock = { t: t0 };
  const outage = new OutageClock(conn as unknown as Pick<Redis, 'status' | 'on'>, () => clock.t);
  const at = (t: number, event: string, arg?: unknown) => ((clock.t = t), conn.emit(event, arg));
  return { outage, at, clock };
}

test('clockTime: local hours, minutes, seconds and the tenth of a second, truncated', () => {
  assert.equal(clockTime(new Date(2026, 0, 2, 3, 4, 5, 678).getTime()), '03:04:05.6');
  assert.equal(clockTime(new Date(2026, 11, 31, 23, 59, 59, 999).getTime()), '23:59:59.9');
  assert.equal(clockTime(new Date(2026, 5, 1, 12, 0, 0, 0).getTime()), '12:00:00.0');
});

test('an outage: lost at the first close, the last failed attempt from its start (reconnecting + delay), back at ready; bounds rounded outwards', () => {
  const { outage, at } = scripted();
  const base = new Date(2026, 0, 2, 10, 0, 0, 0).getTime();
  assert.equal(outage.lostAt, 0, 'up at the start');
  at(base + 1000, 'close');
  // ioredis: 'reconnecting' with the delay, the attempt after it, refused ('error'), 'close' again
  at(base + 1000, 'reconnecting', 87);
  at(base + 1090, 'error', Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }));
  at(base + 1090, 'close');
  at(base + 19_400, 'reconnecting', 1100);
  at(base + 20_520, 'error', Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }));
  at(base + 20_520, 'close');
  at(base + 20_520, 'reconnecting', 1150);
  at(base + 21_690, 'ready');
  assert.equal(outage.lostAt, base + 1000, 'the first close');
  assert.equal(outage.why, 'ECONNREFUSED');
  const span = outage.end();
  // the last attempt that failed started at 19_400 + 1_100 = 20_500 (its error came 20 ms later)
  assert.deepEqual(span, { lostAt: base + 1000, failedAt: base + 20_500, backAt: base + 21_690 });
  // 19.5 s exactly, 20.69 s up to 20.7: Redis answered between the two
  assert.equal(outageText(span!), `unreachable 19.5-20.7 s: connection lost at 10:00:01.0, last failed reconnection at 10:00:20.5, reconnected at 10:00:21.6 (attempts are at most ${ATTEMPT_GAP_S} s apart)`);
  assert.equal(ATTEMPT_GAP_S, 1.2, 'RECONNECT_MAX_MS 1000 + 200 ms of jitter');
  assert.equal(outage.lostAt, 0, 'ended');
  assert.equal(outage.end(), undefined, 'no outage to end');
});

test('the error that cuts a live connection is no failed attempt; reconnected at the first attempt: an upper bound only', () => {
  const { outage, at } = scripted();
  at(5000, 'error', Object.assign(new Error('reset'), { code: 'ECONNRESET' }));
  at(5001, 'close');
  at(5001, 'reconnecting', 60);
  at(5070, 'ready');
  const span = outage.end()!;
  assert.deepEqual(span, { lostAt: 5001, failedAt: 0, backAt: 5070 });
  assert.match(outageText(span), /^unreachable up to 0\.1 s: connection lost at \d\d:\d\d:\d\d\.\d, reconnected at \d\d:\d\d:\d\d\.\d \(/);
});

test('lost again before its owner saw it back: one outage from the first loss; a connection never made counts from when its owner looked', () => {
  const { outage, at } = scripted();
  at(1000, 'close');
  at(2000, 'ready');
  at(2500, 'close');
  at(4000, 'ready');
  assert.deepEqual(outage.end(), { lostAt: 1000, failedAt: 0, backAt: 4000 });
  const late = scripted('connecting', 7000);
  late.clock.t = 8000;
  assert.equal(late.outage.downSince(), 7000, 'not ready when built: down since then');
  const never = scripted();
  never.clock.t = 9000;
  assert.equal(never.outage.downSince(), 9000, 'found not ready without a close: from now');
  never.clock.t = 9500;
  assert.equal(never.outage.downSince(), 9000, 'and stays');
});
