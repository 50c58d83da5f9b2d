/**
 * `accuracy.seed` seeds one number only: a language model's bootstrap CI of its perplexity
 * (sim/nn/api.ts scoreLm); a classifier's CI is Wilson's, which takes no seed, and neither kind's
 * value nor measured pruning depends on it. So a classifier run differing only in its seed reuses
 * the journal (dse/fidelity.ts withActingSeed), and a language model's does not — but the
 * engine's default seed 1, written or not, is one key.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runSpace } from '../dse/run.ts';
import { ciColumn } from '../core/metric-columns.ts';

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
    assert.deepEqual(a.run.evaluations, { reused: 0, reusedFromOtherFolders: 0, evaluated: 1 });
    const file = space(tmp, 'a', workload, 'spam-bert', 32, 9);
    const b = await run(file, out);
    assert.deepEqual(b.run.evaluations, { reused: 1, reusedFromOtherFolders: 0, evaluated: 0 }, b.lines.join('\n'));
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

test('a language model run: seed 1 written or left out is one key (reused); another seed runs the model again, with the same perplexity and another bootstrap CI', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sdse-seed-lm-'));
  try {
    const workload = '{ model: gpt2-small, stage: generation, seqLen: 256, genTokens: 32 }';
    const one = await run(space(tmp, 'one', workload, 'sotu-char', 16, 1), path.join(tmp, 'one'));
    assert.deepEqual(one.run.evaluations, { reused: 0, reusedFromOtherFolders: 0, evaluated: 1 });
    const unset = await run(space(tmp, 'unset', workload, 'sotu-char', 16), path.join(tmp, 'unset'), [path.join(tmp, 'one')]);
    assert.deepEqual(unset.run.evaluations, { reused: 1, reusedFromOtherFolders: 1, evaluated: 0 }, unset.lines.join('\n'));
    const nine = await run(space(tmp, 'nine', workload, 'sotu-char', 16, 9), path.join(tmp, 'nine'), [path.join(tmp, 'one')]);
    assert.deepEqual(nine.run.evaluations, { reused: 0, reusedFromOtherFolders: 0, evaluated: 1 }, nine.lines.join('\n'));
    const [p1, p9] = [one.rows[0].metrics, nine.rows[0].metrics];
    assert.equal(p9.perplexity, p1.perplexity, 'the seed does not change the perplexity');
    const lo = ciColumn('perplexity', 'low');
    const hi = ciColumn('perplexity', 'high');
    assert.ok(p9[lo] !== p1[lo] || p9[hi] !== p1[hi], `the seed changes the bootstrap CI: seed 1 [${p1[lo]}, ${p1[hi]}], seed 9 [${p9[lo]}, ${p9[hi]}]`);
    assert.ok(p1[lo] < p1.perplexity && p1.perplexity < p1[hi] && p9[lo] < p9.perplexity && p9.perplexity < p9[hi], 'each CI holds the perplexity');
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
