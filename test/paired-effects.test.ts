/**
 * Each parameter's main effect on a quality objective judged example by example
 * (dse/steps/paired-effects.ts, run.json `pairedEffects`), and the report's sensitivity table
 * marking "within noise" by it when recorded (reports/sensitivity.ts `pairedWithinNoise`).
 * Numbers by hand below.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runSpace } from '../dse/run.ts';
import type { PointRow, RunJson } from '../core/results.ts';
import type { Objective, Params } from '../dse/driver.ts';
import { pairedEffects, twoSidedZ, type PairedRow } from '../dse/steps/paired-effects.ts';
import { Z95 } from '../core/paired.ts';
import { sensitivitySection } from '../reports/sections.ts';
import { NOISE_METHOD, PAIRED_NOISE_METHOD } from '../reports/sensitivity.ts';

const near = (a: number, b: number, tol = 1e-6, what = ''): void => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);
const ppl: Objective[] = [{ metric: 'perplexity', goal: 'min' }, { metric: 'latency_s', goal: 'min' }];

// four windows' mean losses, far apart (windows differ in difficulty), and two per-example shifts:
// dA is consistent (0.4, 0.6, 0.5, 0.5: mean 0.5, sd √(0.02/3) = 0.08165), dB changes sign (1, −1, 1, −0.6: mean 0.1, sd √(3.32/3) = 1.05198)
const BASE = [1, 3, 5, 7];
const dA = [0.4, 0.6, 0.5, 0.5];
const dB = [1, -1, 1, -0.6];
/** A configuration's per-window losses: BASE + a·dA + b·dB (c: hardware, no effect on the scores). */
const scores = (p: Params): number[] => BASE.map((v, e) => v + (p.a as number) * dA[e] + (p.b as number) * dB[e]);
const group = (p: Params): string => `${p.a},${p.b}`;
/** The 2 × 2 × 2 grid of a, b (algorithm) and c (hardware). */
const grid: PairedRow[] = [0, 1].flatMap((a) => [0, 1].flatMap((b) => [0, 1].map((c) => ({ params: { a, b, c }, status: 'ok' }))));

test('the two-sided normal quantile: 1.96 at 5%, 2.394 at 5% over 3 pairs (Bonferroni), 3.368 over 66', () => {
  near(twoSidedZ(0.05), Z95, 1e-6, 'z(0.05)');
  // qnorm(1 − 0.05 / 6) = 2.393980, qnorm(1 − 0.05 / 132) = 3.367847 (Python's statistics.NormalDist().inv_cdf)
  near(twoSidedZ(0.05 / 3), 2.39398, 1e-5, 'z(0.05/3)');
  near(twoSidedZ(0.05 / 66), 3.367847, 1e-5, 'z(0.05/66)');
});

test('a consistent effect is significant although the windows spread far more; one that changes sign is not; a hardware parameter has none', () => {
  const [p] = pairedEffects(grid, ['a', 'b', 'c'], ppl, scores, group)!;
  assert.equal(p.metric, 'perplexity');
  assert.equal(p.unit, 'loss');
  assert.equal(p.examples, 4);
  assert.equal(p.points, 8);
  const by = Object.fromEntries(p.effects.map((e) => [e.param, e]));
  // a: per window, the mean over b and c at a = 1 minus at a = 0 is dA: range 0.5, half 1.96 · 0.08165 / 2 = 0.080015
  assert.deepEqual([by.a.loAt, by.a.hiAt, by.a.groups], ['0', '1', 2]);
  near(by.a.range, 0.5, 1e-12, 'a range');
  near(by.a.half, (Z95 * Math.sqrt(0.02 / 3)) / 2, 1e-6, 'a half');
  assert.ok(by.a.range > by.a.half);
  // b: range 0.1, half 1.96 · 1.05198 / 2 = 1.03093: the interval includes 0
  near(by.b.range, 0.1, 1e-12, 'b range');
  near(by.b.half, (Z95 * Math.sqrt(3.32 / 3)) / 2, 1e-6, 'b half');
  assert.ok(by.b.range < by.b.half);
  // c: both values hold every configuration once: identical per-window means
  near(by.c.range, 0, 1e-12, 'c range');
  near(by.c.half, 0, 1e-12, 'c half');
});

