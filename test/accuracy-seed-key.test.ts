/**
 * `accuracy.seed` seeds one number only: a language model's bootstrap CI of its perplexity
 * (sim/nn/api.ts scoreLm); a classifier's CI is Wilson's, which takes no seed, and neither kind's
 * value nor measured pruning depends on it. So a classifier run differing only in its seed reuses
 * the journal (dse/fidelity.ts withActingSeed). A language model's point is evaluated again (its
 * key holds the seed; the engine's default seed 1, written or not, is one key), but from the
 * configuration's per-window scores, journaled without the seed (dse/accuracy-outcomes.ts): no
 * forward pass, and the numbers a run from scratch gives.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runSpace } from '../dse/run.ts';
import { spawnSync } from 'node:child_process';
import { ciColumn } from '../core/metric-columns.ts';

const ROOT = path.join(import.meta.dirname, '..');
const FIXTURE = path.join(import.meta.dirname, 'accuracy-seed-run.fixture.ts');

/** A one-point space with an accuracy block (`seed` written when given). */
const space = (dir: string, name: string, workload: string, model: string, examples: number, seed?: number) => {
  const file = path.join(dir, `${name}.yaml`);
  fs.writeFileSync(
    file,
    `name: ${name}
workload: ${workload}
accuracy: { model: ${model}, maxExamples: ${examples}${seed === undefined ? '' : `, seed: ${seed}`} }
objectives:
  - { metric: ${model === 'spam-bert' ? 'accuracy' : 'perplexity'} }
  - { metric: latency_s }
parameters:
  algo.tokenKeep: [0.5]
search: { driver: grid }
`,
  );
  return file;
};

const run = (spaceFile: string, outDir: string, reuse?: string[]) => {
  const lines: string[] = [];
  return runSpace({ spaceFile, outDir, reuse, jobs: 1, progress: 'none', report: false, log: (l) => lines.push(l) }).then((r) => ({ ...r, lines }));
};

