/**
 * compare says why its energy saving over A³ / MNNFast (1.16× / 2.61×) falls short of the paper's
 * 1.4× / 3.2× while the speedups are close: Table III's GOP/J is dense operations per joule, so the
 * saving is set by the energy per dense operation alone. The paper gives A³ and SpAtten1/8 one DRAM
 * power, which with A³'s 221 GOP/s, 269 GOP/J and 110.4 mW on-chip fixes the DRAM and on-chip
 * energy per operation its ratios imply; the run's own breakdown (simulate --json) is set beside
 * them. The expectations are hand calculations from the paper's figures and the breakdown.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'spatten-dse.js');
const run = (args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
};
const near = (a: number, b: number, tol: number, what: string) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

// BERT-Base, L 320: 12 layers × 12 heads × (Q·Kᵀ + prob·V) × 2 ops × 320² pairs × 64 = 3,774,873,600 ops.
const DENSE_OPS = 12 * 12 * 2 * 2 * 320 * 320 * 64;
// compare's settings (COMPARE_ALGO) on the spatten-1/8 preset, through simulate: an independent path.
const SIM = ['simulate', '-w', 'bert-base', '--preset', 'spatten-1/8', '--seq-len', '320', '--set', 'algo.tokenKeep=0.55', '--set', 'algo.valueKeep=0.8', '--set', 'algo.headKeep=0.9', '--set', 'algo.msbBits=8', '--set', 'algo.lsbBits=0', '--json'];

test("the paper's implied SpAtten1/8 energy per dense operation, by hand from Table III and A³ Table I", () => {
  const w = JSON.parse(run(['compare', '--json'])).why;
  // A³: 221 GOP/s / 269 GOP/J = 0.82156 W; on-chip 98.92 + 11.502 mW = 0.110422 W; DRAM 0.71114 W.
  near(w.paper.a3PowerW, 221 / 269, 1e-12, 'A³ power');
  near(w.paper.dramPowerW, 0.71114, 1e-5, 'shared DRAM power');
  // SpAtten1/8: 1.6 × 221 = 353.6 GOP/s; 1.4 × 269 = 376.6 GOP/J = 2.6553 pJ/op; DRAM 0.71114 W / 353.6 GOP/s = 2.0111 pJ/op.
  near(w.paper.gops, 353.6, 1e-9, 'paper GOP/s');
  near(w.paper.pjPerOp, 2.6553, 1e-4, 'paper pJ/op');
  near(w.paper.dramPjPerOp, 2.0111, 1e-4, 'paper DRAM pJ/op');
  near(w.paper.onChipPjPerOp, 0.6442, 1e-4, 'paper on-chip pJ/op');
  near(w.needPjPerOp.vsMnnfast, 1000 / 384, 1e-9, 'MNNFast 3.2 × 120 GOP/J');
});

test("compare's why line is the run's own breakdown per dense operation: the gap is on-chip, its largest term the unscaled control energy", () => {
  const sim = JSON.parse(run(SIM));
  const b = sim.energy_breakdown_j as Record<string, number>;
  const pj = (j: number) => (j / DENSE_OPS) * 1e12;
  const total = pj(sim.energy_j);
  const dram = pj(b.dram);
  const j = JSON.parse(run(['compare', '--json']));
  near(j.why.ours.pjPerOp, total, 1e-9, 'ours pJ/op');
  near(j.why.ours.dramPjPerOp, dram, 1e-9, 'ours DRAM pJ/op');
  // Our DRAM per dense op (1.99 pJ) is within 2% of the paper's implied 2.01; on-chip is twice its 0.64.
  near(dram, 2.0111, 0.04, 'DRAM per op near the paper-implied');
  assert.ok(total - dram > 1.8 * 0.6442, `on-chip ${total - dram} pJ/op is not about twice 0.644`);
  assert.equal(j.why.dominant, 'on-chip');
  assert.equal(j.why.largestOnChip.term, 'others');
  near(j.why.largestOnChip.pjPerOp, pj(b.others), 1e-9, 'others pJ/op');
  // others costs the same per cycle on SpAtten1/8 as on the full Table I design.
  const full = JSON.parse(run(SIM.map((a) => (a === 'spatten-1/8' ? 'spatten' : a))));
  near((b.others / sim.cycles) * 1e12, (full.energy_breakdown_j.others / full.cycles) * 1e12, 1e-6, 'others pJ/cycle, 1/8 vs full');
  assert.equal(j.why.largestOnChip.fullDesignRate, true);

  const text = run(['compare']);
  const fmt = (x: number) => x.toFixed(2);
  assert.match(text, new RegExp(`ours ${fmt(total)} pJ/op = DRAM ${fmt(dram)} \\(${Math.round((100 * b.dram) / sim.energy_j)}%\\) \\+ on-chip ${fmt(total - dram)};`));
  assert.match(text, /the paper's 1\.4× over A³ needs ≤ 2\.66 pJ\/op \(its 3\.2× over MNNFast ≤ 2\.60\)/);
  assert.match(text, /at 1\.6 × 221 = 353\.6 GOP\/s that is 2\.01 pJ\/op of DRAM \(76% of its 2\.66; ours /);
  assert.match(text, new RegExp(`leaves 0\\.64 pJ/op on-chip \\(ours ${fmt(total - dram)}, [0-9.]+×\\): the gap is on-chip\\.`));
  assert.match(text, new RegExp(`Largest on-chip term: others \\(control, importance accumulators, clock tree\\), ${fmt(pj(b.others))} pJ/op`));
});

test("compare states what its GOP/s and GOP/J count, with this workload's dense operations", () => {
  const text = run(['compare']);
  assert.match(text, /^GOP\/s, GOP\/J: effective, i\.e\. the unpruned attention's dense operations \(Q·Kᵀ and prob·V, multiply \+ add: 3\.77 GOP on this workload\)/m);
  assert.match(text, /executed here: \d+\.\d\d GOP \(simulate's gops\)$/m);
});

test("README's account of the Table III energy gap: compare's own figures, from the generated glance block", async () => {
  const { readFileSync } = await import('node:fs');
  const readme = readFileSync(path.join(path.dirname(BIN), '..', 'README.md'), 'utf8');
  const w = JSON.parse(run(['compare', '--json'])).why;
  const f2 = (x: number) => x.toFixed(2);
  // ours: in the block `npm run readme` writes (analytical / cycle), not quoted by hand in the prose
  const row = readme.split('\n').find((l) => l.startsWith('| Table III'))!;
  assert.ok(row.includes(`${f2(w.ours.pjPerOp)} / `) && row.includes(`DRAM ${f2(w.ours.dramPjPerOp)} / `) && row.includes(`on-chip ${f2(w.ours.onChipPjPerOp)} / `), `README glance: our pJ/op, DRAM and on-chip: ${row}`);
  // the paper's side, derived from A³'s figures (A³ 0.822 W at 221 GOP/s, 0.110 W on-chip: 2.01 pJ/op of DRAM at 353.6 GOP/s, 0.64 left)
  assert.ok(row.includes(`at 353.6 GOP/s: ${f2(w.paper.dramPjPerOp)} pJ per dense op, leaving ≤ ${f2(w.paper.onChipPjPerOp)} on-chip`), 'README glance: the paper side');
  const prose = readme.replace(/\s+/g, ' ');
  assert.ok(prose.includes('the gap is on-chip. Its largest term is the control and clock-tree energy ("others")'), 'README: names the others term');
  assert.ok(w.largestOnChip.term === 'others' && w.dominant === 'on-chip', 'compare agrees: others is the largest on-chip term, the gap on-chip');
});
