/**
 * Regenerates the paper-figure tables of sim/cycle/README.md (blocks `fig19a`, `topk-readings`,
 * `fig20`, `dram-sensitivity`) from the commands that produce them: `reproduce fig19a|fig20
 * --json` at both fidelities, `scripts/topk-readings.ts --json` and `scripts/gpt2-bandwidth.ts
 * --json`; then the sentences that quote those and a few more commands (scripts/readme-cycle-prose.ts),
 * the "Known gaps" figures a quick command gives (scripts/readme-cycle-gaps.ts), the validation of
 * the expected DRAM cost against exact profiles (`scripts/dram-validate.ts --count 3000 --salts 16`,
 * about 8 s) and how far one token of context moves an exact profile (`scripts/gather-jitter.ts`;
 * both scripts/readme-cycle-dram.ts), and the "Analytical vs cycle" table from
 * test/cycle-xval.test.ts's runs (scripts/readme-cycle-xval.ts).
 * Run by `npm run readme` after the project README's glance table (about 35 s of CPU).
 *
 * Each command runs as a user runs it; test/readme-cycle.test.ts checks the blocks are current.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeGeneratedBlock } from '../bench/readme-block.ts';
import { f3, r2, ROOT } from './readme-commands.ts';
import { bandwidth, fig19, fig20Out, int, readings, rel, row, rule, stage, type Fig20Out, type Model } from './readme-cycle-runs.ts';
import { CYCLE_PROSE_BLOCKS } from './readme-cycle-prose.ts';
import { XVAL_BLOCK } from './readme-cycle-xval.ts';
import { CYCLE_GAP_BLOCKS } from './readme-cycle-gaps.ts';
import { DRAM_VALIDATE_BLOCKS } from './readme-cycle-dram.ts';

export const CYCLE_README = path.join(ROOT, 'sim', 'cycle', 'README.md');
export const CYCLE_README_COMMAND = '`npm run readme`';


/** Fig. 19a on Table I: the paper's bars beside both models, GOP/s and relative to 16 comparators. */
export function fig19aBlock(): string[] {
  const [c, a] = [fig19('cycle', 'table1'), fig19('analytical', 'table1')];
  const at16 = c.P.indexOf(16);
  const cells = (g: number[], r: number[]) => g.map((x, i) => (i === at16 ? `**${Math.round(x)}** (1)` : `${Math.round(x)} (${rel(r[i])})`));
  return [
    row(['comparators', ...c.P]),
    rule(c.P.length + 1),
    row(['paper GOP/s (relative)', ...c.paperGops.map((x, i) => `${Math.round(x)} (${rel(c.paper[i])})`)]),
    row(['cycle', ...cells(c.gops, c.relative)]),
    row(['analytical', ...cells(a.gops, a.relative)]),
  ];
}

/** The top-k engine's readings (turn-around, first round) through the simulator on per8. */
export function readingsBlock(): string[] {
  const r = readings();
  return [
    row(['reading (turn-around, first round)', ...r.comparators, 'per8 @16: top-k / DRAM, busiest']),
    rule(r.comparators.length + 2),
    row(['paper Fig. 19a', ...r.paper.map(rel), 'DRAM-bound (§I)']),
    ...r.readings.map((x) => row([x.reading, ...x.relative.map(rel), `${int(x.at16.topk)} / ${int(x.at16.dram)}, ${stage(x.at16.busiest)}`])),
  ];
}

/** Fig. 20's steps on Table I: paper, cycle, analytical, and cycle without local-V, with the paper's combined steps. */
export function fig20Block(): string[] {
  const [c, a] = (['cycle', 'analytical'] as Model[]).map(fig20Out);
  const steps = (o: Fig20Out, name: string) => o.configurations.find((x) => x.config === name)!.rows.map((s) => s.stepSpeedup);
  const cols = [steps(c, 'table1'), steps(a, 'table1'), steps(c, 'table1-no-local-v')];
  const names = c.configurations.find((x) => x.config === 'table1-no-local-v')!.rows.map((s) => s.step.replace(/ \(.*\)$/, ''));
  const product = (xs: number[], from: number, to: number) => xs.slice(from + 1, to + 1).reduce((p, x) => p * x, 1);
  const times = (x: number) => `${r2(x)}×`;
  return [
    row(['step', 'paper', 'cycle', 'analytical', 'cycle, no local-V']),
    rule(5),
    ...names.slice(1).map((n, j) => row([n, `${c.paper.steps[j + 1]}×`, ...cols.map((s) => times(s[j + 1]))])),
    ...c.paper.combined.map((k) => row([k.name, `${k.paper}×`, ...cols.map((s) => times(product(s, k.from, k.to)))])),
  ];
}

/** Fig. 20 from the GPU, §5.4's GPT-2 TFLOPS and Fig. 19a's per8 point on other DRAM (scripts/gpt2-bandwidth.ts). */
export function dramSensitivityBlock(): string[] {
  const b = bandwidth();
  const line = (name: string, cum: number[], tflops: number, gops: number, d = 1) =>
    row([name, cum.map((x) => x.toFixed(d)).join(' / '), f3(tflops), Math.round(gops)]);
  return [
    row(['DRAM', 'Fig. 20 over TITAN Xp: datapath / + pruning, 16-comparator top-k / final', 'suite GPT-2 TFLOPS (§5.4)', 'per8 GOP/s at 16 (Fig. 19a)']),
    '|---|---|---:|---:|',
    ...b.rows.map((r) => line(r.dram, r.cumulative, r.suiteTflops, r.per8Gops)),
    row(['paper', b.paper.cumulative.map((x) => x.toFixed(1)).join(' / '), String(b.paper.suiteTflops), Math.round(b.paper.per8Gops)]),
  ];
}

export const CYCLE_BLOCKS: [string, () => string[]][] = [
  ['fig19a', fig19aBlock],
  ['topk-readings', readingsBlock],
  ['fig20', fig20Block],
  ['dram-sensitivity', dramSensitivityBlock],
  ...CYCLE_PROSE_BLOCKS,
  ...CYCLE_GAP_BLOCKS,
  ...DRAM_VALIDATE_BLOCKS,
];

// run as a script (npm run readme); imported, only the block builders (test/readme-cycle.test.ts;
// the xval block is checked by test/cycle-xval.test.ts, which has its runs at hand)
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const [name, build] of [...CYCLE_BLOCKS, XVAL_BLOCK]) {
    process.stderr.write(`sim/cycle/README.md: ${name}\n`);
    writeGeneratedBlock(CYCLE_README, name, CYCLE_README_COMMAND, build());
  }
}
