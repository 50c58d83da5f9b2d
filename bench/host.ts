/**
 * The host's parallel capacity on the cycle-model sweep the parallel benches run (`search` with
 * --jobs 1 vs 2, `distributed` with 1 vs 2 workers). The machine is shared and its vCPU speed
 * drifts, so a speed-up alone says little: each bench measures, before and after its runs, the
 * cycle model on 144 of the sweep's points (every 12th) in one process alone, then in two
 * processes at once. capacity = 2 × alone / slower of the pair: 2.0 on an idle 2-core host, and
 * the most any two-way parallel run can get.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SMOKE } from './smoke.ts';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The sweep's parameter lists: 4 × 4 × 4 × 3 × 3 × 3 = 1,728 points; in smoke mode (bench/smoke.ts)
 * the first two values of the first three and the first of the rest, 8 points.
 */
const SWEEP: [string, number[]][] = [
  ['hw.qkMultipliers', [128, 256, 512, 1024]],
  ['hw.pvMultipliers', [128, 256, 512, 1024]],
  ['hw.dramChannels', [4, 8, 16, 32]],
  ['hw.topkParallelism', [4, 8, 16]],
  ['hw.keySramKB', [98, 196, 392]],
  ['algo.tokenKeep', [1, 0.5, 0.25]],
];
const sweepValues = (): [string, number[]][] => (SMOKE ? SWEEP.map(([k, v], i) => [k, v.slice(0, i < 3 ? 2 : 1)]) : SWEEP);

/** Points of the sweep (1,728; 8 in smoke mode). */
export const CYCLE_SWEEP_POINTS = sweepValues().reduce((n, [, v]) => n * v.length, 1);

/** Every `stride`-th point of the sweep makes the host-capacity probe's work: 144 of 1,728 (all 8 in smoke mode). */
export const CYCLE_SWEEP_STRIDE = SMOKE ? 1 : 12;

/** The cycle-model sweep (GPT-2-Medium generation) as a space file named `name`. */
export function cycleSweepSpace(name: string): string {
  return `name: ${name}
workload: { model: gpt2-medium, stage: generation, seqLen: 992, genTokens: 32 }
fidelity: cycle
objectives:
  - { metric: latency_s, goal: min }
  - { metric: energy_j, goal: min }
parameters:
${sweepValues()
  .map(([k, v]) => `  ${k}: [${v.join(', ')}]`)
  .join('\n')}
search: { driver: grid }
`;
}

export interface HostCapacity {
  /** Seconds for the 144 points in one process alone. */
  alone: number;
  /** Seconds of each of two processes running the same 144 points at once. */
  pair: number[];
  /** 2 × alone / max(pair). */
  capacity: number;
}

/**
 * Prepares the measurement for the sweep in `spaceFile` (files go to `tmp`) and returns a
 * function that takes it: each call runs every `stride`-th point of the sweep (default 12: 144 of
 * the cycle sweep's 1,728) alone, then twice at once, each in a fresh process running the pool's
 * `evaluate` task from the worker bundle (the sources through tsx when there is no bundle), no CLI
 * start-up. `warm`: the index of a point evaluated first, outside the timing (a model's load).
 */
export async function hostCapacityProbe(tmp: string, spaceFile: string, points = CYCLE_SWEEP_POINTS, pick: { stride?: number; warm?: number } = {}): Promise<() => Promise<HostCapacity>> {
  const { prepareRun } = await import('../dse/run.ts');
  const { createDriver } = await import('../dse/drivers/index.ts');
  const { workerBundle } = await import('../dse/bundle.ts');
  const prepared = prepareRun({ spaceFile });
  const drv = createDriver(prepared.parsed.space.search, { space: prepared.parsed.domains, objectives: prepared.parsed.objectives, seed: prepared.seed });
  const all = drv.ask(points);
  const stride = pick.stride ?? CYCLE_SWEEP_STRIDE;
  const trials = all.filter((_, i) => i % stride === 0);
  // a trial evaluated before the clock starts (loads a model once, outside the timing)
  const warm = pick.warm === undefined ? [] : [all[pick.warm]];
  const bundle = await workerBundle();
  const data = path.join(tmp, 'cal.json');
  fs.writeFileSync(data, JSON.stringify({ ctx: prepared.ctx, trials, warm }));
  const script = path.join(tmp, 'cal.mjs');
  fs.writeFileSync(
    script,
    `import fs from 'node:fs';
const { ctx, trials, warm } = JSON.parse(fs.readFileSync(${JSON.stringify(data)}, 'utf8'));
const tasks = ${bundle ? `await (await import(${JSON.stringify(bundle.url)})).loadTasks()` : `(await import(${JSON.stringify(pathToFileURL(path.join(ROOT, 'dse', 'tasks.ts')).href)})).TASKS`};
for (const tr of warm) await tasks.evaluate(ctx, tr.id, tr.params);
const t = performance.now();
for (const tr of trials) await tasks.evaluate(ctx, tr.id, tr.params);
process.stdout.write(String((performance.now() - t) / 1000));
`,
  );
  const loop = () =>
    new Promise<number>((resolve, reject) => {
      const c = spawn(process.execPath, bundle ? [script] : ['--import', 'tsx', script], { cwd: ROOT });
      let o = '';
      let e = '';
      c.stdout.on('data', (d) => (o += d));
      c.stderr.on('data', (d) => (e += d));
      c.on('close', (code) => (code === 0 ? resolve(Number(o)) : reject(new Error(`calibration failed (${code}): ${e.trim().split('\n').slice(0, 6).join(' | ')}`))));
    });
  return async () => {
    const alone = await loop();
    const pair = await Promise.all([loop(), loop()]);
    return { alone: +alone.toFixed(2), pair: pair.map((x) => +x.toFixed(2)), capacity: +((2 * alone) / Math.max(...pair)).toFixed(2) };
  };
}
