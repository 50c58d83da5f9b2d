import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exampleValues, noWorse, pairedDiff, Z95 } from '../core/paired.ts';
import { pairedRule, promotable, type PairedRule } from '../dse/fidelity.ts';

test('pairedDiff: the mean per-example difference and its normal 95% interval, by hand', () => {
  // d = b − a = [1, 0, 2, 1]: mean 1, sample variance ((0² + 1² + 1² + 0²) / 3) = 2/3, se = √(2/3 / 4) = √(1/6)
  const d = pairedDiff([1, 2, 3, 4], [2, 2, 5, 5])!;
  assert.equal(d.n, 4);
  assert.equal(d.mean, 1);
  const h = Z95 * Math.sqrt(1 / 6);
  assert.ok(Math.abs(d.lo - (1 - h)) < 1e-12 && Math.abs(d.hi - (1 + h)) < 1e-12, `[${d.lo}, ${d.hi}] = 1 ∓ ${h}`);
  assert.ok(Math.abs(h - 0.800152) < 1e-6, `half-width ${h}`);
  // only the examples both have: a smaller rung's are a prefix of a larger one's
  assert.deepEqual(pairedDiff([1, 2, 3, 4, 100], [2, 2, 5, 5]), d);
  assert.equal(pairedDiff([1], [2, 3]), undefined, 'one common example: no interval');
});

test('exampleValues: a classifier\'s 1/0 as they are, a language-model window\'s losses as their mean', () => {
  assert.deepEqual(exampleValues([1, 0, 1]), [1, 0, 1]);
  assert.deepEqual(exampleValues([[1, 2, 3], [0.5, 1.5]]), [2, 1]);
});

test('noWorse: a consistent small improvement is certain when compared example by example, although each configuration\'s own spread hides it', () => {
  // windows of very different difficulty (mean losses 1 … 9); b is 0.1 nats better on each, ± 0.02
  const a = [1, 5, 9, 3, 7, 2, 8, 4];
  const b = a.map((x, i) => x - 0.1 + (i % 2 === 0 ? 0.02 : -0.02));
  assert.equal(noWorse(a, b, 'min'), true, 'b no worse than a (lower loss)');
  assert.equal(noWorse(b, a, 'min'), false, 'a is worse than b');
  // the same values as separate means: a's interval is about ± 1.8 nats wide, 18 times the difference
  const sd = Math.sqrt(a.reduce((s, x) => s + (x - 4.875) ** 2, 0) / 7);
  assert.ok(Z95 * sd / Math.sqrt(8) > 1.5, `each configuration's own half-width ${(Z95 * sd) / Math.sqrt(8)}`);
  // one configuration against itself: [0, 0], no worse either way
  assert.equal(noWorse(a, a, 'min'), true);
  assert.equal(noWorse(a, a, 'max'), true);
  // accuracy (to maximise): b right where a is, and on 6 more of 24 examples (d: mean 0.25, sd 0.442, lo 0.073)
  const right = [1, 0, 1, 0, 1, 1, 0, 1];
  const more = [1, 1, 1, 0, 1, 1, 1, 1];
  assert.equal(noWorse([...right, ...right, ...right], [...more, ...more, ...more], 'max'), true);
  // 2 more of 8 is not enough (lo −0.071) …
  assert.equal(noWorse(right, more, 'max'), false);
  // … nor a swap (one better, one worse)
  assert.equal(noWorse(right, [0, 1, 1, 0, 1, 1, 0, 1], 'max'), false);
});

const point = (cfg: string, latency: number, ppl: number, half: number) => ({
  params: { 'hw.qkMultipliers': latency, 'algo.tokenKeep': cfg },
  metrics: { latency_s: latency, perplexity: ppl, perplexity_ci_low: ppl - half, perplexity_ci_high: ppl + half },
  status: 'ok',
});
const objectives = [{ metric: 'latency_s', goal: 'min' as const }, { metric: 'perplexity', goal: 'min' as const }];

