/**
 * Regenerates the paper-figure tables of sim/cycle/README.md (blocks `fig19a`, `topk-readings`,
 * `fig20`, `dram-sensitivity`) from the commands that produce them: `reproduce fig19a|fig20
 * --json` at both fidelities, `scripts/topk-readings.ts --json` and `scripts/gpt2-bandwidth.ts
 * --json`. Run by `npm run readme` after the project README's glance table (about 15 s).
 *
 * Each command runs as a user runs it; test/readme-cycle.test.ts checks the blocks are current.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeGeneratedBlock } from '../bench/readme-block.ts';
import { cli, f3, r2, ROOT, script } from './readme-commands.ts';

export const CYCLE_README = path.join(ROOT, 'sim', 'cycle', 'README.md');
export const CYCLE_README_COMMAND = '`npm run readme`';

const int = (x: number) => Math.round(x).toLocaleString('en-US');
const rel = (x: number) => (x === 1 ? '1' : f3(x));
const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
const rule = (n: number) => `|${'---|'.repeat(n)}`;
/** A stage's name as the prose writes it. */
const stage = (s: string) => ({ topk: 'top-k', dram: 'DRAM' })[s] ?? s;

interface Fig19 { config: string; P: number[]; gops: number[]; relative: number[]; paper: number[]; paperGops: number[] }
interface Fig20 { config: string; rows: { step: string; stepSpeedup: number }[] }
interface Fig20Out { configurations: Fig20[]; paper: { steps: number[]; combined: { name: string; from: number; to: number; paper: number }[] } }
interface Readings { comparators: number[]; paper: number[]; readings: { reading: string; relative: number[]; at16: { topk: number; dram: number; busiest: string } }[] }
interface Bandwidth {
  paper: { cumulative: number[]; suiteTflops: number; per8Gops: number };
  rows: { dram: string; cumulative: number[]; suiteTflops: number; per8Gops: number }[];
}

/** Fig. 19a on Table I: the paper's bars beside both models, GOP/s and relative to 16 comparators. */
export function fig19aBlock(): string[] {
  const table1 = (m: string) => cli<{ configurations: Fig19[] }>(['reproduce', 'fig19a', '--fidelity', m]).configurations.find((c) => c.config === 'table1')!;
  const [c, a] = [table1('cycle'), table1('analytical')];
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
  const r = script<Readings>('topk-readings.ts');
  return [
    row(['reading (turn-around, first round)', ...r.comparators, 'per8 @16: top-k / DRAM, busiest']),
    rule(r.comparators.length + 2),
    row(['paper Fig. 19a', ...r.paper.map(rel), 'DRAM-bound (§I)']),
    ...r.readings.map((x) => row([x.reading, ...x.relative.map(rel), `${int(x.at16.topk)} / ${int(x.at16.dram)}, ${stage(x.at16.busiest)}`])),
  ];
}

/** Fig. 20's steps on Table I: paper, cycle, analytical, and cycle without local-V, with the paper's combined steps. */
export function fig20Block(): string[] {
  const run = (m: string) => cli<Fig20Out>(['reproduce', 'fig20', '--fidelity', m]);
  const [c, a] = [run('cycle'), run('analytical')];
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
  const b = script<Bandwidth>('gpt2-bandwidth.ts');
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
];

// run as a script (npm run readme); imported, only the block builders (test/readme-cycle.test.ts)
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const [name, build] of CYCLE_BLOCKS) {
    process.stderr.write(`sim/cycle/README.md: ${name}\n`);
    writeGeneratedBlock(CYCLE_README, name, CYCLE_README_COMMAND, build());
  }
}
