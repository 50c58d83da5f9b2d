import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jobState, readJobResult } from '../dse/backends/queue-lookup.ts';
import { GoneWorkers } from '../dse/backends/queue-orphans.ts';

test('a job read from Redis: missing is gone, unfinished is open, a failure without a result is failed, anything else finished is done', () => {
  assert.deepEqual(jobState(undefined), { kind: 'gone' });
  assert.deepEqual(jobState(null), { kind: 'gone' });
  assert.deepEqual(jobState({}), { kind: 'open' });
  assert.deepEqual(jobState({ failedReason: 'job stalled more than allowable limit' }), { kind: 'open' });
  assert.deepEqual(jobState({ finishedOn: 5, failedReason: 'job stalled more than allowable limit' }), { kind: 'failed', reason: 'job stalled more than allowable limit' });
  // a result that came back wins over a failure reason left from an earlier attempt
  assert.deepEqual(jobState({ finishedOn: 5, failedReason: 'stalled', returnvalue: '{"ok":true}' }), { kind: 'done', value: '{"ok":true}' });
  // an empty reason is no failure
  assert.deepEqual(jobState({ finishedOn: 5, failedReason: '', returnvalue: null }), { kind: 'done', value: null });
});

test("a worker's return value: JSON text or the object; anything without a boolean ok is refused with its first 200 characters", () => {
  const r = { ok: true, value: 3, ms: 2, w: 'h:1-ab', a: 1 };
  assert.deepEqual(readJobResult(JSON.stringify(r)), { result: r });
  assert.deepEqual(readJobResult(r), { result: r });
  assert.deepEqual(readJobResult('{"ok":"yes"}'), { error: 'unreadable result from the worker: {"ok":"yes"}' });
  assert.deepEqual(readJobResult(null), { error: 'unreadable result from the worker: null' });
  const long = readJobResult('x'.repeat(500));
  assert.ok('error' in long);
  assert.equal(long.error.length, 'unreadable result from the worker: '.length + 200);
});

test('a gone worker is named once, and only when two checks in a row find it holding jobs', () => {
  const g = new GoneWorkers();
  assert.deepEqual(g.notes(new Map([['a', 2]])), []); // first sighting
  const second = g.notes(new Map([['a', 3], ['b', 1]]));
  assert.equal(second.length, 1);
  assert.match(second[0], /^queue: worker a holds 3 jobs but is no longer connected/);
  assert.deepEqual(g.notes(new Map([['a', 3], ['b', 1]])).map((l) => l.slice(0, 30)), ['queue: worker b holds 1 job bu']);
  assert.deepEqual(g.notes(new Map([['a', 3], ['b', 1]])), []); // each once
  // a worker that reconnects between checks starts over
  assert.deepEqual(g.notes(new Map()), []);
  assert.deepEqual(g.notes(new Map([['c', 1]])), []);
});
