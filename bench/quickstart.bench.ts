/**
 * The quick start's promise (README: `npm install && npm start` runs the default sweep in at most
 * two minutes on 2 cores), measured as a user meets it:
 *
 * - first run: `npm start -- --out DIR` into a fresh folder (every point evaluated, report
 *   written), under /usr/bin/time for wall time, CPU seconds and peak RSS;
 * - again on the same folder: the journal's evaluations are reused (README, "The journal");
 * - the one-time cost before the first run after an install or a source change: building the CLI
 *   and worker bundles (dse/bundle.ts) into an empty cache folder.
 *
 * Three rounds, alternating nothing (each round: bundles, first run, second run). Smoke mode
 * (bench/smoke.ts): one round with `--max-evals 200`. Writes the README block `quickstart-bench`.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeReadmeBlock } from './readme-block.ts';
import { median } from 'simple-statistics';
import { SMOKE, repeats } from './smoke.ts';
import { hasTime, timedSync } from './timed.ts';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The README's quick-start goal, seconds on 2 cores. */
const GOAL_S = 120;

interface Timed {
  wall_s: number;
  cpu_s: number;
  peak_rss_mb: number;
}

/** `npm start -- --out DIR …` under /usr/bin/time (npm included). */
function npmStart(out: string): Timed & { points: number; stopReason: string } {
  const args = ['start', '--', '--out', out, '--progress', 'none', ...(SMOKE ? ['--max-evals', '200'] : [])];
  const r = timedSync('npm', args, ROOT);
  if (r.status !== 0) throw new Error(`npm start failed (${r.status}): ${r.stderr.slice(-1500)}`);
  const run = JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8'));
  if (!existsSync(path.join(out, 'report.html'))) throw new Error('npm start wrote no report.html');
  return { wall_s: +r.wallSeconds.toFixed(2), cpu_s: +r.cpuSeconds.toFixed(2), peak_rss_mb: r.peakRssMB, points: run.counts.total, stopReason: run.stopReason };
}

/** Building the CLI and worker bundles into an empty cache folder, as the first call after an install does. */
async function bundles(): Promise<number> {
  const { cliBundle, buildWorkerBundle } = await import('../dse/bundle.ts');
  const cache = mkdtempSync(path.join(os.tmpdir(), 'bench-bundles-'));
  try {
    const t0 = performance.now();
    const cli = await cliBundle(cache);
    const worker = await buildWorkerBundle(cache);
    if (!cli?.built || !worker?.built) throw new Error('a bundle was not built');
    return +((performance.now() - t0) / 1000).toFixed(2);
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
}

export async function run(): Promise<object> {
  if (!hasTime()) return { skipped: '/usr/bin/time not found' };
  const load0 = os.loadavg()[0];
  const rounds: { bundles_s: number; first: Timed; again: Timed }[] = [];
  let points = 0;
  let stopReason = '';
  for (let k = 0; k < repeats(3); k++) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-quickstart-'));
    try {
      const bundles_s = await bundles();
      const { points: n, stopReason: why, ...first } = npmStart(path.join(dir, 'out'));
      const { points: n2, stopReason: _why2, ...again } = npmStart(path.join(dir, 'out'));
      if (n2 !== n) throw new Error(`the second run counted ${n2} points, the first ${n}`);
      [points, stopReason] = [n, why];
      rounds.push({ bundles_s, first, again });
      process.stderr.write(`  round ${k + 1}: bundles ${bundles_s} s, first run ${first.wall_s} s, again ${again.wall_s} s\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const load1 = os.loadavg()[0];
  const result = {
    command: `npm start -- --out DIR --progress none${SMOKE ? ' --max-evals 200' : ''}`,
    points,
    stopReason,
    cpus: os.availableParallelism(),
    goalSeconds: GOAL_S,
    rounds,
    firstRunMedianWallS: +median(rounds.map((r) => r.first.wall_s)).toFixed(2),
    loadAverage1m: [+load0.toFixed(2), +load1.toFixed(2)],
  };
  writeBlock(result.points, rounds, [load0, load1]);
  return result;
}

function writeBlock(points: number, rounds: { bundles_s: number; first: Timed; again: Timed }[], load: number[]): void {
  const col = (f: (r: (typeof rounds)[number]) => number, digits = 1) => {
    const xs = rounds.map(f);
    return `${Math.min(...xs).toFixed(digits)} / ${median(xs).toFixed(digits)}`;
  };
  writeReadmeBlock(path.join(ROOT, 'README.md'), 'quickstart-bench', 'quickstart', [
    `| \`npm start\` (the default sweep, ${points.toLocaleString('en-US')} points) | wall s, min / median | CPU s, min / median | peak RSS MB, max | goal |`,
    '|---|---:|---:|---:|---|',
    `| first run, fresh folder (report included) | ${col((r) => r.first.wall_s)} | ${col((r) => r.first.cpu_s)} | ${Math.max(...rounds.map((r) => r.first.peak_rss_mb))} | ≤ ${GOAL_S} s on 2 cores |`,
    `| again on the same folder (every evaluation from the journal) | ${col((r) => r.again.wall_s)} | ${col((r) => r.again.cpu_s)} | ${Math.max(...rounds.map((r) => r.again.peak_rss_mb))} |  |`,
    `| building the CLI and worker bundles (once after an install or a source change, before the first run) | ${col((r) => r.bundles_s)} | – | – |  |`,
    '',
    `(${rounds.length} rounds on ${os.availableParallelism()} cores, wall time of \`npm\` itself included; 1-minute load average ${load[0].toFixed(2)} → ${load[1].toFixed(2)}, ${new Date().toISOString().slice(0, 10)}.)`,
  ]);
}