test('a classifier run differing only in accuracy.seed continues the same journal: nothing is evaluated again, the numbers are the same, and a note says the seed changes none', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sdse-seed-bert-'));
  try {
    const workload = '{ model: bert-base, stage: summarization, seqLen: 128 }';
    const out = path.join(tmp, 'D');
    const a = await run(space(tmp, 'a', workload, 'spam-bert', 32, 3), out);
    assert.deepEqual(a.run.evaluations, { reused: 0, reusedFromOtherFolders: 0, evaluated: 1, evaluatedFromScores: 0 });
    const file = space(tmp, 'a', workload, 'spam-bert', 32, 9);
    const b = await run(file, out);
    assert.deepEqual(b.run.evaluations, { reused: 1, reusedFromOtherFolders: 0, evaluated: 0, evaluatedFromScores: 0 }, b.lines.join('\n'));
    assert.ok(b.lines.includes('continuing: 1 evaluation reused from the journal, 0 new'), b.lines.join('\n'));
    assert.ok(
      b.lines.includes(`note: ${file}:3:54: accuracy.seed 9 changes no number: spam-bert is a classifier, whose accuracy CI (Wilson's) takes no seed (it seeds a language model's bootstrap CI of the perplexity)`),
      b.lines.join('\n'),
    );
    const [pa, pb] = [a.rows[0].metrics, b.rows[0].metrics];
    for (const k of ['accuracy', ciColumn('accuracy', 'low'), ciColumn('accuracy', 'high')]) assert.equal(pb[k], pa[k], k);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

/** A run in a process of its own (test/accuracy-seed-run.fixture.ts): the forward passes it ran, its counts, points.csv and log. */
function runApart(spaceFile: string, outDir: string, reuse: string[] = []) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', FIXTURE, spaceFile, outDir, ...reuse], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, SPATTEN_WORKER_BUNDLE: '0', FORCE_COLOR: '0' } });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as { forwards: number; evaluations: { reused: number; reusedFromOtherFolders: number; evaluated: number; evaluatedFromScores: number }; points: string; lines: string[] };
}

/** points.csv's perplexity and its CI columns. */
function perplexityRow(points: string): { value: number; lo: number; hi: number } {
  const [head, row] = points.trim().split('\n').map((l) => l.split(','));
  const at = (c: string) => Number(row[head.indexOf(c)]);
  return { value: at('perplexity'), lo: at(ciColumn('perplexity', 'low')), hi: at(ciColumn('perplexity', 'high')) };
}

test('a language model run of another seed (rerun into the same folder, or --reuse) runs no forward pass: it recomputes the CIs from the journaled per-window scores, and writes the points.csv a run from scratch writes', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sdse-seed-lm-'));
  try {
    const workload = '{ model: gpt2-small, stage: generation, seqLen: 256, genTokens: 32 }';
    // a bound relative to the dense model: its run (another configuration) is journaled and reused too
    const write = (seed?: number) => {
      const file = space(tmp, 'lm', workload, 'sotu-char', 16, seed);
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('search:', 'constraints: ["perplexity <= dense * 1.5"]\nsearch:'));
      return file;
    };
    const [A, B, C, D] = ['A', 'B', 'C', 'D'].map((d) => path.join(tmp, d));
    const one = runApart(write(1), A);
    assert.deepEqual(one.evaluations, { reused: 0, reusedFromOtherFolders: 0, evaluated: 1, evaluatedFromScores: 0 });
    assert.equal(one.forwards, 2, 'seed 1: one 16-window batch for the dense model, one for the point');
    // the seed left out is the engine's default 1: the same keys, every number from the journal
    const unset = runApart(write(), D, [A]);
    assert.deepEqual([unset.evaluations, unset.forwards], [{ reused: 1, reusedFromOtherFolders: 1, evaluated: 0, evaluatedFromScores: 0 }, 0]);
    // seed 9 into the same folder: the journal is continued; the point is evaluated again from its scores
    const nine = runApart(write(9), A);
    assert.deepEqual(nine.evaluations, { reused: 0, reusedFromOtherFolders: 0, evaluated: 1, evaluatedFromScores: 1 }, nine.lines.join('\n'));
    assert.equal(nine.forwards, 0, 'no forward pass: neither the dense model nor the point');
    // the log says so, for the point and for the dense model (else the rerun reads as the model run again)
    assert.ok(nine.lines.includes('continuing: 0 evaluations reused from the journal, 1 new (1 of them from saved per-example scores: no forward pass)'), nine.lines.join('\n'));
    assert.ok(nine.lines.some((l) => l.endsWith(' (dense model from its saved per-example scores: no forward pass)')), nine.lines.join('\n'));
    assert.ok(!one.lines.some((l) => l.includes('saved per-example scores')), `seed 1 from scratch ran the model: ${one.lines.join('\n')}`);
    const fresh = runApart(write(9), B);
    assert.equal(fresh.forwards, 2, 'seed 9 from scratch runs both');
    assert.equal(nine.points, fresh.points, 'points.csv: the same bytes as seed 9 from scratch');
    const [p1, p9] = [perplexityRow(one.points), perplexityRow(nine.points)];
    assert.equal(p9.value, p1.value, 'the seed does not change the perplexity');
    assert.ok(p9.lo !== p1.lo || p9.hi !== p1.hi, `the seed changes the bootstrap CI: seed 1 [${p1.lo}, ${p1.hi}], seed 9 [${p9.lo}, ${p9.hi}]`);
    assert.ok(p1.lo < p1.value && p1.value < p1.hi && p9.lo < p9.value && p9.value < p9.hi, 'each CI holds the perplexity');
    // another folder reusing A's journal: the scores come from there
    const five = runApart(write(5), C, [A]);
    assert.deepEqual([five.evaluations, five.forwards], [{ reused: 0, reusedFromOtherFolders: 0, evaluated: 1, evaluatedFromScores: 1 }, 0]);
    assert.ok(five.lines.includes('reuse: 0 evaluations reused from the --reuse folders, 1 new (1 of them from saved per-example scores: no forward pass)'), five.lines.join('\n'));
    assert.equal(perplexityRow(five.points).value, p1.value);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('a language model run of another seed counts every point whose accuracy came from the saved scores, on one lane and on the pool (the later hardware points of a configuration too)', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sdse-seed-count-'));
  try {
    const workload = '{ model: gpt2-small, stage: generation, seqLen: 256, genTokens: 32 }';
    // 2 algorithm configurations x 2 hardware points
    const write = (seed: number) => {
      const file = space(tmp, 'grid', workload, 'sotu-char', 16, seed);
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('algo.tokenKeep: [0.5]', 'algo.tokenKeep: [0.5, 0.8]\n  hw.dramChannelGBps: [16, 32]'));
      return file;
    };
    for (const jobs of [1, 2]) {
      const out = path.join(tmp, `J${jobs}`);
      const go = async (seed: number) => {
        const lines: string[] = [];
        const r = await runSpace({ spaceFile: write(seed), outDir: out, jobs, progress: 'none', report: false, log: (l) => lines.push(l) });
        return { ...r, lines };
      };
      const one = await go(1);
      assert.deepEqual(one.run.evaluations, { reused: 0, reusedFromOtherFolders: 0, evaluated: 4, evaluatedFromScores: 0 }, `jobs ${jobs}: ${one.lines.join('\n')}`);
      const nine = await go(9);
      assert.deepEqual(nine.run.evaluations, { reused: 0, reusedFromOtherFolders: 0, evaluated: 4, evaluatedFromScores: 4 }, `jobs ${jobs}: ${nine.lines.join('\n')}`);
      assert.ok(nine.lines.includes('continuing: 0 evaluations reused from the journal, 4 new (4 of them from saved per-example scores: no forward pass)'), `jobs ${jobs}: ${nine.lines.join('\n')}`);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
