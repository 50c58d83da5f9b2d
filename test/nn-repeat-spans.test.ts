// Training windows with a repeated span (sim/nn/repeat-spans.ts): over many seeded draws on
// windows of distinct tokens, exactly one stretch is overwritten, by a copy of an earlier stretch of
// 24–95 tokens (at most a third of the window: 24–85 on the LM's 257-token windows) that starts in the first half and ends ≥ 16 tokens
// before the copy begins; the same generator state gives the same window.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { repeatSpan, REPEAT_GAP, REPEAT_MAX, REPEAT_MIN } from '../sim/nn/repeat-spans.ts';
import { mulberry32 } from '../sim/nn/rng.ts';

/** The copy found in `w` (a window of 0..n−1 before the change): source a, destination b, length m. */
function findCopy(w: number[]): { a: number; b: number; m: number } | undefined {
  const changed = w.map((x, i) => (x !== i ? i : -1)).filter((i) => i >= 0);
  if (changed.length === 0) return undefined;
  const b = changed[0];
  const m = changed[changed.length - 1] - b + 1;
  return { a: w[b], b, m };
}

test('repeatSpan: one contiguous copy of an earlier span, lengths and gap within bounds', () => {
  const rng = mulberry32(7);
  const lengths = new Set<number>();
  for (const n of [257, 129, 300]) {
    for (let k = 0; k < 2000; k++) {
      const w = Array.from({ length: n }, (_, i) => i);
      repeatSpan(w, rng);
      const c = findCopy(w);
      assert.ok(c, `n ${n}: no copy made`);
      const { a, b, m } = c;
      for (let i = 0; i < m; i++) assert.equal(w[b + i], a + i, `copy of ${a}.. at ${b}, offset ${i}`);
      for (let i = 0; i < n; i++) if (i < b || i >= b + m) assert.equal(w[i], i, `position ${i} outside the copy changed`);
      assert.ok(m >= Math.min(REPEAT_MIN, Math.floor(n / 3)) && m <= Math.min(REPEAT_MAX, Math.floor(n / 3)), `length ${m} (n ${n})`);
      assert.ok(a + m <= Math.floor(n / 2) || a === 0, `source ${a}+${m} not in the first half of ${n}`);
      assert.ok(b >= a + m + REPEAT_GAP, `gap ${b - a - m} < ${REPEAT_GAP}`);
      assert.ok(b + m <= n, 'b + m <= n');
      if (n === 257) lengths.add(m);
    }
  }
  // Every length of the range occurs (uniform draws; 2 000 windows of 257 tokens: 24–85, a third of 257).
  assert.equal(lengths.size, Math.min(REPEAT_MAX, Math.floor(257 / 3)) - REPEAT_MIN + 1);
  assert.equal(Math.max(...lengths), 85);
});

test('repeatSpan: deterministic from the generator; windows too short for a copy are left as they are', () => {
  const a = Array.from({ length: 257 }, (_, i) => i);
  const b = a.slice();
  repeatSpan(a, mulberry32(3));
  repeatSpan(b, mulberry32(3));
  assert.deepEqual(a, b);
  const short = Array.from({ length: 40 }, (_, i) => i);
  repeatSpan(short, mulberry32(3));
  assert.deepEqual(short, Array.from({ length: 40 }, (_, i) => i));
});
