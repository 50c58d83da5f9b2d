/**
 * A run's accuracy rungs compare configurations example by example (core/paired.ts): the
 * configurations the subset already shows to be beaten are not run on the full set, and the front
 * is the one a run of every configuration on the full set finds. run.json records the paired
 * count of the points that could still be on the front, and the report says it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { runSpace } from '../dse/run.ts';
import { notesSection } from '../reports/sections.ts';

/** sotu-char perplexity and GPT-2-Small latency over 8 algorithm configurations × 2 designs; `subset` adds a 16-window rung. */
const space = (dir: string, subset: boolean) => {
  const file = path.join(dir, `${subset ? 'rungs' : 'full'}.yaml`);
  fs.writeFileSync(
    file,
    `name: paired-${subset ? 'rungs' : 'full'}
workload: { model: gpt2-small, stage: generation, seqLen: 992, genTokens: 32 }
algo: { lsbBits: 0 }
accuracy: { model: sotu-char, maxExamples: 32${subset ? ', subsetExamples: 16' : ''} }
objectives:
  - { metric: perplexity, goal: min }
  - { metric: latency_s, goal: min }
parameters:
  hw.qkMultipliers: [256, 512]
  algo.tokenKeep: [1.0, 0.25]
  algo.valueKeep: [1.0, 0.5]
  algo.msbBits: [4, 8]
search: { driver: grid }
`,
  );
  return file;
};

const front = (dir: string) =>
  (parse(fs.readFileSync(path.join(dir, 'pareto.csv')), { columns: true }) as Record<string, string>[]).map((r) => `${r.id} ${r.perplexity} ${r.latency_s}`);

test('accuracy rungs drop the configurations a paired comparison beats on the subset; the front is the full evaluation\'s; a second run in the process promotes the same; run.json and the report give the paired count', { timeout: 300_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdse-paired-'));
  try {
    const lines: string[] = [];
    const quiet = { jobs: 1, progress: 'none' as const, report: false, log: (l: string) => void lines.push(l) };
    const rungs = await runSpace({ spaceFile: space(dir, true), outDir: path.join(dir, 'rungs'), ...quiet });
    await runSpace({ spaceFile: space(dir, false), outDir: path.join(dir, 'full'), ...quiet });
    // the same space again in this process: the accuracy engine's in-process caches serve every
    // outcome (dse/evaluate.ts runAccuracy), each with the scores of its own examples, so the
    // promotion is the first run's (it compared the CIs only when a cached 16-window outcome came
    // without scores, its configuration's 32-window state being the one kept: all 8 promoted)
    const again = await runSpace({ spaceFile: space(dir, true), outDir: path.join(dir, 'again'), ...quiet });
    const rungLines = lines.filter((l) => l.startsWith('accuracy rungs 16 → 32 examples'));
    assert.equal(rungLines.length, 2, lines.join('\n'));
    assert.equal(rungLines[1], rungLines[0], 'the second run promotes as the first');
    const csv = (d: string) => fs.readFileSync(path.join(dir, d, 'points.csv'), 'utf8');
    assert.equal(csv('again'), csv('rungs'), "the second run's points, subset and full, are the first's");
    assert.deepEqual(again.run.separability, rungs.run.separability);
    const said = rungLines[0];
    const m = /: 16 → (\d+) evaluations, 8 → (\d+) algorithm configurations$/.exec(said ?? '');
    assert.ok(m, `the rungs' line: ${said}`);
    const promoted = Number(m[2]);
    assert.ok(promoted >= 1 && promoted < 8, `some configurations stay at the subset: ${said}`);
    assert.equal(Number(m[1]), 2 * promoted, 'a promoted configuration runs its 2 designs');
    // the same front, point for point, as every configuration on all 32 windows
    assert.deepEqual(front(path.join(dir, 'rungs')), front(path.join(dir, 'full')));
    assert.equal(rungs.run.separability?.method, 'paired', JSON.stringify(rungs.run.separability));
    assert.equal(rungs.run.separability?.metric, 'perplexity');
    // the report's note: the paired count, or none when every dominated point is certainly dominated
    const n = rungs.run.separability!.inseparable;
    const notes = notesSection(rungs.run, rungs.rows);
    if (n > 0) assert.match(notes, new RegExp(`not statistically separable for ${n} dominated feasible point.*compared example by example`));
    else assert.doesNotMatch(notes, /not statistically separable/);
    // a large run's report holds a sample of its points: the count says it is of those
    const sampled = { ...rungs.run, separability: { ...rungs.run.separability!, inseparable: 2 }, counts: { ...rungs.run.counts, total: rungs.rows.length + 100 } };
    assert.match(notesSection(sampled, rungs.rows), new RegExp(`not statistically separable for 2 dominated feasible points of the ${rungs.rows.length} this report draws: compared example by example`));
    assert.match(notesSection({ ...sampled, counts: rungs.run.counts }, rungs.rows), /separable for 2 dominated feasible points: compared/, 'every point drawn: no "of the …"');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
