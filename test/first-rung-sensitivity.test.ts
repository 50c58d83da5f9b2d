/**
 * With accuracy rungs, the quality sensitivity is computed from every configuration's first-rung
 * estimate (the same examples for all of them), not from the configurations the rungs promoted,
 * and a resumed run gives the same table. Checked on a small sotu-char space against a run of
 * every configuration on the first rung's 16 windows, whose points.csv holds those estimates.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { runSpace } from '../dse/run.ts';
import { sensitivitySection } from '../reports/sections.ts';

const PARAMS = ['hw.qkMultipliers', 'algo.tokenKeep', 'algo.valueKeep', 'algo.msbBits'];

/** sotu-char perplexity and GPT-2-Small latency over 8 algorithm configurations × 2 designs (test/paired-run.test.ts's); `accuracy`: the block's fields. */
const space = (dir: string, name: string, accuracy: string) => {
  const file = path.join(dir, `${name}.yaml`);
  fs.writeFileSync(
    file,
    `name: ${name}
workload: { model: gpt2-small, stage: generation, seqLen: 992, genTokens: 32 }
algo: { lsbBits: 0 }
accuracy: { model: sotu-char, ${accuracy} }
objectives:
  - { metric: perplexity, goal: min }
  - { metric: latency_s, goal: min }
parameters:
${PARAMS.map((k, i) => `  ${k}: ${['[256, 512]', '[1.0, 0.25]', '[1.0, 0.5]', '[4, 8]'][i]}`).join('\n')}
search: { driver: grid }
`,
  );
  return file;
};

const rowsOf = (dir: string) => parse(fs.readFileSync(path.join(dir, 'points.csv')), { columns: true }) as Record<string, string>[];

/** η² of `y` grouped by each parameter, by hand: between-group over total sum of squares; and the group means. */
function etaSquared(rows: Record<string, string>[], y: number[]): Record<string, { share: number; lo: number; hi: number }> {
  const mean = y.reduce((a, b) => a + b, 0) / y.length;
  const total = y.reduce((a, v) => a + (v - mean) ** 2, 0);
  const out: Record<string, { share: number; lo: number; hi: number }> = {};
  for (const k of PARAMS) {
    const groups = new Map<string, number[]>();
    rows.forEach((r, i) => groups.set(r[k], [...(groups.get(r[k]) ?? []), y[i]]));
    const means = [...groups.values()].map((g) => g.reduce((a, b) => a + b, 0) / g.length);
    const between = [...groups.values()].reduce((a, g, i) => a + g.length * (means[i] - mean) ** 2, 0);
    out[k] = { share: between / total, lo: Math.min(...means), hi: Math.max(...means) };
  }
  return out;
}

test('perplexity sensitivity with accuracy rungs: over every configuration\'s first-rung estimate, as a run of all of them on those windows gives; resumed: the same; the report says which rung', { timeout: 300_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdse-first-rung-'));
  try {
    const lines: string[] = [];
    const quiet = { jobs: 1, progress: 'none' as const, report: false, log: (l: string) => void lines.push(l) };
    const rungsDir = path.join(dir, 'rungs');
    const rungs = await runSpace({ spaceFile: space(dir, 'rungs', 'maxExamples: 32, subsetExamples: 16'), outDir: rungsDir, ...quiet });
    // every configuration on the first rung's windows (the first 16: a rung's examples are a prefix of the next one's)
    const sixteenDir = path.join(dir, 'sixteen');
    await runSpace({ spaceFile: space(dir, 'sixteen', 'maxExamples: 16'), outDir: sixteenDir, ...quiet });
    const rows = rowsOf(rungsDir);
    const first = rowsOf(sixteenDir);
    assert.equal(rows.length, 16);
    const promoted = rows.filter((r) => !r.fidelity.includes(':subset(n=16)'));
    assert.ok(promoted.length > 0 && promoted.length < 16, `the rungs took some configurations further: ${promoted.length} of 16 points`);
    // the first-rung rows are the 16-window run's (same ids: the same grid)
    for (const r of rows.filter((x) => x.fidelity.includes(':subset(n=16)'))) assert.equal(r.perplexity, first[Number(r.id)].perplexity, `#${r.id}`);
    assert.ok(promoted.some((r) => r.perplexity !== first[Number(r.id)].perplexity), 'a promoted point has another value on 32 windows');

    const table = rungs.run.sensitivity!.metrics.find((m) => m.metric === 'perplexity')!;
    assert.deepEqual([table.n, table.left, table.examples, table.basis, table.further], [16, undefined, 16, 'first-rung', promoted.length]);
    const want = etaSquared(first, first.map((r) => Number(r.perplexity)));
    for (const e of table.effects) {
      const w = want[e.param];
      // points.csv rounds to 6 significant digits: shares agree to ~1e-6
      assert.ok(Math.abs(e.share - w.share) < 1e-5, `${e.param}: ${e.share} vs ${w.share}`);
      assert.ok(Math.abs(e.lo - w.lo) < 1e-5 * w.lo && Math.abs(e.hi - w.hi) < 1e-5 * w.hi, `${e.param}: ${e.lo}…${e.hi} vs ${w.lo}…${w.hi}`);
    }
    assert.deepEqual(table.effects.map((e) => e.param).sort(), [...PARAMS].sort());
    assert.equal(table.effects.find((e) => e.param === 'hw.qkMultipliers')!.share, 0, 'the hardware knob moves no perplexity');
    // the promoted points alone (their 32-window values) give other shares: the table is not theirs
    const alone = etaSquared(promoted, promoted.map((r) => Number(r.perplexity)));
    assert.ok(table.effects.some((e) => Math.abs(e.share - (alone[e.param]?.share ?? 0)) > 0.01), 'the promoted points alone differ');

    // the same command again: every evaluation from the journal, the same table
    const again = await runSpace({ spaceFile: path.join(dir, 'rungs.yaml'), outDir: rungsDir, resume: true, ...quiet });
    assert.match(lines.find((l) => l.includes('reused from the journal')) ?? lines.join('\n'), /^resume: 24 evaluations reused from the journal, 0 new/, '16 first-rung and 8 promoted evaluations');
    assert.deepEqual(again.run.sensitivity, rungs.run.sensitivity);

    // the report: the title and the note say the first rung and its windows
    const text = sensitivitySection(rungs.run, rungs.rows).replace(/<[^>]+>/g, ' ').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/\s+/g, ' ');
    assert.match(text, /perplexity \(first rung: 16 examples\) # parameter variance share \(Sobol first-order\)/, text);
    assert.match(text, new RegExp(`perplexity: every point's estimate on the first accuracy rung, 16 examples, the same examples for every configuration .* ${promoted.length} of the 16 points were evaluated on more examples`), text);
    assert.match(text, /Computed from all 16 successfully evaluated points\. The perplexity table uses each point's estimate on the first accuracy rung: see the note under it\./, text);
    assert.doesNotMatch(text, /left out/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
