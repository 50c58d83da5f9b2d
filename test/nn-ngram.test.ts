// The Witten-Bell reference model (sim/nn/ngram.ts) against a hand calculation, and normalisation.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WittenBell, WittenBellDist } from '../sim/nn/ngram.ts';

test('Witten-Bell on the stream 1 2 1 2 (vocabulary 3): the hand-calculated probabilities', () => {
  const m = new WittenBell(1, 3).train([1, 2, 1, 2]);
  // order 0: C = 4 (two 1s, two 2s), T = 2: P0(1) = (2 + 2/3) / 6
  const p0one = (2 + 2 / 3) / 6;
  assert.ok(Math.abs(m.prob([], 1) - p0one) < 1e-12, 'Math.abs(m.prob([], 1) - p0one) < 1e-12');
  assert.ok(Math.abs(m.prob([], 0) - (2 / 3) / 6) < 1e-12, 'unseen token: T · uniform / (C + T)');
  // order 1 after "2": followed once (by 1), T = 1: P1(1 | 2) = (1 + P0(1)) / 2, P1(2 | 2) = P0(2) / 2
  assert.ok(Math.abs(m.prob([2], 1) - (1 + p0one) / 2) < 1e-12, 'Math.abs(m.prob([2], 1) - (1 + p0one) / 2) < 1e-12');
  assert.ok(Math.abs(m.prob([2], 2) - p0one / 2) < 1e-12, 'Math.abs(m.prob([2], 2) - p0one / 2) < 1e-12');
  // k = 0 ignores the history; a context never seen (0) falls back to order 0
  assert.equal(m.prob([2], 1, 0), m.prob([], 1));
  assert.equal(m.prob([0], 1), m.prob([], 1));
});

test('Witten-Bell: the probabilities over the vocabulary sum to 1 for every order and history', () => {
  const rng = (() => { let s = 7; return () => ((s = (s * 16807) % 2147483647) / 2147483647); })();
  const stream = Array.from({ length: 3000 }, () => Math.floor(rng() * rng() * 20));
  const m = new WittenBell(4, 25).train(stream);
  for (const h of [[], [3], [0, 1], [5, 5, 5], [1, 2, 3, 4, 5], [24, 24]]) {
    for (let k = 0; k <= 4; k++) {
      let s = 0;
      for (let c = 0; c < 25; c++) s += m.prob(h, c, k);
      assert.ok(Math.abs(s - 1) < 1e-9, `history ${h} k ${k}: sum ${s}`);
    }
  }
});

test('WittenBellDist: whole next-token distributions equal WittenBell.prob token by token, and sum to 1', () => {
  const rng = (() => { let s = 11; return () => ((s = (s * 16807) % 2147483647) / 2147483647); })();
  const stream = Array.from({ length: 2000 }, () => Math.floor(rng() * rng() * 12));
  const ref = new WittenBell(3, 15).train(stream);
  const dist = new WittenBellDist(3, 15).train(stream);
  const out = new Float32Array(2 * 15);
  for (const to of [0, 1, 2, 3, 7, 50]) {
    dist.dist(stream, 0, to, out, 15);
    let s = 0;
    for (let c = 0; c < 15; c++) {
      s += out[15 + c];
      assert.ok(Math.abs(out[15 + c] - ref.prob(stream.slice(Math.max(0, to - 3), to), c)) < 1e-6, `to ${to} token ${c}`);
    }
    assert.ok(Math.abs(s - 1) < 1e-5, 'Math.abs(s - 1) < 1e-5');
  }
  // only ids[from..to) are history: a window starting at 40 sees nothing before it
  dist.dist(stream, 40, 40, out, 0);
  for (let c = 0; c < 15; c++) assert.ok(Math.abs(out[c] - ref.prob([], c)) < 1e-6, 'Math.abs(out[c] - ref.prob([], c)) < 1e-6');
});
