/** Event core of the cycle simulator (sim/cycle/events.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventQueue } from '../sim/cycle/events.ts';
import { mulberry32 } from '../sim/workload/trace.ts';

function drain(q: EventQueue): Array<[number, number, number]> {
  const out: Array<[number, number, number]> = [];
  while (q.size > 0) {
    q.pop();
    out.push([q.outT, q.outKind, q.outA]);
  }
  return out;
}

test('events pop in time order; equal times in push order', () => {
  const q = new EventQueue();
  q.push(5, 1, 10);
  q.push(2, 2, 20);
  q.push(5, 3, 30);
  q.push(2, 4, 40);
  q.push(0.5, 5, -7);
  assert.deepEqual(drain(q), [
    [0.5, 5, -7],
    [2, 2, 20],
    [2, 4, 40],
    [5, 1, 10],
    [5, 3, 30],
  ]);
});

test('10,000 random events (past the initial capacity) come out sorted, ties FIFO, interleaved with pushes', () => {
  const q = new EventQueue();
  const rng = mulberry32(3);
  const pushed: Array<[number, number]> = [];
  for (let i = 0; i < 10000; i++) {
    const t = Math.floor(rng() * 500);
    q.push(t, 0, i);
    pushed.push([t, i]);
  }
  assert.equal(q.size, 10000);
  // pop half, then push events no earlier than the last popped (as a simulation does)
  const got: Array<[number, number]> = [];
  for (let i = 0; i < 5000; i++) {
    q.pop();
    got.push([q.outT, q.outA]);
  }
  const now = got[got.length - 1][0];
  for (let i = 10000; i < 10100; i++) {
    q.push(now + (i % 7), 0, i);
    pushed.push([now + (i % 7), i]);
  }
  for (const [t, , a] of drain(q)) got.push([t, a]);
  const expected = pushed.slice().sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  assert.deepEqual(got, expected);
});
