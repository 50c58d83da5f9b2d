/**
 * Regenerates the README's "At a glance" table (block `glance`) from the commands that produce
 * its figures: `reproduce fig19a|fig20 --json`, `compare [--fidelity cycle] --json`, `accuracy
 * --json` on the shipped checkpoints, and the energy calibration run (sim/hw/calibrate.ts); the
 * "Metrics" paragraph's speedup-per-area factor (block `per-area`, two `simulate --json` runs); and
 * the Outputs section's `recommended:` line of the default sweep (block `knee-why`).
 *
 *   npm run readme        (about two minutes: 19 accuracy runs, the default sweep)
 *
 * Each command runs as a user runs it (`node bin/spatten-dse.js …`); the table says which.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeGeneratedBlock } from '../bench/readme-block.ts';
import { calibrationReport } from '../sim/hw/calibrate.ts';
import { cli, f3, r2, ROOT } from './readme-commands.ts';
import { wrap } from './readme-cycle-runs.ts';

const pct = (x: number, base: number) => {
  const d = (x / base - 1) * 100;
  const a = Math.abs(d);
  return `${d >= 0 ? '+' : '−'}${a.toFixed(a < 1 ? 2 : a < 100 ? 1 : 0)}%`;
};
const say = (s: string) => process.stderr.write(`${s}\n`);

interface Fig19 { config: string; relative: number[]; gopsAt16: number }
interface Fig20 { config: string; rows: { stepSpeedup: number }[] }
interface Ratio { speedup: number; energySaving: number }
interface Compare {
  rows: { design: string; gops: number; gopPerJ: number; gopsPerMm2: number | null }[];
  vsA3: Ratio;
  vsMnnfast: Ratio;
  why: { ours: { pjPerOp: number; dramPjPerOp: number; onChipPjPerOp: number }; paper: { gops: number; dramPjPerOp: number; onChipPjPerOp: number } };
}
interface Acc { accuracy?: number; perplexity?: number; n: number; tokenKeepOverall?: number }

export function fig19Row(): string {
  const rel = (m: string) => cli<{ configurations: Fig19[] }>(['reproduce', 'fig19a', '--fidelity', m]).configurations.find((c) => c.config === 'table1')!;
  const c = rel('cycle');
  const a = rel('analytical');
  const list = (xs: number[]) => xs.map((x) => (x === 1 ? '1' : f3(x))).join(' / ');
  return `| Fig. 19a on Table I, per8 (\`reproduce fig19a\`, cycle / analytical) | ${list(c.relative)} — ${Math.round(c.gopsAt16)} GOP/s at 16; analytical ${list(a.relative)} — ${Math.round(a.gopsAt16)} | 0.217 / 0.385 / 0.625 / 0.841 / 1 / 0.993 — 776 GOP/s |`;
}

export function fig20Row(): string {
  const all = cli<{ configurations: Fig20[] }>(['reproduce', 'fig20']).configurations;
  const steps = (name: string) => all.find((c) => c.config === name)!.rows.slice(1).map((r) => `${r2(r.stepSpeedup)}×`).join(' / ');
  return `| Fig. 20 steps on Table I, local-V 0.3 (\`reproduce fig20\`, cycle) | ${steps('table1')} (no local-V: ${steps('table1-no-local-v')}) | 1.1 / 1.1 / 3 / 1.6 / 1.7× |`;
}

export function compareRow(): string {
  const run = (m: string[]) => cli<Compare>(['compare', ...m]);
  const [ra, rc] = [run([]), run(['--fidelity', 'cycle'])];
  const ours = (r: Compare) => r.rows.find((x) => x.design.startsWith('SpAtten1/8'))!;
  const [a, c] = [ours(ra), ours(rc)];
  const area = a.gops / a.gopsPerMm2!;
  const both = (f: (r: Compare) => number, d = 2) => `${f(ra).toFixed(d)} / ${f(rc).toFixed(d)}`;
  const ratios = (k: 'vsA3' | 'vsMnnfast') => `${both((r) => r[k].speedup)}× speedup, ${both((r) => r[k].energySaving)}× energy saving`;
  const pj = `${both((r) => r.why.ours.pjPerOp)} pJ per dense op = DRAM ${both((r) => r.why.ours.dramPjPerOp)} + on-chip ${both((r) => r.why.ours.onChipPjPerOp)}`;
  return `| Table III, SpAtten1/8 on BERT-Base, L 320 (\`compare\`, analytical / \`--fidelity cycle\`) | ${Math.round(a.gops)} / ${Math.round(c.gops)} GOP/s, ${Math.round(a.gopPerJ)} / ${Math.round(c.gopPerJ)} GOP/J, ${Math.round(a.gopsPerMm2!)} / ${Math.round(c.gopsPerMm2!)} GOP/s/mm² (area ${r2(area)} mm²); over A³ ${ratios('vsA3')}; over MNNFast ${ratios('vsMnnfast')}; ${pj} | withheld; 1.6× speedup, 1.4× energy saving over A³; 3.0×, 3.2× over MNNFast; 1.55 mm²; A³'s DRAM power (SpAtten1/8's too, §V-B) at ${ra.why.paper.gops} GOP/s: ${r2(ra.why.paper.dramPjPerOp)} pJ per dense op, leaving ≤ ${r2(ra.why.paper.onChipPjPerOp)} on-chip for the 1.4× |`;
}

export function calibrationRow(): string {
  const r = calibrationReport();
  return `| default design area / power (calibration workload, \`sim/hw/calibrate.ts\`) | ${r2(r.result.area_mm2)} mm² / ${r2(r.tableII.total)} W (DRAM ${r2(r.tableII.dram)} W, not fitted) | 18.71 mm² / 8.30 W (Fig. 13, Table II) |`;
}

function spamRow(): string {
  const dense = cli<Acc>(['accuracy', '--model', 'spam-bert']);
  const pruned = cli<Acc>(['accuracy', '--model', 'spam-bert', '--set', 'algo.tokenKeep=0.3', '--set', 'algo.headKeep=0.75']);
  const p = (a: Acc) => `${(100 * a.accuracy!).toFixed(2)}%`;
  return `| spam-bert accuracy (\`accuracy --model spam-bert [--set algo.tokenKeep=0.3 --set algo.headKeep=0.75]\`, ${dense.n.toLocaleString('en-US')} test emails) | dense ${p(dense)}; pruned ${p(pruned)} | — |`;
}

/** Perplexity of an LM with extra arguments. */
const ppl = (model: string, extra: string[] = []) => cli<Acc>(['accuracy', '--model', model, ...extra]).perplexity!;
const keep = (k: number) => ['--set', `algo.tokenKeep=${k}`];

