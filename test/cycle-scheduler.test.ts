/** Request scheduler (sim/cycle/scheduler.ts): in-order admission, in-flight limit, buffer room, token top-k gate. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineBuffer } from '../sim/cycle/buffers.ts';
import { EV_ADMIT, EV_VARRIVE, EventQueue } from '../sim/cycle/events.ts';
import type { RequestTable } from '../sim/cycle/requests.ts';
import { RequestScheduler, type SchedulerConfig } from '../sim/cycle/scheduler.ts';
import type { HeadRequest } from '../sim/workload/types.ts';

function setup(n: number, cfg: Partial<SchedulerConfig>, keyLines = 10, keyBuf = 100, topk = -1) {
  const reqs = Array.from({ length: n }, () => ({ topk }) as HeadRequest);
  const tb = { keyLines: new Int32Array(n).fill(keyLines), valLines: new Int32Array(n).fill(4), vStream: new Array(n).fill({}) } as unknown as RequestTable;
  const q = new EventQueue();
  const fetched: Array<[number, number]> = [];
  const s = new RequestScheduler(reqs, tb, q, new LineBuffer(keyBuf), new LineBuffer(6), { inFlight: 8, reuseKV: false, gateTokenTopk: false, ...cfg }, {
    fetch: (now, kind, i) => {
      assert.equal(kind, 0);
      fetched.push([now, i]);
    },
  });
  /** Runs admission events up to time `until`; returns the other events seen. */
  const run = (until = Infinity) => {
    const other: Array<[number, number, number]> = [];
    while (q.size > 0) {
      q.pop();
      if (q.outT > until) {
        q.push(q.outT, q.outKind, q.outA);
        break;
      }
      if (q.outKind === EV_ADMIT) s.admit(q.outT);
      else other.push([q.outT, q.outKind, q.outA]);
    }
    return other;
  };
  return { s, q, fetched, run };
}

test('one admission per cycle, in order, up to inFlight; a retirement admits the next', () => {
  const { s, fetched, run } = setup(3, { inFlight: 2 });
  s.schedule(0);
  run();
  assert.deepEqual(fetched, [
    [2, 0],
    [3, 1],
  ]); // key streams reach the fetcher after the allocation (stage 1) and request FIFO (stage 2) registers
  assert.equal(s.inflight, 2);
  s.retire(0, 50);
  run();
  assert.deepEqual(fetched[2], [52, 2]);
  assert.equal(s.nextAdmit, 3);
});

test('a request waits while the key buffer lacks room (counted as a stall)', () => {
  const { s, fetched, run } = setup(2, {}, 10, 15);
  s.schedule(0);
  run();
  assert.deepEqual(fetched, [[2, 0]]);
  assert.equal(s.keyBufferStalls, 1);
  s.retire(0, 30);
  run();
  assert.deepEqual(fetched[1], [32, 1]);
});

test('summarization allocates value lines at admission and sends the value stream too', () => {
  const { s, fetched, run } = setup(2, { reuseKV: true });
  s.schedule(0);
  const other = run();
  assert.deepEqual(fetched, [[2, 0]]); // value buffer of 6 lines holds one request of 4
  assert.deepEqual(other, [[1, EV_VARRIVE, 0]]); // the value side after its allocation register (stage 16)
});

test('gated token top-k: the next request waits until the cycle after the top-k ends', () => {
  const { s, fetched, run } = setup(3, { gateTokenTopk: true }, 10, 100, 5);
  s.schedule(0);
  run();
  assert.deepEqual(fetched, [[2, 0]]);
  s.tokenTopkDone(1, 99, 60); // another request's top-k: no effect
  run();
  assert.equal(fetched.length, 1);
  s.tokenTopkDone(0, 100, 60);
  run();
  assert.deepEqual(fetched[1], [103, 1]); // admitted at 101, fetch two cycles later
});
