import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Objective } from '../dse/driver.ts';
import { objectiveIntervals, promotable } from '../dse/fidelity.ts';

const OBJ: Objective[] = [
  { metric: 'latency_s', goal: 'min' },
  { metric: 'accuracy', goal: 'max' },
];
const pt = (latency: number, acc: number, ci?: [number, number]) => ({
  status: 'ok',
  metrics: { latency_s: latency, accuracy: acc, ...(ci ? { accuracy_ci_low: ci[0], accuracy_ci_high: ci[1] } : {}) },
});

test('zero-width intervals: promoted = the Pareto front', () => {
  const pts = [pt(1, 0.8), pt(2, 0.9), pt(3, 0.85), pt(1.5, 0.7), pt(4, 0.95)];
  assert.deepEqual(promotable(pts, OBJ, pts.map(() => true)), [0, 1, 4]);
});

test('confidence intervals keep every point that could still reach the front', () => {
  const pts = [
    pt(1, 0.8, [0.78, 0.82]),
    pt(2, 0.9, [0.88, 0.92]),
    pt(3, 0.86, [0.8, 0.93]), // dominated at its estimate, but its CI reaches above 0.9's pessimistic 0.88
    pt(3, 0.7, [0.68, 0.72]), // hopeless
    pt(1.5, 0.79, [0.74, 0.84]), // could beat point 0's pessimistic accuracy (0.78)
  ];
  assert.deepEqual(promotable(pts, OBJ, pts.map(() => true)), [0, 1, 2, 4]);
  const iv = objectiveIntervals(pts[2].metrics, OBJ);
  assert.deepEqual(iv[1], { lo: -0.93, hi: -0.8 });
});

test('infeasible and failed points are never promoted', () => {
  const pts = [pt(1, 0.8), { status: 'failed', metrics: { latency_s: NaN, accuracy: NaN } }, pt(0.5, 0.99)];
  assert.deepEqual(promotable(pts, OBJ, [true, true, false]), [0]);
});

import { accuracyModelKind, accuracyRungs, refineAccuracy } from '../dse/fidelity.ts';
import type { EvalContext, EvaluatedPoint } from '../dse/evaluate.ts';
import { createRng } from '../sim/rng.ts';

test('accuracy rungs: subset ×4 … full; single fidelity when the subset is not smaller', () => {
  // default subset ⌈1000/8⌉ = 125 → 96, whole batches of 32 emails (so each rung continues the previous)
  assert.deepEqual(accuracyRungs({ model: 'spam-bert', maxExamples: 1000 }), [96, 384, 1000]);
  assert.deepEqual(accuracyRungs({ model: 'spam-bert', maxExamples: 300 }), [32, 128, 300]); // 38 → 32
  assert.deepEqual(accuracyRungs({ model: 'spam-bert', maxExamples: 40 }), [32, 40]); // 16 → one batch
  assert.deepEqual(accuracyRungs({ model: 'spam-bert' }), [128, 512, undefined]); // 1,209 test emails
  assert.deepEqual(accuracyRungs({ model: 'sotu-gpt' }), [16, undefined]);
  assert.deepEqual(accuracyRungs({ model: 'sotu-gpt', maxExamples: 200 }), [16, 64, 200]); // ⌈200/8⌉ = 25 → 16 windows
  assert.deepEqual(accuracyRungs({ model: 'spam-bert', maxExamples: 800, subsetExamples: 100 }), [100, 400, 800]);
  assert.equal(accuracyRungs({ model: 'spam-bert', maxExamples: 16 }), undefined);
  assert.equal(accuracyRungs(undefined), undefined);
  // a grid sweep evaluates every point fully unless asked
  assert.equal(accuracyRungs({ model: 'spam-bert', maxExamples: 1000 }, 'grid'), undefined);
  assert.deepEqual(accuracyRungs({ model: 'spam-bert', maxExamples: 1000, subsetExamples: 250 }, 'grid'), [250, 1000]);
  assert.deepEqual(accuracyRungs({ model: 'spam-bert', maxExamples: 1000 }, 'nsga2'), [96, 384, 1000]);
});