function lmRow(model: string, label: string, extraNote: (dense: number) => string): string {
  say(`  ${model}`);
  const dense = ppl(model);
  const last8 = ppl(model, ['--context', '8']);
  const runs = [0.5, 0.25, 0.125].map((k) => cli<Acc>(['accuracy', '--model', model, ...keep(k)]));
  const ratios = runs.map((r) => pct(r.perplexity!, dense)).join(' / ');
  // 1 / tokenKeep is the reduction in the pruned layers; the dense front layer keeps more overall
  const overall = runs.map((r) => `${(1 / r.tokenKeepOverall!).toFixed(2)}×`).join(' / ');
  const target = model === 'sotu-char' ? 'last 8 ≥ +10%; 4× ≤ ~3%, 8× ≥ 5% (paper Fig. 21: −1.2% at 4×, −40% at 8.3×; its ratio\'s definition is not given)' : 'as above';
  return `| ${label} (\`accuracy --model ${model} [--context 8] [--set algo.tokenKeep=K]\`, 64 windows) | dense ${f3(dense)}; last 8 characters ${pct(last8, dense)}; 2× / 4× / 8× KV pruning (tokenKeep 0.5 / 0.25 / 0.125; with layer 0 dense, ${overall} fewer KV tokens over all layers) ${ratios}${extraNote(dense)} | ${target} |`;
}

/** The design points of the speedup-per-area sentence: the default and one with another SRAM and top-k. */
const PER_AREA_POINTS = [[], ['--set', 'hw.keySramKB=64', '--set', 'hw.topkParallelism=4']];
const PER_AREA_RUN = ['simulate', '-w', 'bert-large-squad-v1', '--scope', 'e2e', '--baseline', 'titan-xp'];

