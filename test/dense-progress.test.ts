/**
 * A run with a relative accuracy constraint (`perplexity <= dense * 1.10`) runs the dense model
 * before its search: ~14 s on spam-bert's 1,209 emails, with no progress output. The executor's
 * dense call now reports it on stderr as the search's progress does (dse/progress.ts): the engine
 * calls back after each batch, on this thread or, on a pool worker, over a BroadcastChannel.
 * bert-tiny on 70 emails: batches of 32 → 32, 64, 70.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Executor } from '../dse/executor.ts';
import { runSpace } from '../dse/run.ts';
import type { ProgressMode } from '../dse/progress.ts';
import { preparedSpace } from './accuracy-outcome.fixture.ts';

const MODEL = path.join(import.meta.dirname, 'fixtures/hf-reference/bert-tiny');
const SPACE = [
  'name: dense-progress',
  'workload: { model: bert-base, stage: summarization, seqLen: 128 }',
  `accuracy: { model: ${JSON.stringify(MODEL)}, maxExamples: 70 }`,
  'objectives:',
  '  - { metric: accuracy, goal: max }',
  '  - { metric: latency_s, goal: min }',
  'constraints: ["accuracy >= dense - 0.05"]',
  'parameters:',
  '  algo.tokenKeep: [1.0, 0.5]',
  'search: { driver: grid }',
  '',
].join('\n');

/** The dense call of an executor with `jobs` lanes and `progress`: its result and what it wrote on stderr. */
async function denseCall(jobs: number, progress: ProgressMode | undefined): Promise<{ n: number; err: string }> {
  const { dir, ctx } = preparedSpace(SPACE, 'dense-progress-');
  const ex = Executor.open({ ctx, dir: path.join(dir, 'out'), journal: false, jobs, ...(progress ? { progress } : {}), log: () => {} });
  let err = '';
  const we = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((s: string | Uint8Array) => ((err += String(s)), true)) as typeof process.stderr.write;
  try {
    const r = await ex.call('dense', { accuracy: ctx.accuracy! }, 12);
    return { n: r.n, err };
  } finally {
    process.stderr.write = we;
    await ex.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const LINE = /^dense \S*bert-tiny: (32|64|70)\/70 examples \(\d+%\), [\d.]+ s elapsed(, [\d.]+\/s)?, (ETA .*|done)$/;

for (const jobs of [1, 2]) {
  test(`dense run ${jobs === 1 ? 'on this thread' : 'on a pool worker'}: progress lines on stderr, the last one 70/70 (100%) done`, async () => {
    const { n, err } = await denseCall(jobs, 'lines');
    assert.equal(n, 70);
    const lines = err.trimEnd().split('\n');
    assert.ok(lines.length >= 1 && lines.every((l) => LINE.test(l)), err);
    assert.match(lines.at(-1)!, /: 70\/70 examples \(100%\), [\d.]+ s elapsed, done$/);
  });
}

test('dense run with progress none (or off a terminal without a mode): nothing on stderr', async () => {
  assert.equal((await denseCall(1, 'none')).err, '');
  if (!process.stderr.isTTY) assert.equal((await denseCall(1, undefined)).err, '');
});

/** A whole run's stderr with `progress` (the dense model's lines start with "dense "). */
async function runStderr(progress: ProgressMode, examples: number): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dense-run-progress-'));
  const spaceFile = path.join(dir, 'space.yaml');
  fs.writeFileSync(spaceFile, SPACE.replace('[1.0, 0.5]', '[1.0]').replace('maxExamples: 70', `maxExamples: ${examples}`));
  let err = '';
  const we = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((s: string | Uint8Array) => ((err += String(s)), true)) as typeof process.stderr.write;
  try {
    await runSpace({ spaceFile, outDir: path.join(dir, 'out'), progress, report: false, jobs: 1, log: () => {} });
    return err;
  } finally {
    process.stderr.write = we;
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// 66 and 67 examples: a dense outcome already measured in this process (the 70 above) is not run again
test("a run's --progress reaches the dense model's run: 'lines' prints its lines, 'none' nothing", async () => {
  const lines = (await runStderr('lines', 66)).split('\n').filter((l) => l.startsWith('dense '));
  const line66 = new RegExp(LINE.source.replace('(32|64|70)\\/70', '(32|64|66)\\/66'));
  assert.ok(lines.length >= 1 && lines.every((l) => line66.test(l)), lines.join('\n'));
  assert.match(lines.at(-1)!, /: 66\/66 examples \(100%\), [\d.]+ s elapsed, done$/);
  assert.equal((await runStderr('none', 67)).split('\n').filter((l) => l.startsWith('dense ')).length, 0);
});
