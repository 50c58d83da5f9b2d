/**
 * What one `spatten-dse simulate --trace per8 --fidelity cycle --json` process spends its time on,
 * phase by phase, in one fresh process (bench/startup.bench.ts bundles this file with esbuild as
 * the CLI is bundled, runs it through bench/run-bundle.mjs, which loads it as the launcher loads
 * the CLI, in fresh processes, and reports min and median of each phase):
 *
 * - node: Node's own start, up to the first line of the loader (performance.now() there);
 * - bundle load: reading the one-file bundle and compiling it, from V8's code cache written by
 *   the first of these processes (bin/load-bundle.mjs), and running its top level;
 * - light entry: the registry and commander (what `--help` loads);
 * - simulate module: the command's module graph (zod, the config schemas, the models);
 * - point: the design point from the config schemas (zod validation), as the command builds it;
 * - trace parse: reading and parsing the 4,610-row trace;
 * - profile cache load: opening the file of the DRAM stream profiles earlier processes computed
 *   and reading its index (dse/profile-cache.ts; SPATTEN_PROFILE_CACHE=0 turns the cache off, and
 *   the first simulation then computes them); the one table of profiles this design point uses is
 *   read and decoded on first use, inside the first simulation;
 * - simulation, first: the cycle simulator on a cold JIT;
 * - simulation again: the same simulation repeated in the same process (min of 3), its code
 *   compiled by the JIT and the simulator's memo tables (DRAM stream profiles, sim/cycle/profiles.ts)
 *   filled — so (first − again) is the JIT warm-up plus the first fill of those tables, which
 *   every fresh process pays;
 * - output: the JSON text `--json` prints.
 *
 * Prints one JSON object {phase: [wall ms, CPU ms]} on stdout.
 */
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const TRACE = 'sim/workload/traces/summary-gpt2-small-wikitext2-per8.csv';

/** The phases; `loaded`: wall and CPU ms at the loader's first line and after the bundle loaded (bench/run-bundle.mjs). */
export async function main(_argv: string[], loaded: { start: [number, number]; end: [number, number] }): Promise<number> {
  const marks: [string, number, number][] = [
    ['node', ...loaded.start],
    ['bundle load', ...loaded.end],
  ];
  const mark = (name: string) => marks.push([name, performance.now(), cpu()]);

  await import('../dse/cli-registry.ts');
  mark('light entry');
  await import('../dse/commands/simulate.ts');
  const { WorkloadSchema } = await import('../sim/schema.ts');
  const { basePoint } = await import('../dse/evaluate.ts');
  const { evaluateHardware } = await import('../sim/index.ts');
  const { readTraceFile } = await import('../sim/workload/trace.ts');
  const { pickMetrics } = await import('../sim/metrics.ts');
  const { loadProfileCache, saveProfileCache } = await import('../dse/profile-cache.ts');
  mark('simulate module');
  const point = basePoint({ workload: WorkloadSchema.parse({ model: 'gpt2-medium', stage: 'generation', seqLen: 992, genTokens: 32, trace: TRACE }), hardware: { preset: 'spatten' }, algo: {} });
  mark('point');
  const workload = readTraceFile(TRACE);
  mark('trace parse');
  const cacheFile = loadProfileCache(); // as the command does (dse/commands/simulate.ts)
  mark('profile cache load');
  const r = evaluateHardware(point, { fidelity: 'cycle', workload });
  saveProfileCache(cacheFile);
  mark('simulation, first');
  const text = JSON.stringify({ ...pickMetrics(r), stages: r.stages, energy_breakdown_j: r.energy, area_breakdown_mm2: r.area, activity: r.activity, extra: r.extra ?? {}, config: point }, null, 2);
  mark('output');

  const out: Record<string, [number, number]> = {};
  for (let i = 0; i < marks.length; i++) out[marks[i][0]] = [marks[i][1] - (i ? marks[i - 1][1] : 0), marks[i][2] - (i ? marks[i - 1][2] : 0)];
  let warm: [number, number] = [Infinity, Infinity];
  for (let k = 0; k < 3; k++) {
    const t0 = performance.now();
    const c0 = cpu();
    const again = evaluateHardware(point, { fidelity: 'cycle', workload });
    if (again.cycles !== r.cycles) throw new Error('the simulation is not deterministic');
    warm = [Math.min(warm[0], performance.now() - t0), Math.min(warm[1], cpu() - c0)];
  }
  out['simulation again (warm JIT, memo tables filled)'] = warm;
  process.stdout.write(`${JSON.stringify({ cycles: r.cycles, bytes: text.length, phases: out })}\n`);
  return 0;
}
