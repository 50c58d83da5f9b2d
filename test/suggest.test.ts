/**
 * "Did you mean …?" (core/suggest.ts closest): the candidates far longer or shorter than the word
 * are skipped without computing their distance (it is at least the length difference, and a typo
 * is at most 3 edits); the answer is the one the full comparison gives.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closest, editDistance } from '../core/suggest.ts';
import { METRICS } from '../sim/schema.ts';

/** closest without the length shortcut: every candidate's distance. */
function closestFull(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) [best, bestD] = [c, d];
  }
  return best !== undefined && bestD <= Math.min(3, Math.max(1, Math.floor(word.length / 3))) ? best : undefined;
}

test('closest: the same answer as the full comparison, for typos 0 … 4 edits and 3 … 4 characters off in length', () => {
  const names = [...METRICS];
  const words = ['latency', 'latnecy_s', 'energy', 'energyj', 'Area_MM2', 'gops_per_mm', 'gop_per_joule', 'dram', 'dram_byte', 'edp', 'edp_jsxx', 'cycle', 'perplex', 'accuracyxyz', 'speed', 'x', ''];
  for (const w of words) assert.equal(closest(w, names), closestFull(w, names), w);
  assert.equal(closest('latency', names), 'latency_s');
  assert.equal(closest('edp_jsxxx', names), 'edp_js'); // 3 longer: still compared
  assert.equal(closest('edp_jsxxxx', names), undefined); // 4 longer: no typo of it
});

test('closest: a 1,000,000-character word is a typo of no candidate', () => {
  assert.equal(closest('x'.repeat(1_000_000), [...METRICS]), undefined);
  assert.equal(closest(`latency_s${'x'.repeat(1_000_000)}`, [...METRICS]), undefined);
});

test('a choice spelt out in full gets its short form: goal "minimize" / "Maximise" → min / max (≥ 3 characters, words ≤ 12)', async () => {
  const { shortFormOf } = await import('../core/suggest.ts');
  assert.equal(shortFormOf('minimize', ['min', 'max']), 'min');
  assert.equal(shortFormOf('Maximise', ['min', 'max']), 'max');
  assert.equal(shortFormOf('min', ['min', 'max']), undefined); // the choice itself is no longer form
  assert.equal(shortFormOf('mi', ['m', 'mi']), undefined); // too short to be a short form
  assert.equal(shortFormOf('minimization!', ['min', 'max']), undefined); // 13 characters
  assert.equal(closest('minimize', ['min', 'max']), undefined); // 5 edits: no typo, hence the second rule
});