test('promotable with the paired rule: a point the CIs cannot separate from the front is dropped once its configuration is certainly no better', () => {
  // P (config x) is faster and nominally better than Q (config y), but their CIs overlap
  const pts = [point('x', 1, 4.5, 0.5), point('y', 2, 4.6, 0.5)];
  assert.deepEqual(promotable(pts, objectives, [true, true]), [0, 1], 'by the CIs Q could be on the front');
  const rule = (certain: boolean): PairedRule => ({ objective: 1, noWorse: (a, b) => a === 1 && b === 0 && certain });
  assert.deepEqual(promotable(pts, objectives, [true, true], rule(true)), [0], 'P no worse than Q, example by example: Q cannot reach the front');
  assert.deepEqual(promotable(pts, objectives, [true, true], rule(false)), [0, 1], 'the rule unsure: as by the CIs');
  // Q's estimate (say, on the subset) better than P's (on the full set): Q is kept, or the front the
  // run reports from the estimates would hold a point never evaluated in full
  const ahead = [point('x', 1, 4.6, 0.5), point('y', 2, 4.5, 0.5)];
  assert.deepEqual(promotable(ahead, objectives, [true, true], rule(true)), [0, 1]);
  // a point that beats P on latency is not dropped, however certainly P is better on quality
  const fast = [point('x', 1, 4.5, 0.5), point('y', 0.5, 4.6, 0.5)];
  assert.deepEqual(promotable(fast, objectives, [true, true], rule(true)), [0, 1]);
});

test('pairedRule: configurations by their algorithm parameters, one comparison per pair, unknown scores say nothing', () => {
  const pts = [point('x', 1, 4.5, 0.5), point('y', 2, 4.6, 0.5), point('x', 3, 4.5, 0.5), point('z', 4, 4.7, 0.5)];
  const windows: Record<string, number[]> = { x: [1, 5, 9, 3], y: [1.2, 5.3, 9.1, 3.2] };
  let asked = 0;
  const values = (p: Record<string, unknown>) => (asked++, windows[String(p['algo.tokenKeep'])]);
  const group = (p: Record<string, unknown>) => String(p['algo.tokenKeep']);
  const r = pairedRule(pts, objectives, values, group)!;
  assert.equal(r.objective, 1, 'perplexity is the quality objective');
  assert.equal(r.noWorse(1, 0), true, 'x is 0.1–0.3 lower than y on every window');
  assert.equal(r.noWorse(0, 1), false);
  assert.equal(r.noWorse(2, 0), true, 'one configuration (x at two hardware points): one measurement');
  assert.equal(r.noWorse(3, 0), false, 'z has no scores: the rule says nothing');
  r.noWorse(1, 2);
  assert.equal(asked, 3, 'each configuration\'s values asked once per rule');
  assert.equal(pairedRule(pts, [{ metric: 'latency_s', goal: 'min' }], values, group), undefined, 'no quality objective: no rule');
});

test('pairedRule: a point at a subset rung is compared on that rung\'s examples, whatever larger state of its configuration is known (a resumed run\'s journal)', () => {
  // y − x = 0.05, −0.05, 0.05, −0.05 on the first 4 windows (mean 0) and 0.2 on the next 4; the
  // known states hold all 8: mean 0.1, sum of squared deviations 0.09, se √(0.09 / 7 / 8) = 0.0401,
  // interval 0.1 ∓ 0.0786 > 0
  const windows: Record<string, number[]> = { x: [1, 5, 9, 3, 2, 4, 6, 8], y: [1.05, 4.95, 9.05, 2.95, 2.2, 4.2, 6.2, 8.2] };
  const values = (p: Record<string, unknown>) => windows[String(p['algo.tokenKeep'])];
  const group = (p: Record<string, unknown>) => String(p['algo.tokenKeep']);
  const at = (tokenKeep: string, fidelity: string) => ({ ...point(tokenKeep, 1, 4.5, 0.5), fidelity });
  const full = pairedRule([at('x', 'analytical+accuracy'), at('y', 'analytical+accuracy')], objectives, values, group)!;
  assert.equal(full.noWorse(1, 0), true, 'on all 8 windows x is lower');
  const subset = pairedRule([at('x', 'analytical+accuracy:subset(n=4)'), at('y', 'analytical+accuracy:subset(n=4)')], objectives, values, group)!;
  assert.equal(subset.noWorse(1, 0), false, 'on the rung\'s 4 windows they cannot be told apart (mean 0)');
  const d8 = pairedDiff(windows.x, windows.y)!;
  const d4 = pairedDiff(windows.x.slice(0, 4), windows.y.slice(0, 4))!;
  assert.ok(d8.lo > 0 && d4.lo < 0 && Math.abs(d4.mean) < 1e-12, `the two intervals: [${d8.lo}, ${d8.hi}], [${d4.lo}, ${d4.hi}]`);
});