test('three values: the extremes are compared, with the interval widened for their 3 pairs', () => {
  // t = 0, 1, 2 shift every window by 0, dA / 2, dA: lowest at 0, highest at 2, difference dA; half z(0.05/3) · 0.08165 / 2 = 0.097735
  const rows: PairedRow[] = [0, 1, 2].map((t) => ({ params: { t }, status: 'ok' }));
  const [p] = pairedEffects(rows, ['t'], ppl, (q) => BASE.map((v, e) => v + ((q.t as number) / 2) * dA[e]), (q) => String(q.t))!;
  const [e] = p.effects;
  assert.deepEqual([e.loAt, e.hiAt, e.groups], ['0', '2', 3]);
  near(e.range, 0.5, 1e-12, 'range');
  near(e.half, (2.39398 * Math.sqrt(0.02 / 3)) / 2, 1e-5, 'half');
});

test('configurations on more examples (a later rung) are compared on the examples every one ran; failed points are left out', () => {
  // a = 1 ran 6 windows (promoted), a = 0 its first 4; the extra windows' losses (100) must not count
  const rows: PairedRow[] = [...grid.filter((r) => r.params.b === 0), { params: { a: 0, b: 0, c: 2 }, status: 'failed' }];
  const [p] = pairedEffects(rows, ['a'], ppl, (q) => (q.a ? [...scores(q), 100, 100] : scores(q)), group)!;
  assert.equal(p.examples, 4);
  assert.equal(p.points, 4);
  near(p.effects[0].range, 0.5, 1e-12, 'a range');
});

test('no paired effects without a quality objective, or with a configuration whose scores are unknown', () => {
  assert.equal(pairedEffects(grid, ['a'], [{ metric: 'latency_s', goal: 'min' }], scores, group), undefined);
  assert.equal(pairedEffects(grid, ['a'], ppl, (q) => (q.b ? undefined : scores(q)), group), undefined);
});

// --- the report --------------------------------------------------------------------------------