test('accuracy rungs know a language model by its config, not its name', () => {
  // sotu-char is an LM (64 windows by default): one 16-window rung, then the full run
  assert.equal(accuracyModelKind('sotu-char'), 'gpt');
  assert.deepEqual(accuracyRungs({ model: 'sotu-char' }), [16, undefined]);
  assert.equal(accuracyModelKind('spam-bert'), 'bert');
  const dir = mkdtempSync(join(tmpdir(), 'rungs-'));
  try {
    const lm = join(dir, 'my-lm');
    const clf = join(dir, 'gpt-named-classifier');
    for (const [d, type] of [[lm, 'gpt2'], [clf, 'bert']]) {
      mkdirSync(d);
      writeFileSync(join(d, 'config.json'), JSON.stringify({ model_type: type }));
    }
    assert.deepEqual(accuracyRungs({ model: lm }), [16, undefined]);
    assert.deepEqual(accuracyRungs({ model: clf, maxExamples: 300 }), [32, 128, 300]);
    // no config to read: the name decides
    assert.equal(accuracyModelKind(join(dir, 'missing-gpt')), 'gpt');
    assert.equal(accuracyModelKind(join(dir, 'missing')), 'bert');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('successive halving: only contenders get the full evaluation, and the final front is the full-fidelity front', async () => {
  // 60 points: latency known exactly; true accuracy hidden; a rung with n examples reports the
  // truth plus noise with a CI of half-width 0.4/√n (≈ a binomial 95% CI; the truth always inside).
  const rng = createRng(4);
  const truth = Array.from({ length: 60 }, (_, i) => ({ latency: 1 + rng() * 9, acc: 0.3 + 0.65 * rng(), i }));
  const measure = (i: number, n: number): EvaluatedPoint => {
    const w = 0.4 / Math.sqrt(n);
    const est = truth[i].acc + (rng() - 0.5) * w;
    return {
      id: i,
      params: { i },
      metrics: { latency_s: truth[i].latency, accuracy: est, accuracy_ci_low: est - w, accuracy_ci_high: est + w },
      status: 'ok',
      violation: 0,
      feasible: true,
      error: '',
      fidelity: 'analytical+accuracy',
    };
  };
  const objectives = [
    { metric: 'latency_s', goal: 'min' as const },
    { metric: 'accuracy', goal: 'max' as const },
  ];
  const rungs = [16, 64, 256];
  const rows = truth.map((t) => measure(t.i, 16));
  const ctx = { accuracy: { model: 'x', maxExamples: 256 } } as unknown as EvalContext;
  const evaluated: number[][] = [];
  const counts = await refineAccuracy(rows, objectives, ctx, rungs, async (pts, rctx) => {
    evaluated.push(pts.map((p) => p.id));
    return pts.map((p) => measure(p.id, rctx.accuracy!.maxExamples!));
  });
  assert.equal(counts[0], 60);
  assert.ok(counts[1] < 40 && counts[2] < 30, `evaluations per rung ${counts}`);
  // the exact front of the full-fidelity numbers the run ended with
  const front = promotable(rows, objectives, rows.map(() => true)).filter((i) => {
    const r = rows[i].metrics;
    return !rows.some((q) => q.metrics.latency_s <= r.latency_s && q.metrics.accuracy >= r.accuracy && (q.metrics.latency_s < r.latency_s || q.metrics.accuracy > r.accuracy));
  });
  assert.ok(front.length > 0, 'front.length > 0');
  for (const i of front) assert.equal(rows[i].fidelity, 'analytical+accuracy', `front point ${i} is ${rows[i].fidelity}`);
  // the true front (by hidden accuracy) is covered: every truly non-dominated point got the full evaluation
  const trueFront = truth.filter((a) => !truth.some((b) => b.latency <= a.latency && b.acc >= a.acc && (b.latency < a.latency || b.acc > a.acc)));
  for (const t of trueFront) assert.equal(rows[t.i].fidelity, 'analytical+accuracy', `true front point ${t.i}`);
  assert.ok(rows.some((r) => r.fidelity === 'analytical+accuracy:subset(n=16)'), 'rows.some((r) => r.fidelity === \'analytical+accuracy:subset(n=16)\')');
});

// A is the front at rung 0; B cannot reach it (optimistic 0.88 < A's pessimistic 0.89), but it is
// the front of the rest (B dominates C): the next likeliest; C comes after B.
const LANE_OBJECTIVES = [
  { metric: 'latency_s', goal: 'min' as const },
  { metric: 'accuracy', goal: 'max' as const },
];
const ABC = [
  { lat: 1, acc: 0.9, w: 0.01 },
  { lat: 2, acc: 0.86, w: 0.02 },
  { lat: 3, acc: 0.5, w: 0.02 },
];
const abcPoint = (i: number, shrink: number): EvaluatedPoint => {
  const { lat, acc, w } = ABC[i];
  return { id: i, params: { i }, metrics: { latency_s: lat, accuracy: acc, accuracy_ci_low: acc - w / shrink, accuracy_ci_high: acc + w / shrink }, status: 'ok', violation: 0, feasible: true, error: '', fidelity: 'analytical+accuracy' };
};
const LANE_CTX = { accuracy: { model: 'x', maxExamples: 64 } } as unknown as EvalContext;

/** refineAccuracy over A, B and C, rung 1 halving their CIs, with `lanes` (none: one lane): each round's point ids, and the rows. */
async function runAbc(lanes?: number | (() => number)): Promise<{ rounds: number[][]; rows: EvaluatedPoint[] }> {
  const rows = ABC.map((_, i) => abcPoint(i, 1));
  const rounds: number[][] = [];
  await refineAccuracy(rows, LANE_OBJECTIVES, LANE_CTX, [16, 64], async (pts) => {
    rounds.push(pts.map((p) => p.id).sort());
    return pts.map((p) => abcPoint(p.id, 2));
  }, () => false, lanes ? { lanes, group: (p) => String(p.i), constraints: [] } : undefined);
  return { rounds, rows };
}

test('successive halving with lanes: a round fills idle lanes with the next likeliest configurations, same guarantee', async () => {
  const one = await runAbc();
  assert.deepEqual(one.rounds, [[0]]);
  const two = await runAbc(2);
  assert.deepEqual(two.rounds, [[0, 1]]);
  const many = await runAbc(8);
  assert.deepEqual(many.rounds, [[0, 1, 2]], 'then the front of what remains');
  for (const { rows } of [one, two, many]) assert.equal(rows[0].fidelity, 'analytical+accuracy');
  // the extra evaluations only fill lanes: B and C keep their rung-0 estimates as with one lane
  // (points.csv does not depend on --jobs)
  for (const { rows } of [two, many]) assert.deepEqual(rows, one.rows);
  assert.equal(one.rows[1].fidelity, 'analytical+accuracy:subset(n=16)');
  assert.equal(one.rows[1].metrics.accuracy_ci_low, 0.86 - 0.02);
});

test('successive halving with lanes: an extra evaluation enters the rows when a later round promotes it', async () => {
  const objectives = [
    { metric: 'latency_s', goal: 'min' as const },
    { metric: 'accuracy', goal: 'max' as const },
  ];
  // At rung 0 only A can reach the front (B's optimistic 0.88 < A's pessimistic 0.89); at rung 1
  // A's estimate falls to 0.8 (pessimistic 0.795), so B becomes a contender in the next round.
  const rung0 = [{ lat: 1, acc: 0.9, w: 0.01 }, { lat: 2, acc: 0.86, w: 0.02 }];
  const rung1 = [{ lat: 1, acc: 0.8, w: 0.005 }, { lat: 2, acc: 0.87, w: 0.01 }];
  const point = (i: number, t: typeof rung0): EvaluatedPoint => {
    const { lat, acc, w } = t[i];
    return { id: i, params: { i }, metrics: { latency_s: lat, accuracy: acc, accuracy_ci_low: acc - w, accuracy_ci_high: acc + w }, status: 'ok', violation: 0, feasible: true, error: '', fidelity: 'analytical+accuracy' };
  };
  const ctx = { accuracy: { model: 'x', maxExamples: 64 } } as unknown as EvalContext;
  const run = async (lanes?: number) => {
    const rows = rung0.map((_, i) => point(i, rung0));
    const rounds: number[][] = [];
    const counts = await refineAccuracy(rows, objectives, ctx, [16, 64], async (pts) => {
      rounds.push(pts.map((p) => p.id).sort());
      return pts.map((p) => point(p.id, rung1));
    }, () => false, lanes ? { lanes, group: (p) => String(p.i), constraints: [] } : undefined);
    return { rounds, rows, counts };
  };
  const one = await run();
  const two = await run(2);
  assert.deepEqual(one.rounds, [[0], [1]]);
  assert.deepEqual(two.rounds, [[0, 1]], 'B ran beside A, and its result was used when B was promoted');
  assert.deepEqual(two.rows, one.rows);
  assert.deepEqual(two.counts, one.counts);
  assert.equal(two.rows[1].metrics.accuracy, 0.87);
});

test('successive halving with lanes read at each round (a queue\'s workers come and go): each round fills as many lanes as the function says then', async () => {
  const run = async (lanes: () => number) => (await runAbc(lanes)).rounds;
  assert.deepEqual(await run(() => 1), [[0]]);
  assert.deepEqual(await run(() => 2), [[0, 1]]);
  assert.deepEqual(await run(() => 3), [[0, 1, 2]]);
  // two rounds (the second test's A and B: A falls at rung 1, B is promoted next): the function is
  // read once per round, when the round starts
  const rung0 = [{ lat: 1, acc: 0.9, w: 0.01 }, { lat: 2, acc: 0.86, w: 0.02 }];
  const rung1 = [{ lat: 1, acc: 0.8, w: 0.005 }, { lat: 2, acc: 0.87, w: 0.01 }];
  const at = (i: number, t: typeof rung0): EvaluatedPoint => ({ id: i, params: { i }, metrics: { latency_s: t[i].lat, accuracy: t[i].acc, accuracy_ci_low: t[i].acc - t[i].w, accuracy_ci_high: t[i].acc + t[i].w }, status: 'ok', violation: 0, feasible: true, error: '', fidelity: 'analytical+accuracy' });
  const rows = rung0.map((_, i) => at(i, rung0));
  const rounds: number[][] = [];
  let reads = 0;
  await refineAccuracy(rows, LANE_OBJECTIVES, LANE_CTX, [16, 64], async (pts) => {
    rounds.push(pts.map((p) => p.id).sort());
    return pts.map((p) => at(p.id, rung1));
  }, () => false, { lanes: () => (reads++, 1), group: (p) => String(p.i), constraints: [] });
  assert.deepEqual(rounds, [[0], [1]]);
  assert.equal(reads, 2);
});

test("an LM's maxExamples above its test split's windows is capped at them, with a located note; the rungs are sized for them", async () => {
  const { prepareRun } = await import('../dse/run.ts');
  const { sotuSplits } = await import('../sim/nn/data.ts');
  const dir = mkdtempSync(join(tmpdir(), 'lm-cap-'));
  const space = (acc: string) =>
    `name: c\nworkload: { model: gpt2-small, stage: generation, seqLen: 128, genTokens: 4 }\nobjectives:\n  - { metric: latency_s, goal: min }\n  - { metric: perplexity, goal: min }\nparameters:\n  algo.tokenKeep: [0.25, 0.5, 0.75, 1.0, 0.125]\nsearch: { driver: random, samples: 4 }\naccuracy: ${acc}\n`;
  const prepared = (acc: string) => {
    const file = join(dir, `s${Math.random()}.yaml`);
    writeFileSync(file, space(acc));
    return { file, ...prepareRun({ spaceFile: file }) };
  };
  try {
    // sotu-char reads bytes: its 257-token windows (224 prompt + 32 generated + 1) are each address's UTF-8 bytes cut in 257s
    const charWindows = sotuSplits().test.reduce((a, d) => a + Math.floor(Buffer.byteLength(d.text, 'utf8') / 257), 0);
    assert.equal(charWindows, 3750);
    const c = prepared('{ model: sotu-char, maxExamples: 4000 }');
    assert.equal(c.ctx.accuracy?.maxExamples, charWindows);
    assert.deepEqual(c.parsed.notes, [`${c.file}:9:44: accuracy.maxExamples 4000 is more than the 3,750 evaluation windows of sotu-char's test split: capped at 3750 (all of them)`]);
    assert.deepEqual(accuracyRungs(c.ctx.accuracy, 'random'), [464, 1856, 3750]); // ⌈3750/8⌉ = 469 → 464, whole batches of 16
    // sotu-gpt's BPE: 1,661 windows; before, maxExamples 5000 made rungs 624 → 2496 → 5000, the 2,496 "subset" all of them
    const g = prepared('{ model: sotu-gpt, maxExamples: 5000, subsetExamples: 2000 }');
    assert.equal(g.ctx.accuracy?.maxExamples, 1661);
    assert.match(g.parsed.notes[0], /:9:43: accuracy\.maxExamples 5000 is more than the 1,661 evaluation windows of sotu-gpt's test split: capped at 1661 \(all of them\); subsetExamples 2000 is not fewer, so there is no cheaper rung$/);
    assert.equal(accuracyRungs(g.ctx.accuracy, 'random'), undefined);
    // within the split: as written, no note
    const w = prepared('{ model: sotu-gpt, maxExamples: 1661 }');
    assert.equal(w.ctx.accuracy?.maxExamples, 1661);
    assert.deepEqual(w.parsed.notes, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('successive halving: a subset estimate just under an accuracy constraint, whose CI reaches it, is promoted', async () => {
  const c = { text: 'accuracy >= 0.969', metric: 'accuracy', op: '>=' as const, bound: 0.969 };
  // A: slow, accurate; B: fast, 62/64 on the subset (0.96875, CI 0.89 … 0.99), 0.975 on the full set
  const full: Record<number, number> = { 0: 0.98, 1: 0.975 };
  const at = (id: number, n: number): EvaluatedPoint => {
    const acc = n === 64 ? (id === 0 ? 1 : 0.96875) : full[id];
    const metrics = { latency_s: id === 0 ? 2 : 1, accuracy: acc, accuracy_ci_low: n === 64 ? 0.893 : acc - 0.01, accuracy_ci_high: n === 64 ? 0.991 : acc + 0.01 };
    const feasible = acc >= c.bound;
    return { id, params: { i: id }, metrics, status: 'ok', violation: feasible ? 0 : 1, feasible, error: '', fidelity: 'analytical+accuracy' };
  };
  const rows = [at(0, 64), at(1, 64)];
  const ctx = { accuracy: { model: 'x', maxExamples: 512 }, constraints: [c] } as unknown as EvalContext;
  await refineAccuracy(rows, [{ metric: 'latency_s', goal: 'min' }, { metric: 'accuracy', goal: 'max' }], ctx, [64, 512], async (pts, rctx) => pts.map((p) => at(p.id, rctx.accuracy!.maxExamples!)));
  assert.equal(rows[1].fidelity, 'analytical+accuracy', `B evaluated on the full set: ${rows[1].fidelity}`);
  assert.equal(rows[1].feasible, true, 'B is feasible on the full set and the fastest point');
});

test('accuracy rungs cut short by the time limit say so: refine reports cutShort when an evaluation it asked for did not run', async () => {
  const { refine } = await import('../dse/steps/refine.ts');
  const row = (id: number, acc: number, lat: number): EvaluatedPoint => ({ id, params: { 'algo.tokenKeep': id / 10 }, metrics: { latency_s: lat, accuracy: acc, accuracy_ci_low: acc - 0.05, accuracy_ci_high: acc + 0.05 }, status: 'ok', violation: 0, feasible: true, error: '', fidelity: 'analytical+accuracy' });
  const ctx = { fidelity: 'analytical', accuracy: { model: 'spam-bert', maxExamples: 64, subsetExamples: 32 }, constraints: [] } as unknown as EvalContext;
  const objectives = [{ metric: 'latency_s', goal: 'min' as const }, { metric: 'accuracy', goal: 'max' as const }];
  const logs: string[] = [];
  const input = (evaluate: (pts: { id: number }[]) => EvaluatedPoint[]) => ({
    rows: [row(1, 0.9, 2), row(2, 0.8, 1)],
    objectives,
    ctx,
    driverName: 'grid',
    executor: { usePool: false, jobs: 1, lanesNow: () => 1, isAborted: false, evaluate: async (pts: { id: number }[]) => evaluate(pts), knownPrefix: () => undefined } as never,
    interrupts: { stop: false } as never,
    log: (s: string) => void logs.push(s),
  });
  // the deadline passed: the executor runs nothing
  const cut = await refine(input(() => []));
  assert.deepEqual(cut, { counts: [2, 0], cutShort: true });
  assert.equal(logs.pop(), 'accuracy rungs 32 → 64 examples: 2 → 0 evaluations, 2 → 0 algorithm configurations', 'no configuration ran at 64 examples');
  // every promotion ran
  const done = await refine(input((pts) => pts.map((p) => row(p.id, 0.85, p.id))));
  assert.equal(done?.cutShort, false, 'no evaluation was left out');
  assert.deepEqual(done?.counts, [2, 2]);
  assert.equal(logs.pop(), 'accuracy rungs 32 → 64 examples: 2 → 2 evaluations, 2 → 2 algorithm configurations');
});

test('a run stopped during the search (Ctrl-C at the subset rung) labels every row a subset estimate, not the full evaluation', async () => {
  const { refine } = await import('../dse/steps/refine.ts');
  const row = (id: number, acc: number, lat: number): EvaluatedPoint => ({ id, params: { 'algo.tokenKeep': id / 10 }, metrics: { latency_s: lat, accuracy: acc, accuracy_ci_low: acc - 0.05, accuracy_ci_high: acc + 0.05 }, status: 'ok', violation: 0, feasible: true, error: '', fidelity: 'analytical+accuracy' });
  const failed: EvaluatedPoint = { ...row(3, NaN, NaN), status: 'failed', metrics: {}, fidelity: 'analytical+accuracy' };
  const rows = [row(1, 0.9, 2), row(2, 0.8, 1), failed];
  const ctx = { fidelity: 'analytical', accuracy: { model: 'spam-bert', maxExamples: 64, subsetExamples: 32 }, constraints: [] } as unknown as EvalContext;
  let asked = 0;
  const out = await refine({
    rows,
    objectives: [{ metric: 'latency_s', goal: 'min' as const }, { metric: 'accuracy', goal: 'max' as const }],
    ctx,
    driverName: 'grid',
    executor: { usePool: false, jobs: 1, lanesNow: () => 1, isAborted: true, evaluate: async () => ((asked++), []) } as never,
    interrupts: { stop: true } as never,
    log: () => {},
  });
  assert.equal(out, undefined, 'no rung ran');
  assert.equal(asked, 0, 'nothing evaluated after the stop');
  // before: 'analytical+accuracy' on every row, 32-example estimates read as the full 64
  assert.deepEqual(rows.map((r) => r.fidelity), ['analytical+accuracy:subset(n=32)', 'analytical+accuracy:subset(n=32)', 'analytical+accuracy']);
});

test('a run stopped during the accuracy rungs highlights front points whose accuracy is the full evaluation, and says which were passed over', async () => {
  const { highlightPicks, subsetHighlightNote } = await import('../dse/steps/highlight.ts');
  const full = 'analytical+accuracy';
  const sub = 'analytical+accuracy:subset(n=32)';
  const row = (id: number, latency_s: number, accuracy: number, fidelity: string) =>
    ({ id, params: {}, metrics: { latency_s, accuracy }, status: 'ok' as const, violation: 0, feasible: true, error: '', fidelity });
  // the front: #2 kept 32/32 = 100% at the 32-example rung; #0, #1, #3 have the full evaluation.
  // Full rows normalised over themselves (latency 1 … 3 → 0 … 1, accuracy 0.98 … 0.9 → 0 … 1):
  // #0 (1, 0.9) → (0, 1), distance 1; #1 (2, 0.97) → (0.5, 0.125), 0.515; #3 (3, 0.98) → (1, 0), 1: the knee is #1
  const front = [row(0, 1e-4, 0.9, full), row(1, 2e-4, 0.97, full), row(2, 1.5e-4, 1, sub), row(3, 3e-4, 0.98, full)];
  const picks = highlightPicks(front, OBJ).map((p) => [p.r.id, p.label]);
  assert.deepEqual(picks, [[1, 'knee'], [0, 'best latency_s'], [3, 'best accuracy']]);
  assert.equal(
    subsetHighlightNote(front),
    'The knee and the best point per objective are picked among the 3 front points whose accuracy is the full evaluation: 1 front point with only a subset rung\'s estimate (32 examples, e.g. #2: accuracy 100 %) is not highlighted (the run stopped before evaluating it on the full set; the same command again continues it).',
  );
  // every front point at the full evaluation (or every one at one subset rung): all are candidates, nothing said
  const whole = front.map((r) => ({ ...r, fidelity: full }));
  // #2 measured 100% on the full set: (0.25, 0) over latency 1 … 3 and accuracy 1 … 0.9, the knee
  assert.deepEqual(highlightPicks(whole, OBJ).map((p) => [p.r.id, p.label]), [[2, 'knee, best accuracy'], [0, 'best latency_s']]);
  assert.equal(subsetHighlightNote(whole), undefined);
  // one front point at the full evaluation: it is every highlight, and the note names it
  assert.match(subsetHighlightNote([front[0], front[2]])!, /^The knee and the best point per objective are the one front point whose accuracy is the full evaluation, #0: 1 front point with only a subset rung's estimate \(32 examples, e\.g\. #2: accuracy 100 %\) is not highlighted/);
  assert.equal(subsetHighlightNote(front.map((r) => ({ ...r, fidelity: sub }))), undefined);
});

test('successive halving: a point the full set shows infeasible stops blocking the next contender, which is promoted', async () => {
  const c = { text: 'accuracy >= 0.964375', metric: 'accuracy', op: '>=' as const, bound: 0.964375 };
  // A: fastest, 31/32 on the subset, 61/64 = 0.953 on the full set (CI up to 0.98: reaches the bound);
  // B: slower, 31/32 on the subset, 0.97 on the full set
  const full: Record<number, number> = { 0: 0.953125, 1: 0.96875 };
  const at = (id: number, n: number): EvaluatedPoint => {
    const acc = n === 32 ? 0.96875 : full[id];
    const metrics = { latency_s: id === 0 ? 1 : 2, accuracy: acc, accuracy_ci_low: acc - 0.08, accuracy_ci_high: Math.min(1, acc + 0.03) };
    const feasible = acc >= c.bound;
    return { id, params: { i: id }, metrics, status: 'ok', violation: feasible ? 0 : 1, feasible, error: '', fidelity: 'analytical+accuracy' };
  };
  const rows = [at(0, 32), at(1, 32)];
  const ctx = { accuracy: { model: 'x', maxExamples: 64 }, constraints: [c] } as unknown as EvalContext;
  const counts = await refineAccuracy(rows, [{ metric: 'latency_s', goal: 'min' }], ctx, [32, 64], async (pts, rctx) => pts.map((p) => at(p.id, rctx.accuracy!.maxExamples!)));
  assert.equal(rows[0].feasible, false, 'A is infeasible on the full set');
  assert.equal(rows[1].fidelity, 'analytical+accuracy', `B evaluated on the full set: ${rows[1].fidelity}`);
  assert.equal(rows[1].feasible, true, 'B, the fastest feasible point, has its full-set accuracy');
  assert.deepEqual(counts, [2, 2]);
});

test('accuracy rungs count the configurations the engine sees: two FC weight widths of one pruning setting are one', async () => {
  const { refine } = await import('../dse/steps/refine.ts');
  const row = (id: number, bits: number): EvaluatedPoint => ({ id, params: { 'algo.tokenKeep': 0.5, 'algo.fcWeightBits': bits }, metrics: { latency_s: bits, accuracy: 0.9, accuracy_ci_low: 0.85, accuracy_ci_high: 0.95 }, status: 'ok', violation: 0, feasible: true, error: '', fidelity: 'analytical+accuracy' });
  const ctx = { fidelity: 'analytical', accuracy: { model: 'spam-bert', maxExamples: 64, subsetExamples: 32 }, constraints: [] } as unknown as EvalContext;
  const logs: string[] = [];
  await refine({
    rows: [row(1, 8), row(2, 12)],
    objectives: [{ metric: 'latency_s', goal: 'min' as const }, { metric: 'accuracy', goal: 'max' as const }],
    ctx,
    driverName: 'grid',
    executor: { usePool: false, jobs: 1, lanesNow: () => 1, isAborted: false, evaluate: async (pts: { id: number }[]) => pts.map((p) => row(p.id, p.id === 1 ? 8 : 12)) } as never,
    interrupts: { stop: false } as never,
    log: (s: string) => void logs.push(s),
  });
  // fcWeightBits is hardware only (dse/evaluate.ts ENGINE_IGNORED_ALGO): the log said 2 → 2 configurations
  assert.equal(logs.pop(), 'accuracy rungs 32 → 64 examples: 2 → 2 evaluations, 1 → 1 algorithm configurations');
});