/**
 * The README's "Metrics" paragraph on speedup per area (block `per-area`): `gops_per_mm2` ÷ (speedup
 * ÷ area) is the workload's operations over the baseline's latency, one constant for every design of
 * a sweep, which two `simulate --json` runs print (about 1 s).
 */
export function perAreaBlock(): string[] {
  interface Sim { gops_per_mm2: number; area_mm2: number; speedup: number }
  const k = PER_AREA_POINTS.map((set) => {
    const r = cli<Sim>([...PER_AREA_RUN, ...set]);
    return (r.gops_per_mm2 * r.area_mm2) / r.speedup;
  });
  if (Math.abs(k[1] / k[0] - 1) > 1e-9) throw new Error(`README per-area: gops_per_mm2 / (speedup / area) differs between designs (${k.join(' vs ')}); rewrite the sentence in scripts/readme-glance.ts`);
  const factor = k[0].toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const text = `There is no speedup-per-area metric: in a sweep of hardware knobs on one workload and algo setting the operations are the same at every point, so \`gops_per_mm2\` ranks the designs as speedup / area does (BERT-Large SQuAD, \`scope: e2e\`, over TITAN Xp: \`gops_per_mm2\` = ${factor} × speedup / area at every SRAM size and top-k parallelism, e.g. \`${PER_AREA_RUN.join(' ')} [${PER_AREA_POINTS[1].join(' ')}] --json\`); maximise it as the objective.`;
  return wrap(text, '', '', 115);
}

/**
 * The Outputs section's example (block `knee-why`): the `recommended:` line `npm start`'s sweep
 * prints, as the terminal prints it (`run spaces/default.yaml` into a temporary folder, without the
 * report; about a minute).
 */
export function kneeWhyBlock(): string[] {
  const out = mkdtempSync(path.join(os.tmpdir(), 'readme-knee-'));
  try {
    const args = [path.join(ROOT, 'bin', 'spatten-dse.js'), 'run', 'spaces/default.yaml', '--out', out, '--force', '--progress', 'none', '--no-report'];
    const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26 });
    const line = r.stdout.split('\n').find((l) => l.startsWith('recommended'));
    if (r.status !== 0 || !line) throw new Error(`README knee-why: run spaces/default.yaml exited ${r.status} without a recommended line: ${r.stderr.slice(-800)}`);
    return ['```', line, '```'];
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** The table's rows, each from its command (the accuracy rows: 19 accuracy runs). */
function glanceRows(): string[] {
  say('glance: hardware rows');
  const rows = [calibrationRow(), fig19Row(), fig20Row(), compareRow()];
  say('glance: accuracy rows');
  rows.push(spamRow());
  rows.push(
    lmRow('sotu-char', 'sotu-char perplexity per character (the LM defaults: mean score, 10% floor)', (d) => {
      const sum = [0.25, 0.125].map((k) => pct(ppl('sotu-char', [...keep(k), '--set', 'algo.tokenScore=sum']), d)).join(' / ');
      return ` (with Alg. 2's plain sum, \`--set algo.tokenScore=sum\`, 4× / 8× ${sum}: sim/nn/README.md says why)`;
    }),
    lmRow('sotu-char-alibi', 'sotu-char-alibi, the same with ALiBi instead of learned positions', () => ''),
    lmRow('sotu-char-rope', 'sotu-char-rope, the same with rotary positions (RoPE)', () => ' (reads ~16 characters, like ALiBi: sim/nn/README.md, "RoPE")'),
  );
  return rows;
}

// run as a script (npm run readme); imported, only the row builders (test/readme-glance.test.ts)
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeGeneratedBlock(path.join(ROOT, 'README.md'), 'glance', '`npm run readme`', ['| what | ours | paper / target |', '|---|---|---|', ...glanceRows()]);
  writeGeneratedBlock(path.join(ROOT, 'README.md'), 'per-area', '`npm run readme`', perAreaBlock());
  say('glance: the default sweep\'s recommended line');
  writeGeneratedBlock(path.join(ROOT, 'README.md'), 'knee-why', '`npm run readme`', kneeWhyBlock());
  say('glance: README.md updated');
}
