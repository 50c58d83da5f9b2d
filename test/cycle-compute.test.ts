/** Compute servers (sim/cycle/compute.ts): in-order streaming stages, hand-computed timelines. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AttentionScorer, StreamServer } from '../sim/cycle/compute.ts';
import { L_BUFR, L_BUFW, L_CONVERT, L_SOFTMAX } from '../sim/cycle/latency.ts';

test('a streaming server starts with its input, cannot end before the input ends, and queues in order', () => {
  const s = new StreamServer();
  // input streams over [10, 50], 20 cycles of work: starts 10, ends 50 (waited 20)
  assert.equal(s.serve(10, 50, 20), 50);
  assert.equal(s.start, 10);
  assert.equal(s.stall, 20);
  // next job's input is there early ([0, 5]) but the server is busy until 50: runs 50 → 80
  assert.equal(s.serve(0, 5, 30), 80);
  assert.equal(s.start, 50);
  assert.equal(s.stall, 20);
  assert.equal(s.busy, 50);
  assert.equal(s.free, 80);
});

test('Q·K then softmax: one pass of a head whose keys streamed over [100, 150]', () => {
  assert.equal(L_CONVERT + L_BUFW + L_BUFR, 12); // 2 + 3 + 7 (pipeline.json)
  assert.equal(L_SOFTMAX, 87);
  const a = new AttentionScorer();
  // Q·K: lines reach the array at 112 … 162; 20 lines of work → ends 162 (stall 30)
  // softmax (qkLat 5): starts 117, ends max(117 + 64, 162 + 5) = 181; decision at 181 + 87 + 4
  const dec = a.pass(100, 150, 20, 64, 5, 4);
  assert.equal(a.qk.start, 112);
  assert.equal(a.qk.free, 162);
  assert.equal(a.qk.stall, 30);
  assert.equal(a.softmax.start, 117);
  assert.equal(a.softmax.free, 181);
  assert.equal(a.softmax.stall, 0);
  assert.equal(dec, 181 + 87 + 4);
  // a second head whose keys were all there: Q·K waits for the array (free at 162)
  const dec2 = a.pass(0, 10, 8, 8, 5, 4);
  assert.equal(a.qk.start, 162);
  assert.equal(a.qk.free, 170);
  assert.equal(a.softmax.start, 181); // busy until 181 > 162 + 5
  assert.equal(a.softmax.free, 189);
  assert.equal(dec2, 189 + 87 + 4);
});
