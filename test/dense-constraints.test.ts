/**
 * Constraints relative to the dense model (`accuracy >= dense - 0.01`, `perplexity <= dense * 1.03`):
 * the grammar and its refusals, the resolution against an independent run of the accuracy engine
 * with every algo knob at its default, the feasible set of a sweep, run.json, and a rerun taking the
 * dense value from the journal.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConstraint } from '../dse/params.ts';
import { parseSpace } from '../dse/space.ts';
import { resolutionLine, resolveConstraint, resolvedScaleIssue, type DenseReference } from '../dse/dense-reference.ts';
import { InputError } from '../dse/errors.ts';
import { ACCURACY_SCORES_RECORD, DENSE_REFERENCE_RECORD, loadJournal } from '../dse/journal.ts';
import { prepareRun, runSpace } from '../dse/run.ts';
import { resolveDense } from '../dse/steps/dense.ts';
import { encodeTask } from '../dse/backends/queue-task.ts';
import { checkpointIssue } from '../dse/backends/queue-worker.ts';
import type { PoolTask } from '../dse/pool.ts';
import { writeReport } from '../reports/index.ts';
import { Service } from '../dse/serve.ts';
import { noFeasible } from '../dse/run-checks.ts';
import { evaluateAccuracy } from '../sim/nn/api.ts';
import { AlgoSchema } from '../sim/schema.ts';

const ref = (metric: DenseReference['metric'], value: number): DenseReference => ({ metric, value, ci95: [value, value], n: 512 });

test('relative constraints parse into an operator and an amount, their bound unresolved', () => {
  assert.deepEqual(parseConstraint('accuracy >= dense - 0.01'), { text: 'accuracy >= dense - 0.01', metric: 'accuracy', op: '>=', bound: Number.NaN, relative: { op: '-', amount: 0.01 } });
  assert.deepEqual(parseConstraint('perplexity<=dense*1.03'), { text: 'perplexity<=dense*1.03', metric: 'perplexity', op: '<=', bound: Number.NaN, relative: { op: '*', amount: 1.03 } });
  assert.deepEqual(parseConstraint('accuracy >= dense'), { text: 'accuracy >= dense', metric: 'accuracy', op: '>=', bound: Number.NaN, relative: { op: '+', amount: 0 } });
  // an absolute constraint is as before
  assert.deepEqual(parseConstraint('area_mm2 <= 20'), { text: 'area_mm2 <= 20', metric: 'area_mm2', op: '<=', bound: 20 });
});

test('malformed relative constraints are refused with what to write', () => {
  assert.equal(parseConstraint('accuracy >= dense / 2'), 'cannot parse constraint "accuracy >= dense / 2": expected "<metric> <op> <number>", or a bound relative to the dense model "<metric> <op> dense [+|-|* <number>]", with op one of <= < >= > ==');
  assert.equal(parseConstraint('accuracy >= 0.99 * dense'), 'cannot parse constraint "accuracy >= 0.99 * dense": expected "<metric> <op> <number>", or a bound relative to the dense model "<metric> <op> dense [+|-|* <number>]", with op one of <= < >= > ==');
  assert.equal(parseConstraint('perplexity <= dense * 0'), '"perplexity <= dense * 0": the factor after "dense *" must be above 0');
  assert.equal(parseConstraint('accuracy >= dense + -0.01'), '"accuracy >= dense + -0.01": write "dense - 0.01" (the number after "dense +" is not negative)');
});

const SPACE = (constraint: string, accuracy = 'accuracy: { model: spam-bert, maxExamples: 64 }') =>
  [
    'name: rel',
    'workload: { model: bert-base, stage: summarization, seqLen: 128 }',
    accuracy,
    'objectives:',
    '  - { metric: latency_s, goal: min }',
    `constraints: ["${constraint}"]`,
    'parameters:',
    '  algo.tokenKeep: [1.0, 0.1, 0.05]',
    '  algo.headKeep: [1.0, 0.25]',
    'search: { driver: grid }',
    '',
  ].join('\n');

test('a space refuses a relative constraint on a metric without a dense value, without an accuracy block, or off the accuracy scale (file:line, field)', () => {
  const refused = (text: string) => {
    try {
      parseSpace(text, 's.yaml');
    } catch (e) {
      return (e as Error).message;
    }
    return 'accepted';
  };
  assert.equal(refused(SPACE('latency_s <= dense * 0.5')), 's.yaml:6:15: constraints[0]: "latency_s <= dense * 0.5": only accuracy and perplexity can be bounded relative to the dense model (the accuracy engine measures it); write an absolute bound for latency_s');
  assert.equal(refused(SPACE('accuracy >= dense - 0.01', '')), 's.yaml:6:15: constraints[0]: "accuracy >= dense - 0.01": a bound relative to the dense model needs an accuracy block (accuracy: { model: … }): the dense model runs with its model, examples and seed');
  assert.equal(refused(SPACE('accuracy >= dense - 1')), 's.yaml:6:15: constraints[0]: "accuracy >= dense - 1": accuracy is a fraction from 0 to 1 (as in points.csv; the report prints it in %), so dense - 1 is off its scale; for 1 point write "accuracy >= dense - 0.01"');
  assert.match(refused(SPACE('perplexity <= dense * 1.03')), /^s\.yaml:6:15: constraints\[0\]: "perplexity" cannot be produced: accuracy model "spam-bert" is a classifier/);
  assert.equal(parseSpace(SPACE('accuracy >= dense - 0.01'), 's.yaml').constraints[0].relative?.amount, 0.01);
});

test('resolution: the bound is the dense value shifted or scaled, at 12 significant digits, and the line says both', () => {
  const c = resolveConstraint(parseConstraint('accuracy >= dense - 0.01') as never, ref('accuracy', 0.9727));
  assert.deepEqual(c, { text: 'accuracy >= 0.9627', metric: 'accuracy', op: '>=', bound: 0.9627, resolvedFrom: { text: 'accuracy >= dense - 0.01', dense: 0.9727 } });
  assert.equal(resolutionLine(c, ref('accuracy', 0.9727)), 'accuracy >= dense - 0.01: dense 97.27% (512 examples) → accuracy >= 96.27%');
  const p = resolveConstraint(parseConstraint('perplexity <= dense * 1.03') as never, ref('perplexity', 3.5));
  assert.equal(p.text, 'perplexity <= 3.605');
  assert.equal(resolutionLine(p, ref('perplexity', 3.5)), 'perplexity <= dense * 1.03: dense 3.5 (512 examples) → perplexity <= 3.605');
  assert.throws(() => resolveConstraint(parseConstraint('accuracy >= dense') as never, ref('perplexity', 3.5)), /the dense model gives perplexity, not accuracy/);
});

test('a sweep resolves "accuracy >= dense - 0.03" with the dense spam-bert, its feasible set is the points within 3 points of it, and a rerun takes the dense value from its journal', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dense-rel-'));
  try {
    const spaceFile = path.join(dir, 'rel.yaml');
    fs.writeFileSync(spaceFile, SPACE('accuracy >= dense - 0.03'));
    // the reference, independently: the engine's API with every algo knob at its default, 64 emails
    const dense = await evaluateAccuracy({ model: 'spam-bert', maxExamples: 64 }, AlgoSchema.parse({}));
    assert.equal(dense.value, 63 / 64, 'spam-bert misclassifies 1 of the first 64 test emails');
    const lines: string[] = [];
    const out = path.join(dir, 'out');
    const opts = { spaceFile, outDir: out, progress: 'none' as const, report: false, jobs: 1, log: (s: string) => lines.push(s) };
    const first = await runSpace(opts);
    const bound = Number((dense.value - 0.03).toPrecision(12));
    assert.ok(lines.includes('accuracy >= dense - 0.03: dense 98.4375% (64 examples) → accuracy >= 95.4375%'), lines.join('\n'));
    assert.deepEqual(first.run.constraints, [`accuracy >= ${bound}`]);
    assert.deepEqual(first.run.denseReference, { metric: 'accuracy', value: dense.value, ci95: dense.ci95, n: 64, accuracy: first.run.denseReference?.accuracy, constraints: [{ written: 'accuracy >= dense - 0.03', resolved: `accuracy >= ${bound}` }] });
    assert.equal(first.run.denseReference?.accuracy.model, 'spam-bert');
    const feasible = first.rows.filter((r) => r.feasible).length;
    assert.ok(feasible > 0 && feasible < first.rows.length, `both feasible and infeasible points (${feasible} of ${first.rows.length})`);
    for (const r of first.rows) assert.equal(r.feasible, r.metrics.accuracy >= dense.value - 0.03, `point ${JSON.stringify(r.params)}: accuracy ${r.metrics.accuracy}`);

    // the report labels the resolved constraint with what was written and the dense value
    await writeReport(out);
    const html = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
    assert.ok(html.includes('<code>accuracy &gt;= 0.954375</code> <span class="muted">written <code>accuracy &gt;= dense - 0.03</code>; dense accuracy 98.44 % (64 examples, 95% CI '), 'summary row');
    assert.ok(html.includes('accuracy &gt;= dense - 0.03 (dense 98.44 %): accuracy &gt;= 0.954375'), 'constraint chart label');

    // a rerun reads the dense value back from the journal: a changed record there is what it resolves with
    const journal = path.join(out, 'journal.jsonl');
    const text = fs.readFileSync(journal, 'utf8');
    assert.ok(text.includes('"fidelity":"dense-reference"'), 'the dense reference is journaled');
    fs.writeFileSync(journal, text.replace(/("fidelity":"dense-reference".*?"accuracy":)[0-9.]+/, '$10.5'));
    lines.length = 0;
    const again = await runSpace(opts);
    assert.ok(lines.includes('accuracy >= dense - 0.03: dense 50% (64 examples) → accuracy >= 47% (dense model from the journal)'), lines.join('\n'));
    // the journal holds 6 evaluations and the dense reference, which is not counted as one
    assert.ok(lines.includes(`continuing: 6 finished evaluations in ${journal} (reused where they match; --fresh to start over)`), lines.join('\n'));
    assert.deepEqual(again.run.constraints, ['accuracy >= 0.47']);
    assert.equal(again.rows.filter((r) => r.feasible).length, again.rows.length, 'every point meets accuracy >= 0.47');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('"perplexity <= dense * 1.03" resolves with the dense language model of the accuracy block', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dense-lm-'));
  try {
    const ck = path.join(import.meta.dirname, 'fixtures', 'hf-reference', 'gpt2-tiny');
    const spaceFile = path.join(dir, 'lm.yaml');
    fs.writeFileSync(spaceFile, [
      'name: lm',
      'workload: { model: gpt2-small, stage: generation, seqLen: 128, genTokens: 4 }',
      `accuracy: { model: ${JSON.stringify(ck)}, maxExamples: 2 }`,
      // a base algo block does not change the dense reference (every knob at its default)
      'algo: { msbBits: 4 }',
      'objectives:',
      '  - { metric: perplexity, goal: min }',
      'constraints: ["perplexity <= dense * 1.03"]',
      'parameters:',
      '  algo.tokenKeep: [0.5, 1.0]',
      'search: { driver: grid }',
      '',
    ].join('\n'));
    const dense = await evaluateAccuracy({ model: ck, maxExamples: 2 }, AlgoSchema.parse({}));
    const r = await runSpace({ spaceFile, outDir: path.join(dir, 'out'), progress: 'none', report: false, jobs: 1, log: () => {} });
    assert.equal(r.run.denseReference?.value, dense.value);
    assert.deepEqual(r.run.constraints, [`perplexity <= ${Number((dense.value * 1.03).toPrecision(12))}`]);
    for (const row of r.rows) assert.equal(row.feasible, row.metrics.perplexity <= dense.value * 1.03, `tokenKeep ${row.params['algo.tokenKeep']}: perplexity ${row.metrics.perplexity}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('serve resolves a relative constraint before it answers: the space it describes and the feasibility of a told point use the resolved bound', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dense-serve-'));
  try {
    const spaceFile = path.join(dir, 'rel.yaml');
    fs.writeFileSync(spaceFile, SPACE('accuracy >= dense - 0.03'));
    const lines: string[] = [];
    const svc = new Service({ spaceFile, outDir: path.join(dir, 'S'), log: (s) => lines.push(s) });
    const ask = async (req: object) => (await svc.handle(JSON.stringify(req))) as Record<string, unknown>;
    try {
      const space = await ask({ op: 'space' });
      // dense spam-bert on the first 64 emails: 63/64 (the sweep test checks it against evaluateAccuracy)
      assert.deepEqual(space.constraints, ['accuracy >= 0.954375']);
      assert.ok(lines.includes('accuracy >= dense - 0.03: dense 98.4375% (64 examples) → accuracy >= 95.4375%'), lines.join('\n'));
      const told = async (accuracy: number) => {
        const [trial] = (await ask({ op: 'ask' })).trials as { id: number }[];
        return ask({ op: 'tell', id: trial.id, metrics: { latency_s: 1e-4, accuracy } });
      };
      const t96 = await told(0.96);
      assert.equal(t96.feasible, true, JSON.stringify(t96));
      assert.equal((await told(0.95)).feasible, false);
    } finally {
      await svc.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('"no feasible point" names a resolved constraint as written, with the dense value it was resolved with', () => {
  const c = resolveConstraint(parseConstraint('accuracy >= dense + 0.02') as never, ref('accuracy', 0.984375));
  const rows = [0.9375, 0.984375].map((accuracy) => ({ status: 'ok', feasible: false, metrics: { accuracy } }));
  assert.equal(noFeasible(rows as never, [c]), 'no feasible point: "accuracy >= dense + 0.02" (dense 0.9844: accuracy >= 1.004375) excluded 2 of 2 (accuracy from 0.9375 to 0.9844)');
});

test('with accuracy rungs, the subset rung and the full set both see the resolved bound: the front is the fastest point within 2 points of dense on the full set', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dense-rungs-'));
  try {
    const spaceFile = path.join(dir, 'rungs.yaml');
    fs.writeFileSync(spaceFile, SPACE('accuracy >= dense - 0.02').replace('maxExamples: 64 }', 'maxExamples: 64, subsetExamples: 32 }').replace('search: { driver: grid }', 'search: { driver: random, samples: 6, seed: 3 }'));
    const r = await runSpace({ spaceFile, outDir: path.join(dir, 'out'), progress: 'none', report: false, jobs: 1, log: () => {} });
    const bound = 0.964375; // 63/64 - 0.02
    assert.deepEqual(r.run.constraints, [`accuracy >= ${bound}`]);
    const onFull = r.rows.filter((p) => !/:subset\(/.test(p.fidelity));
    for (const p of onFull) assert.equal(p.feasible, p.metrics.accuracy >= bound, `point ${p.id}: accuracy ${p.metrics.accuracy} on the full set`);
    const front = r.rows.filter((p) => p.pareto);
    assert.equal(front.length, 1, 'one objective: one front point');
    assert.ok(onFull.includes(front[0]), `the front point has its full-set accuracy: ${front[0].fidelity}`);
    const fastest = Math.min(...onFull.filter((p) => p.metrics.accuracy >= bound).map((p) => p.metrics.latency_s));
    assert.equal(front[0].metrics.latency_s, fastest);
    assert.ok(onFull.some((p) => !p.feasible), 'some point is within the subset CI of the bound but below it on the full set');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the dense job carries its accuracy block as a point\'s context does: a queue makes a relative checkpoint folder absolute and a worker checks its files', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dense-task-'));
  const cwd = process.cwd();
  try {
    fs.cpSync(path.join(import.meta.dirname, 'fixtures', 'hf-reference', 'gpt2-tiny'), path.join(dir, 'ck'), { recursive: true });
    process.chdir(dir);
    const spaceFile = path.join(dir, 's.yaml');
    fs.writeFileSync(spaceFile, ['name: t', 'workload: { model: gpt2-small, stage: generation, seqLen: 128, genTokens: 4 }', 'accuracy: { model: ck, maxExamples: 2 }', 'objectives:', '  - { metric: latency_s, goal: min }', 'constraints: ["perplexity <= dense * 1.03"]', 'parameters:', '  algo.tokenKeep: [0.5, 1.0]', ''].join('\n'));
    const prepared = prepareRun({ spaceFile, outDir: path.join(dir, 'out') });
    const tasks: PoolTask[] = [];
    const executor = {
      denseScores: () => undefined,
      keepDenseScores: () => {},
      journaled: async (_n: string, _m: unknown, compute: () => Promise<Record<string, number>>) => ({ metrics: await compute(), reused: false }),
      call: async (task: string, ...args: unknown[]) => {
        tasks.push({ task, args });
        return { metric: 'perplexity', value: 10, ci95: [9, 11], n: 2 };
      },
    };
    await resolveDense(prepared, executor as never, () => {});
    assert.deepEqual(prepared.parsed.constraints.map((c) => c.text), ['perplexity <= 10.3']);
    assert.equal(tasks.length, 1);
    assert.ok(encodeTask(tasks[0], '/nowhere').includes(JSON.stringify(path.join(dir, 'ck'))), `the job names the folder absolutely: ${encodeTask(tasks[0], '/nowhere')}`);
    const stale = { task: 'dense', args: [{ accuracy: { ...(tasks[0].args[0] as { accuracy: object }).accuracy, checkpoint: 'other' } }, 12] };
    assert.match(checkpointIssue(stale) ?? '', /^the accuracy checkpoint ck has other files on the worker's machine/);
  } finally {
    process.chdir(cwd);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a relative bound the dense value puts off its scale is refused before the search (exit 2, no output); the dense outcome stays journaled for the run with the bound fixed', async () => {
  const c = (text: string) => parseConstraint(text) as Exclude<ReturnType<typeof parseConstraint>, string>;
  // dense 0.98: × 1.5 = 1.47, above the accuracy scale; × 1.02 = 0.9996 can be met
  assert.equal(resolvedScaleIssue(resolveConstraint(c('accuracy >= dense * 1.5'), ref('accuracy', 0.98)), ref('accuracy', 0.98)), '"accuracy >= dense * 1.5": the dense model\'s 98% (512 examples) makes it accuracy >= 147%, which no point can meet (accuracy is a fraction from 0 to 1); bound it closer to the dense value');
  assert.equal(resolvedScaleIssue(resolveConstraint(c('accuracy >= dense * 1.02'), ref('accuracy', 0.98)), ref('accuracy', 0.98)), undefined);
  assert.equal(resolvedScaleIssue(resolveConstraint(c('accuracy > dense + 0.02'), ref('accuracy', 0.98)), ref('accuracy', 0.98)), '"accuracy > dense + 0.02": the dense model\'s 98% (512 examples) makes it accuracy > 100%, which no point can meet (accuracy is a fraction from 0 to 1); bound it closer to the dense value');
  assert.equal(resolvedScaleIssue(resolveConstraint(c('accuracy <= dense - 0.99'), ref('accuracy', 0.98)), ref('accuracy', 0.98)), '"accuracy <= dense - 0.99": the dense model\'s 98% (512 examples) makes it accuracy <= -1%, which no point can meet (accuracy is a fraction from 0 to 1); bound it closer to the dense value');
  // perplexity: at least 1
  assert.match(resolvedScaleIssue(resolveConstraint(c('perplexity <= dense * 0.2'), ref('perplexity', 4.4)), ref('perplexity', 4.4)) ?? '', /makes it perplexity <= 0\.88, which no point can meet \(a perplexity is at least 1\)/);
  assert.equal(resolvedScaleIssue(resolveConstraint(c('perplexity <= dense * 1.03'), ref('perplexity', 4.4)), ref('perplexity', 4.4)), undefined);
  // a run: spam-bert is 63/64 dense on its first 64 emails (0.984375 × 1.5 > 1): exit 2 before the search
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dense-off-'));
  try {
    const spaceFile = path.join(dir, 'rel.yaml');
    fs.writeFileSync(spaceFile, SPACE('accuracy >= dense * 1.5'));
    const out = path.join(dir, 'out');
    const journal = path.join(out, 'journal.jsonl');
    await assert.rejects(runSpace({ spaceFile, outDir: out, progress: 'none', report: false, jobs: 1, log: () => {} }), (e: Error) => e instanceof InputError && /"accuracy >= dense \* 1\.5": the dense model's 98\.4375% \(64 examples\) makes it accuracy >= 147\.656%, which no point can meet/.test(e.message) && e.message.endsWith(`\n(the dense model's outcome is kept in ${journal}: the same command in this folder, with the bound fixed, takes it from there)`));
    // no output, no lock: the journal alone, holding the dense model's per-example scores and its outcome (its examples and value)
    assert.deepEqual(fs.readdirSync(out), ['journal.jsonl']);
    const kept = loadJournal(journal).records;
    assert.deepEqual(kept.map((r) => [r.fidelity, r.metrics.accuracy, r.metrics.examples]), [[ACCURACY_SCORES_RECORD, undefined, undefined], [DENSE_REFERENCE_RECORD, 63 / 64, 64]]);
    const scores = (kept[0].extra as { accuracyPrefix: { examples: number; scores: number[] } }).accuracyPrefix;
    assert.deepEqual([scores.examples, scores.scores.reduce((a, b) => a + b, 0)], [64, 63], 'the scores: 63 of 64 emails right');
    // the bound fixed: the dense model is not run again
    fs.writeFileSync(spaceFile, SPACE('accuracy >= dense - 0.05'));
    const lines: string[] = [];
    const s = await runSpace({ spaceFile, outDir: out, progress: 'none', report: false, jobs: 1, log: (l) => lines.push(l) });
    assert.ok(lines.includes('accuracy >= dense - 0.05: dense 98.4375% (64 examples) → accuracy >= 93.4375% (dense model from the journal)'), lines.join('\n'));
    assert.equal(s.run.counts.total, 6);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
