/**
 * Cycle-level simulator speed on the official trace `summary-gpt2-small-wikitext2-per8.csv`
 * (4,608 head requests), on the paper's full SpAtten (Table I) and on the official runner's
 * configuration (M = 64, 2 channels, ~7× more simulated cycles). Goals: ≤ 1 s wall and ≥ 50 M
 * simulated cycles/s warm on the full SpAtten. Whole-process times of `simulate` are in
 * bench/startup.bench.ts.
 *
 * Warm: in this process, after a first call, CYCLE_BENCH_REPS calls (default 200; the runner
 * configuration half as many): best and mean wall time per call, best process-CPU time per call,
 * and simulated cycles per second from each. On a shared 2-core host the best of many calls is
 * the steadier figure; the mean carries the load (and the garbage collections). One process's
 * best can still be a slow one's (a whole process ran ~1.4× slower now and then on 2026-12-07:
 * 10.6 against 7.1 ms), so the goal is read on CYCLE_BENCH_PROCS fresh processes (default 3) that
 * each do the same (a first call, then CYCLE_BENCH_REPS calls): the median of their best CPU
 * times, with the range.
 *
 * Cold: the first call in a fresh process (Node + tsx, modules loaded, trace read), measured in
 * CYCLE_BENCH_COLD child processes (default 3; best of them), split into what the first call pays:
 * building the request table once (`prepareRequests`: every DRAM stream shape profiled on the
 * bank-level HBM2 model, memoised for the process), then the first `simulateCycle` with those
 * profiles memoised (the event loop running before V8 has optimised it), then the second call.
 * CPU times include V8's background compiler threads.
 *
 * The figures are written into sim/cycle/README.md between the `cycle-bench` markers.
 */
import { freshChild } from './child.ts';
import os from 'node:os';
import { median } from 'simple-statistics';
import path from 'node:path';
import { writeReadmeBlock } from './readme-block.ts';
import { repeats } from './smoke.ts';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { simulateCycle } from '../sim/cycle/index.ts';
import { readTraceFile } from '../sim/workload/trace.ts';
import { defaultHardware, type HardwareConfig } from '../sim/schema.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.join(here, '..');
const TRACE = path.join(ROOT, 'sim', 'workload', 'traces', 'summary-gpt2-small-wikitext2-per8.csv');

function warm(hw: HardwareConfig, reps: number) {
  const w = readTraceFile(TRACE);
  const t0 = performance.now();
  const first = simulateCycle(w, hw);
  const firstMs = performance.now() - t0;
  let bestMs = Infinity;
  let bestCpuMs = Infinity;
  let sumMs = 0;
  for (let i = 0; i < reps; i++) {
    const c0 = process.cpuUsage();
    const t1 = performance.now();
    simulateCycle(w, hw);
    const ms = performance.now() - t1;
    const c = process.cpuUsage(c0);
    bestMs = Math.min(bestMs, ms);
    bestCpuMs = Math.min(bestCpuMs, (c.user + c.system) / 1000);
    sumMs += ms;
  }
  return {
    requests: w.requests.length,
    simulated_cycles: first.cycles,
    events: first.extra!.events,
    first_call_in_bench_ms: +firstMs.toFixed(1),
    warm_wall_ms_best: +bestMs.toFixed(2),
    warm_wall_ms_mean: +(sumMs / reps).toFixed(2),
    warm_cpu_ms_best: +bestCpuMs.toFixed(2),
    mcycles_per_s_wall: +(first.cycles / bestMs / 1e3).toFixed(1),
    mcycles_per_s_cpu: +(first.cycles / bestCpuMs / 1e3).toFixed(1),
    mcycles_per_s_mean: +((first.cycles * reps) / sumMs / 1e3).toFixed(1),
  };
}

