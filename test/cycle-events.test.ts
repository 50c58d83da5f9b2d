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

test('a bulk kind (own sorted queue) pops in exactly the order of a single heap, even when pushed out of time order', () => {
  const rng = mulberry32(11);
  const one = new EventQueue();
  const two = new EventQueue([6]);
  let now = 0;
  const seen: Array<[number, number, number]> = [];
  const seenTwo: Array<[number, number, number]> = [];
  for (let step = 0; step < 20000; step++) {
    if (rng() < 0.55 || one.size === 0) {
      // bulk events mostly in time order, sometimes earlier than the last one; ties are common
      const kind = rng() < 0.5 ? 6 : Math.floor(rng() * 6);
      const t = now + Math.floor(rng() * (kind === 6 ? 40 : 10)) + (kind === 6 && rng() < 0.9 ? step / 50 : 0);
      one.push(t, kind, step);
      two.push(t, kind, step);
    } else {
      one.pop();
      two.pop();
      now = one.outT;
      seen.push([one.outT, one.outKind, one.outA]);
      seenTwo.push([two.outT, two.outKind, two.outA]);
    }
  }
  while (one.size > 0) {
    one.pop();
    two.pop();
    seen.push([one.outT, one.outKind, one.outA]);
    seenTwo.push([two.outT, two.outKind, two.outA]);
  }
  assert.equal(two.size, 0);
  assert.ok(seen.length > 9000, 'seen.length > 9000');
  assert.deepEqual(seenTwo, seen);
});

test('a slot kind (at most one pending) pops in exactly the order of a single heap; a second pending one throws', () => {
  const rng = mulberry32(23);
  const one = new EventQueue();
  const three = new EventQueue([6], 0);
  let now = 0;
  let slotPending = false;
  const seen: Array<[number, number, number]> = [];
  const seenThree: Array<[number, number, number]> = [];
  const popBoth = () => {
    one.pop();
    three.pop();
    if (one.outKind === 0) slotPending = false;
    seen.push([one.outT, one.outKind, one.outA]);
    seenThree.push([three.outT, three.outKind, three.outA]);
  };
  for (let step = 0; step < 20000; step++) {
    if (rng() < 0.45 || one.size < 3) {
      // kind 0 only when none is pending (like the scheduler's admission attempt); ties are common
      const kind = !slotPending && rng() < 0.3 ? 0 : 1 + Math.floor(rng() * 6);
      if (kind === 0) slotPending = true;
      const t = now + Math.floor(rng() * (kind === 6 ? 40 : 4));
      one.push(t, kind, step);
      three.push(t, kind, step);
    } else {
      popBoth();
      now = one.outT;
    }
  }
  while (one.size > 0) popBoth();
  assert.equal(three.size, 0);
  assert.ok(seen.filter((e) => e[1] === 0).length > 1000, `${seen.filter((e) => e[1] === 0).length} slot events`);
  assert.deepEqual(seenThree, seen);
  three.push(5, 0, 1);
  assert.throws(() => three.push(6, 0, 2), /a second pending event of kind 0/);
});