const text = (html: string): string => html.replace(/<[^>]+>/g, ' ').replace(/&#39;/g, "'").replace(/\s+/g, ' ');
/** The perplexity block's rows: parameter → whether the row says "within noise". */
function flags(html: string): Record<string, boolean> {
  const block = html.split('<div class="sens">').find((b) => b.startsWith('<h3>perplexity'))!;
  return Object.fromEntries([...block.matchAll(/<code>([^<]+)<\/code><\/td><td class="bar"><span[^>]*><\/span><b>[\d.]+%<\/b>( <i class="muted">within noise<\/i>)?<\/td>/g)].map((m) => [m[1], !!m[2]]));
}

/** The grid's points: perplexity exp(mean loss) with a CI ±2.5 in loss (the windows' spread: 1.96 · sd(BASE) / √4 = 2.53), latency by c. */
function points(): PointRow[] {
  return grid.map((r, id) => {
    const loss = scores(r.params).reduce((x, y) => x + y, 0) / 4;
    return {
      id,
      params: r.params,
      metrics: { perplexity: Math.exp(loss), perplexity_ci_low: Math.exp(loss - 2.5), perplexity_ci_high: Math.exp(loss + 2.5), latency_s: 1 + (r.params.c as number) },
      feasible: true,
      pareto: false,
      status: 'ok',
      error: '',
      fidelity: 'analytical+accuracy',
    };
  });
}
const run = (paired?: RunJson['pairedEffects']): RunJson =>
  ({ parameters: ['a', 'b', 'c'], objectives: ppl, driver: 'grid', stopReason: 'completed', counts: { total: 8, ok: 8, failed: 0, feasible: 8, pareto: 1 }, ...(paired ? { pairedEffects: paired } : {}) }) as unknown as RunJson;

test('the report: recorded paired effects mark the sign-changing parameter within noise and not the consistent one, whose range is inside the CIs', () => {
  const pts = points();
  // perplexity e^(4 + 0.5a + 0.1b): 54.60, 60.34, 90.02, 99.48 (under a decade: linear). Without the record, the CI rule:
  // a's means 57.47 | 94.75 (range 37.3), b's 72.31 | 79.91 (7.6); a point's half-width e^loss · sinh 2.5, median
  // (60.34 + 90.02) / 2 · 6.050 = 454.9: both ranges are inside it, both flagged
  const old = sensitivitySection(run(), pts);
  assert.deepEqual(flags(old), { a: true, b: true, c: false }, 'the CI rule flags both (c: no effect on perplexity)');
  assert.ok(text(old).includes(NOISE_METHOD));
  assert.ok(!text(old).includes(PAIRED_NOISE_METHOD));

  const recorded = pairedEffects(grid, ['a', 'b', 'c'], ppl, scores, group)!;
  const html = sensitivitySection(run(recorded), pts);
  assert.deepEqual(flags(html), { a: false, b: true, c: false }, 'paired: a significant, b within noise');
  const method = text(html.match(/<p class="muted">Method: .*?<\/p>/)![0]);
  assert.ok(method.includes(PAIRED_NOISE_METHOD), method);
  assert.ok(!method.includes(NOISE_METHOD), 'the CI rule is not stated when it was not used');
  // b: range 0.1 nats (a factor e^0.1 = 1.105), half 1.03093 (a factor e^1.03093 = 2.804)
  assert.match(text(html), /Within measurement noise, compared example by example on the 4 examples every configuration ran: b's per-value means differ by a factor 1\.105 \(0 … 1\), within the paired 95% interval of a factor 2\.804 either way \(2 values\)\./);
  assert.doesNotMatch(text(html), /a's per-value means/);
  // latency has no CIs and no paired record: never flagged, whatever the rule
  const lat = html.split('<div class="sens">').find((b) => b.startsWith('<h3>latency'))!;
  assert.doesNotMatch(lat, /within noise/);
});

test('a run records the paired effects: a perplexity difference is the points\' log ratio, a hardware parameter has none', { timeout: 120_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdse-paired-effects-'));
  try {
    const spaceFile = path.join(dir, 's.yaml');
    fs.writeFileSync(
      spaceFile,
      [
        'name: paired-effects',
        'workload: { model: gpt2-small, stage: generation, seqLen: 992, genTokens: 32 }',
        'algo: { lsbBits: 0 }',
        'accuracy: { model: sotu-char, maxExamples: 8 }',
        'objectives:',
        '  - { metric: perplexity, goal: min }',
        '  - { metric: latency_s, goal: min }',
        'parameters:',
        '  hw.dramChannels: [8, 16]',
        '  algo.msbBits: [4, 8]',
        'search: { driver: grid }',
        '',
      ].join('\n'),
    );
    const r = await runSpace({ spaceFile, outDir: path.join(dir, 'out'), progress: 'none', report: false, jobs: 1, log: () => {} });
    const [paired] = JSON.parse(fs.readFileSync(path.join(dir, 'out', 'run.json'), 'utf8')).pairedEffects;
    assert.deepEqual([paired.metric, paired.examples, paired.points, paired.unit], ['perplexity', 8, 4, 'loss']);
    const by = Object.fromEntries(paired.effects.map((e: { param: string }) => [e.param, e]));
    // each dramChannels value holds both configurations once: the same per-window means
    assert.equal(by['hw.dramChannels'].range, 0);
    // perplexity = exp(mean of the windows' mean losses), so the mean per-window loss difference is ln of the points' perplexity ratio
    const ppl = (bits: number) => r.rows.find((p) => p.params['algo.msbBits'] === bits)!.metrics.perplexity;
    const ratio = Math.log(ppl(4) / ppl(8));
    assert.ok(Math.abs(ratio) > 1e-3, `4 and 8 key bits differ: ${ppl(4)} vs ${ppl(8)}`);
    near(by['algo.msbBits'].range, Math.abs(ratio), 1e-9, 'msbBits range');
    assert.deepEqual([by['algo.msbBits'].loAt, by['algo.msbBits'].hiAt], ratio > 0 ? ['8', '4'] : ['4', '8']);
    assert.ok(by['algo.msbBits'].half > 0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
