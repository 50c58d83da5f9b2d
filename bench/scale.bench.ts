/**
 * Scale of a run: analytical grids of 10⁵, 10⁶ and 10⁷ points run as a user runs them
 * (`node bin/spatten-dse.js run SPACE --out DIR`, default Node heap, report included), each under
 * `/usr/bin/time` (bench/timed.ts) for the wall time and the peak resident set size. The grid sweeps hardware
 * knobs only (values from lists), so the figures measure the runner — driver, evaluator, journal,
 * front, outputs — rather than workload rebuilding. `BENCH_SCALE=5,6` picks the exponents.
 */
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { writeReadmeBlock } from './readme-block.ts';
import { SMOKE } from './smoke.ts';
import { timedSync } from './timed.ts';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Ten values per knob; 10^k points use the first k knobs. No DRAM knob (channels, channel
 * bandwidth, queue depth, mapping) is swept: a new DRAM configuration is priced on its own HBM2
 * stream profile (milliseconds), so the grid measures the runner at the model's memoised speed.
 */
const KNOBS: [string, number[]][] = [
  ['hw.qkMultipliers', [64, 128, 192, 256, 320, 384, 448, 512, 768, 1024]],
  ['hw.topkParallelism', [1, 2, 3, 4, 6, 8, 12, 16, 24, 32]],
  ['hw.clockGHz', [0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.1, 1.2, 1.3, 1.4]],
  ['hw.keySramKB', [49, 98, 147, 196, 245, 294, 392, 490, 588, 784]],
  ['hw.pvMultipliers', [64, 128, 192, 256, 320, 384, 448, 512, 768, 1024]],
  ['hw.valueSramKB', [49, 98, 147, 196, 245, 294, 392, 490, 588, 784]],
  ['hw.softmaxParallelism', [1, 2, 3, 4, 6, 8, 12, 16, 24, 32]],
];

export function scaleSpace(exp: number): string {
  const params = KNOBS.slice(0, exp).map(([k, v]) => `  ${k}: [${v.join(', ')}]`).join('\n');
  return `name: scale-1e${exp}
workload: { model: gpt2-medium, stage: generation, seqLen: 992, genTokens: 32 }
fidelity: analytical
objectives:
  - { metric: latency_s, goal: min }
  - { metric: energy_j, goal: min }
constraints: ["area_mm2 <= 20"]
parameters:
${params}
search: { driver: grid }
`;
}

export function runScale(exp: number, extra: string[] = []): { points: number; pointsCsvRows: number; wallSeconds: number; cpuSeconds: number; peakRssMB: number; pointsPerSecond: number; outputsMB: Record<string, number> } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-scale-'));
  try {
    const file = path.join(dir, 'space.yaml');
    writeFileSync(file, scaleSpace(exp));
    const out = path.join(dir, 'out');
    const r = timedSync(process.execPath, [path.join(ROOT, 'bin', 'spatten-dse.js'), 'run', file, '--out', out, '--progress', 'none', ...extra], ROOT);
    if (r.status !== 0) throw new Error(`run 1e${exp} exited ${r.status}: ${r.stderr.slice(-2000)}`);
    const { wallSeconds, cpuSeconds, peakRssMB } = r;
    const outputsMB: Record<string, number> = {};
    for (const f of ['points.csv', 'pareto.csv', 'run.json', 'report.html', 'journal.jsonl']) {
      try {
        outputsMB[f] = Math.round(statSync(path.join(out, f)).size / 1e4) / 100;
      } catch {
        outputsMB[f] = -1;
      }
    }
    const points = 10 ** exp;
    // every point is a row of points.csv (no cell of this grid holds a newline) and counted in run.json
    const rows = countLines(path.join(out, 'points.csv')) - 1;
    const total = JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8')).counts.total as number;
    if (rows !== points || total !== points) throw new Error(`run 1e${exp}: points.csv has ${rows} rows, run.json counts ${total}, expected ${points}`);
    // CPU seconds (user + system) as well as wall: on a shared host the wall time mostly measures the load
    return { points, pointsCsvRows: rows, wallSeconds, cpuSeconds, peakRssMB, pointsPerSecond: Math.round(points / wallSeconds), outputsMB };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function countLines(file: string): number {
  const fd = openSync(file, 'r');
  const buf = Buffer.alloc(1 << 22);
  let n = 0;
  try {
    for (let got; (got = readSync(fd, buf, 0, buf.length, null)) > 0; ) for (let i = buf.indexOf(10); i >= 0 && i < got; i = buf.indexOf(10, i + 1)) n++;
  } finally {
    closeSync(fd);
  }
  return n;
}

export async function run(): Promise<object> {
  const exps = (process.env.BENCH_SCALE ?? (SMOKE ? '3' : '5,6,7')).split(',').map(Number);
  const rows = [];
  for (const e of exps) {
    const r = runScale(e);
    process.stderr.write(`scale 1e${e}: ${r.wallSeconds.toFixed(1)} s wall, ${r.cpuSeconds.toFixed(1)} s CPU, peak RSS ${r.peakRssMB} MB, ${r.pointsPerSecond} points/s\n`);
    rows.push(r);
  }
  const base = rows[0];
  if (exps.join(',') === '5,6,7') writeScaleBlock(rows);
  return {
    method: 'analytical grid over hardware knobs (lists of 10 values, no DRAM knob), `node bin/spatten-dse.js run` under /usr/bin/time, default heap, all outputs (points.csv and run.json checked to count every point)',
    rows,
    wallPerPointRelativeToFirst: rows.map((r) => Number((r.wallSeconds / r.points / (base.wallSeconds / base.points)).toFixed(3))),
    cpuPerPointRelativeToFirst: rows.map((r) => Number((r.cpuSeconds / r.points / (base.cpuSeconds / base.points)).toFixed(3))),
  };
}

/** The table of the README's scale paragraph (block `scale-bench`), written when all of 10⁵, 10⁶, 10⁷ ran. */
function writeScaleBlock(rows: ReturnType<typeof runScale>[]): void {
  const sup = (e: number) => `10${String(e).replace(/\d/g, (d) => '⁰¹²³⁴⁵⁶⁷⁸⁹'[Number(d)])}`;
  const mb = (x: number) => (x < 0 ? 'missing' : x < 10 ? `${x.toFixed(2)} MB` : `${Math.round(x).toLocaleString('en-US')} MB`);
  writeReadmeBlock(path.join(ROOT, 'README.md'), 'scale-bench', 'scale', [
    '| points | wall s | CPU s | CPU µs/point | peak RSS | points.csv | journal.jsonl | report.html |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${sup(Math.round(Math.log10(r.points)))} | ${r.wallSeconds.toFixed(1)} | ${r.cpuSeconds.toFixed(1)} | ${Math.round((r.cpuSeconds / r.points) * 1e6)} | ${r.peakRssMB} MB | ${mb(r.outputsMB['points.csv'])} | ${mb(r.outputsMB['journal.jsonl'])} | ${mb(r.outputsMB['report.html'])} |`),
    '',
    `(1-minute load average ${os.loadavg()[0].toFixed(1)} at the end on ${os.cpus().length} cores, ${new Date().toISOString().slice(0, 10)}; wall time on a shared host mostly measures its load, CPU time is the run's own.)`,
  ]);
}