/** The child's script: first call split into request table (DRAM profiles) → first run → second run. */
const COLD_SCRIPT = `
const u = (p) => new URL(p, ${JSON.stringify(pathToFileURL(ROOT + '/').href)}).href;
const { simulateCycle } = await import(u('sim/cycle/index.ts'));
const { prepareRequests } = await import(u('sim/cycle/requests.ts'));
const { bufferLines } = await import(u('sim/cycle/geometry.ts'));
const { readTraceFile, refetchDraws } = await import(u('sim/workload/trace.ts'));
const { defaultHardware } = await import(u('sim/schema.ts'));
const { dramTimingOf } = await import(u('sim/hw/dram-cost.ts'));
const w = readTraceFile(${JSON.stringify(TRACE)});
const hw = defaultHardware();
const time = (f) => { const c0 = process.cpuUsage(); const t0 = performance.now(); f(); const c = process.cpuUsage(c0); return [performance.now() - t0, (c.user + c.system) / 1000]; };
const out = {};
if (process.env.SPLIT === '1') {
  const b = bufferLines(hw);
  out.table = time(() => prepareRequests(w.requests, { hw, tim: dramTimingOf(hw), reuseKV: w.reuseKV, refetch: refetchDraws(w, 1), keyBufLines: b.key, valBufLines: b.value, keyLineBits: b.keyLineBits, valLineBits: b.valLineBits }));
}
out.first = time(() => simulateCycle(w, hw));
out.second = time(() => simulateCycle(w, hw));
console.log(JSON.stringify(out));
`;

/** The warm child's script: a first call, then REPS calls; the best process-CPU time of one call. */
const WARM_SCRIPT = `
const u = (p) => new URL(p, ${JSON.stringify(pathToFileURL(ROOT + '/').href)}).href;
const { simulateCycle } = await import(u('sim/cycle/index.ts'));
const { readTraceFile } = await import(u('sim/workload/trace.ts'));
const { defaultHardware } = await import(u('sim/schema.ts'));
const w = readTraceFile(${JSON.stringify(TRACE)});
const hw = defaultHardware();
simulateCycle(w, hw);
let cpu = Infinity;
for (let i = 0; i < Number(process.env.REPS); i++) {
  const c0 = process.cpuUsage();
  simulateCycle(w, hw);
  const c = process.cpuUsage(c0);
  cpu = Math.min(cpu, (c.user + c.system) / 1000);
}
console.log(JSON.stringify({ cpu }));
`;

/** The warm calls in `procs` fresh processes of `reps` calls each: each one's best CPU time per call, their median and the rate from it. */
function warmProcesses(procs: number, reps: number, cycles: number) {
  const cpu = Array.from({ length: procs }, () => freshChild<{ cpu: number }>('cycle bench', WARM_SCRIPT, { REPS: String(reps) }).cpu).sort((a, b) => a - b);
  const mid = median(cpu);
  return {
    processes: procs,
    calls_each: reps,
    best_cpu_ms_each: cpu.map((x) => +x.toFixed(2)),
    best_cpu_ms_median: +mid.toFixed(2),
    mcycles_per_s_cpu_median: +(cycles / mid / 1e3).toFixed(1),
  };
}

const coldChild = (split: boolean) => freshChild<Record<string, [number, number]>>('cycle bench', COLD_SCRIPT, { SPLIT: split ? '1' : '0' });

function cold(rounds: number) {
  const best: Record<string, number> = {};
  const keep = (k: string, v: number) => (best[k] = Math.min(best[k] ?? Infinity, v));
  for (let i = 0; i < rounds; i++) {
    // alternating: the plain first call, then the split one (load drift hits both alike)
    const a = coldChild(false);
    keep('first_call_wall_ms', a.first[0]);
    keep('first_call_cpu_ms', a.first[1]);
    keep('second_call_wall_ms', a.second[0]);
    const b = coldChild(true);
    keep('split_table_wall_ms', b.table[0]);
    keep('split_table_cpu_ms', b.table[1]);
    keep('split_first_call_wall_ms', b.first[0]);
    keep('split_first_call_cpu_ms', b.first[1]);
  }
  const r = Object.fromEntries(Object.entries(best).map(([k, v]) => [k, +v.toFixed(1)]));
  return {
    processes: 2 * rounds,
    first_call_wall_ms: r.first_call_wall_ms,
    ...r,
    note: 'best over fresh processes; split_*: the request table first (all DRAM stream profiles built), then the first simulateCycle with them memoised',
  };
}

