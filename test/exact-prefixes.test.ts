import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExactPrefixes, scoreCount } from '../dse/exact-prefixes.ts';
import type { AccuracyPrefix } from '../sim/nn/api.ts';

const state = (key: string, examples: number, perExample: number): AccuracyPrefix => ({
  key,
  examples,
  scores: Array.from({ length: examples }, () => Array.from({ length: perExample }, () => 0.5)),
  counters: {},
} as unknown as AccuracyPrefix);

test('run states by configuration and example count: a 16-window state stays after the 32-window one of the same configuration; the least recently used go past the budget', () => {
  const s16 = state('c', 16, 32);
  const s32 = state('c', 32, 32);
  assert.equal(scoreCount(s32), 32 * 32);
  // budget: 16·32 + 32·32 + 16·32 = 2,048 numbers: the three fit, a fourth state pushes the oldest out
  const x = new ExactPrefixes(2048);
  x.keep('c', s16);
  x.keep('c', s32);
  assert.equal(x.get('c', 16), s16, 'the smaller rung is not replaced by the larger one');
  assert.equal(x.get('c', 32), s32);
  assert.equal(x.get('c', 64), undefined);
  const d16 = state('d', 16, 32);
  x.keep('d', d16);
  assert.equal(x.size, 3);
  x.get('c', 16); // used: c/32 is now the least recently used
  x.keep('e', state('e', 16, 32)); // 2,560 numbers > 2,048: c/32 (1,024) goes
  assert.equal(x.get('c', 32), undefined);
  assert.equal(x.get('c', 16), s16);
  assert.equal(x.get('d', 16), d16);
  assert.equal(x.size, 3);
  // a classifier's state: one number per example
  assert.equal(scoreCount({ key: 'b', examples: 3, scores: [1, 0, 1], counters: {} } as unknown as AccuracyPrefix), 3);
});
