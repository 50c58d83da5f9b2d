/**
 * End-to-end points per second of `run` (driver + evaluator + Pareto + CSV/JSON writing), on a
 * 15,360-point analytical grid (6 × 4 × 4 × 5 × 4 × 4 × 2 values) over gpt2-medium generation.
 * The report is excluded (it samples).
 */
import { mkdtempSync, writeFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runSpace } from '../dse/run.ts';

const SPACE = `name: bench-run
workload: { model: gpt2-medium, stage: generation, seqLen: 992, genTokens: 32 }
objectives:
  - { metric: latency_s, goal: min }
  - { metric: energy_j, goal: min }
constraints: ["area_mm2 <= 20"]
parameters:
  hw.topkParallelism: [1, 2, 4, 8, 16, 32]
  hw.keySramKB: [98, 196, 392, 784]
  hw.qkMultipliers: [128, 256, 512, 1024]
  hw.dramChannels: [2, 4, 8, 16, 32]
  algo.tokenKeep: { range: [0.25, 1.0], step: 0.25 }
  algo.msbBits: [4, 6, 8, 12]
  algo.valueKeep: [0.5, 1.0]
search: { driver: grid }
`;

export async function run(): Promise<object> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-run-'));
  const file = path.join(dir, 'space.yaml');
  writeFileSync(file, SPACE);
  const out = path.join(dir, 'out');
  const t0 = performance.now();
  const r = await runSpace({ spaceFile: file, outDir: out, progress: 'none', report: false });
  const s = (performance.now() - t0) / 1000;
  const bytes = statSync(path.join(out, 'points.csv')).size;
  rmSync(dir, { recursive: true, force: true });
  return {
    points: r.run.counts.total,
    wall_s: Number(s.toFixed(3)),
    points_per_s: Math.round(r.run.counts.total / s),
    pareto_points: r.run.counts.pareto,
    points_csv_bytes: bytes,
  };
}