export async function run(): Promise<object> {
  const load0 = os.loadavg()[0];
  const reps = Number(process.env.CYCLE_BENCH_REPS ?? repeats(200));
  const coldRounds = Number(process.env.CYCLE_BENCH_COLD ?? repeats(3));
  const coldFull = coldRounds > 0 ? cold(coldRounds) : undefined;
  const procs = Number(process.env.CYCLE_BENCH_PROCS ?? repeats(3));
  const full = warm(defaultHardware(), reps);
  const fresh = warmProcesses(procs, reps, full.simulated_cycles);
  const runner = warm({ ...defaultHardware(), qkMultipliers: 64, pvMultipliers: 64, dramChannels: 2, fetcherPorts: 4 }, Math.ceil(reps / 2));
  const load1 = os.loadavg()[0];
  writeReadme(full, fresh, runner, coldFull, reps, coldRounds, [load0, load1]);
  return {
    trace: 'summary-gpt2-small-wikitext2-per8.csv',
    full_spatten: { ...full, fresh_processes: fresh, cold: coldFull },
    official_runner_config: runner,
    goals: { wall_s_max: 1, mcycles_per_s_min: 50 },
    meets_wall_goal: coldFull ? coldFull.first_call_wall_ms <= 1000 : undefined,
    meets_rate_goal: full.mcycles_per_s_wall >= 50,
    // the goal's reading: the median over fresh processes of each one's best CPU time per call
    meets_rate_goal_cpu: fresh.mcycles_per_s_cpu_median >= 50,
    load_average_1min: [+load0.toFixed(2), +load1.toFixed(2)],
  };
}

/** Rewrites the block between the `cycle-bench` markers of sim/cycle/README.md with these figures. */
function writeReadme(
  full: ReturnType<typeof warm>,
  fresh: ReturnType<typeof warmProcesses>,
  runner: ReturnType<typeof warm>,
  cold: Record<string, unknown> | undefined,
  reps: number,
  coldRounds: number,
  load: number[],
): void {
  const c = cold as Record<string, number> | undefined;
  const n = (x: number) => x.toLocaleString('en-US');
  const pair = (w?: number, cpu?: number) => (w === undefined ? 'not run (`CYCLE_BENCH_COLD=0`)' : `${w} ms wall, ${cpu} ms CPU`);
  const lines = [
    '| per8 trace, full SpAtten (Table I) | figure |',
    '|---|---|',
    `| simulated cycles, events | ${n(full.simulated_cycles)}, ${n(full.events)} |`,
    `| warm call, best process-CPU time of ${reps} in each of ${fresh.processes} fresh processes: median (range) | ${fresh.best_cpu_ms_median} ms (${fresh.best_cpu_ms_each[0]}–${fresh.best_cpu_ms_each[fresh.processes - 1]}) = **${fresh.mcycles_per_s_cpu_median} M simulated cycles/s** (goal ≥ 50) |`,
    `| … in the bench process, best process-CPU time of ${reps} | ${full.warm_cpu_ms_best} ms = ${full.mcycles_per_s_cpu} M cycles/s |`,
    `| … in the bench process, best wall time | ${full.warm_wall_ms_best} ms = ${full.mcycles_per_s_wall} M cycles/s |`,
    `| … in the bench process, mean wall time (garbage collections and load included) | ${full.warm_wall_ms_mean} ms = ${full.mcycles_per_s_mean} M cycles/s |`,
    `| official runner configuration (M = 64, 2 channels: ${n(runner.simulated_cycles)} cycles), in the bench process, best CPU of ${Math.ceil(reps / 2)} | ${runner.warm_cpu_ms_best} ms = ${runner.mcycles_per_s_cpu} M cycles/s |`,
    `| cold: first call in a fresh process, best of ${coldRounds} | ${pair(c?.first_call_wall_ms, c?.first_call_cpu_ms)} |`,
    `| … the request table alone (every DRAM stream profile built once) | ${pair(c?.split_table_wall_ms, c?.split_table_cpu_ms)} |`,
    `| … then the first run with those profiles memoised | ${pair(c?.split_first_call_wall_ms, c?.split_first_call_cpu_ms)} |`,
    `| … the second call (after the first, plain) | ${c ? `${c.second_call_wall_ms} ms wall` : 'not run'} |`,
    '',
    `(\`npm run bench -- cycle\`: ${reps} warm calls after a first, in the bench process and in each fresh process; cold figures from fresh \`node --import tsx\` processes. 1-minute load average ${load.map((x) => x.toFixed(1)).join(' → ')} on ${os.cpus().length} cores, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.)`,
  ];
  writeReadmeBlock(path.join(ROOT, 'sim', 'cycle', 'README.md'), 'cycle-bench', 'cycle', lines);
}
