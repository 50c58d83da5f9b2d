/**
 * Regenerates the README's "At a glance" table (block `glance`) from the commands that produce
 * its figures: `reproduce fig19a|fig20 --json`, `compare [--fidelity cycle] --json`, `accuracy
 * --json` on the shipped checkpoints, and the energy calibration run (sim/hw/calibrate.ts).
 *
 *   npm run readme        (about a minute: 19 accuracy runs)
 *
 * Each command runs as a user runs it (`node bin/spatten-dse.js …`); the table says which.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeGeneratedBlock } from '../bench/readme-block.ts';
import { calibrationReport } from '../sim/hw/calibrate.ts';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

/** `spatten-dse ARGS --json`, parsed. */
function cli<T>(args: string[]): T {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'spatten-dse.js'), ...args, '--json'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`spatten-dse ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-800)}`);
  return JSON.parse(r.stdout) as T;
}

const f3 = (x: number) => x.toFixed(3);
const r2 = (x: number) => x.toFixed(2);
const pct = (x: number, base: number) => {
  const d = (x / base - 1) * 100;
  const a = Math.abs(d);
  return `${d >= 0 ? '+' : '−'}${a.toFixed(a < 1 ? 2 : a < 100 ? 1 : 0)}%`;
};
const say = (s: string) => process.stderr.write(`${s}\n`);

interface Fig19 { config: string; relative: number[]; gopsAt16: number }
interface Fig20 { config: string; rows: { stepSpeedup: number }[] }
interface Compare { rows: { design: string; gops: number; gopPerJ: number; gopsPerMm2: number | null }[] }
interface Acc { accuracy?: number; perplexity?: number; n: number; tokenKeepOverall?: number }

function fig19Row(): string {
  const rel = (m: string) => cli<{ configurations: Fig19[] }>(['reproduce', 'fig19a', '--fidelity', m]).configurations.find((c) => c.config === 'table1')!;
  const c = rel('cycle');
  const a = rel('analytical');
  const list = (xs: number[]) => xs.map((x) => (x === 1 ? '1' : f3(x))).join(' / ');
  return `| Fig. 19a on Table I, per8 (\`reproduce fig19a\`, cycle / analytical) | ${list(c.relative)} — ${Math.round(c.gopsAt16)} GOP/s at 16; analytical ${list(a.relative)} — ${Math.round(a.gopsAt16)} | 0.217 / 0.385 / 0.625 / 0.841 / 1 / 0.993 — 776 GOP/s |`;
}

function fig20Row(): string {
  const all = cli<{ configurations: Fig20[] }>(['reproduce', 'fig20']).configurations;
  const steps = (name: string) => all.find((c) => c.config === name)!.rows.slice(1).map((r) => `${r2(r.stepSpeedup)}×`).join(' / ');
  return `| Fig. 20 steps on Table I, local-V 0.3 (\`reproduce fig20\`, cycle) | ${steps('table1')} (no local-V: ${steps('table1-no-local-v')}) | 1.1 / 1.1 / 3 / 1.6 / 1.7× |`;
}

function compareRow(): string {
  const ours = (m: string[]) => cli<Compare>(['compare', ...m]).rows.find((r) => r.design.startsWith('SpAtten1/8'))!;
  const a = ours([]);
  const c = ours(['--fidelity', 'cycle']);
  const area = a.gops / a.gopsPerMm2!;
  return `| Table III, SpAtten1/8 on BERT-Base, L 320 (\`compare\`, analytical / \`--fidelity cycle\`) | ${Math.round(a.gops)} / ${Math.round(c.gops)} GOP/s, ${Math.round(a.gopPerJ)} / ${Math.round(c.gopPerJ)} GOP/J, ${Math.round(a.gopsPerMm2!)} / ${Math.round(c.gopsPerMm2!)} GOP/s/mm² (area ${r2(area)} mm²) | withheld; 1.6× / 1.4× over A³; 1.55 mm² |`;
}

function calibrationRow(): string {
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

writeGeneratedBlock(path.join(ROOT, 'README.md'), 'glance', '`npm run readme`', ['| what | ours | paper / target |', '|---|---|---|', ...rows]);
say('glance: README.md updated');
