/**
 * The DRAM stream profile cache's load (dse/profile-cache.ts) against the number of design points
 * the file keeps: a file holding the table of the per8 point (`simulate --trace …per8.csv
 * --fidelity cycle`, the spatten preset) alone (~55 KB, one run's), behind 12 other points' tables
 * (~0.7 MB, a day of runs) and behind 35 (~2 MB, near the 10,000-profile bound). The other tables
 * are copies of the point's table under the identities of other clocks (what is measured is bytes
 * and records, not their values). Each file is read by fresh processes of bench/profile-cache-phase.ts
 * (bundled as the CLI is), in alternating order: the load (open, read the index) and the first use
 * of the point's table (read, check against its CRC-32 and decode its profiles), wall ms, min
 * and median over the rounds. The figures are written into README.md between the `profile-cache-bench` markers.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleLikeCli } from '../dse/bundle.ts';
import { basePoint } from '../dse/evaluate.ts';
import { encodeProfiles, profileCacheFile } from '../dse/profile-cache.ts';
import { evaluateHardware } from '../sim/index.ts';
import { dramTimingOf } from '../sim/hw/dram-cost.ts';
import { takeProfiles, type ProfileSet } from '../sim/cycle/profiles.ts';
import { WorkloadSchema } from '../sim/schema.ts';
import { readTraceFile } from '../sim/workload/trace.ts';
import { writeReadmeBlock } from './readme-block.ts';
import { repeats } from './smoke.ts';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const TRACE = 'sim/workload/traces/summary-gpt2-small-wikitext2-per8.csv';
/** Other points' tables in front of the point's own, per file. */
const OTHERS = [0, 12, 35];

const median = (a: number[]) => a.slice().sort((x, y) => x - y)[Math.floor(a.length / 2)];

/** The per8 point's table of profiles, computed in this process. */
function pointTable(): { table: ProfileSet; hw: ReturnType<typeof basePoint>['hw'] } {
  const point = basePoint({ workload: WorkloadSchema.parse({ model: 'gpt2-medium', stage: 'generation', seqLen: 992, genTokens: 32, trace: TRACE }), hardware: { preset: 'spatten' }, algo: {} });
  evaluateHardware(point, { fidelity: 'cycle', workload: readTraceFile(path.join(ROOT, TRACE)) });
  const id = `${point.hw.dramChannels}|${JSON.stringify(dramTimingOf(point.hw))}`;
  const table = takeProfiles().sets.find((s) => s.id === id);
  if (!table) throw new Error(`no profile table ${id}`);
  return { table, hw: point.hw };
}

export async function run(): Promise<object> {
  const rounds = repeats(9);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spatten-bench-profile-cache-'));
  try {
    const { table, hw } = pointTable();
    const dirs = OTHERS.map((n) => {
      const d = path.join(dir, `others-${n}`);
      fs.mkdirSync(d);
      const others = Array.from({ length: n }, (_, j) => ({ id: `${hw.dramChannels}|${JSON.stringify(dramTimingOf({ ...hw, clockGHz: 1 + (j + 1) / 64 }))}`, entries: table.entries }));
      fs.writeFileSync(profileCacheFile(d)!, encodeProfiles([...others, table]));
      return d;
    });
    const phase = await bundleLikeCli(path.join(ROOT, 'bench', 'profile-cache-phase.ts'), path.join(dir, 'bundle'));
    const times = OTHERS.map(() => ({ load: [] as number[], table: [] as number[], both: [] as number[] }));
    for (let r = 0; r < rounds; r++) {
      for (const i of r % 2 ? [...OTHERS.keys()].reverse() : [...OTHERS.keys()]) {
        const p = spawnSync(process.execPath, [path.join(ROOT, 'bench', 'run-bundle.mjs'), phase, dirs[i]], { cwd: ROOT, encoding: 'utf8' });
        if (p.status !== 0) throw new Error(`profile-cache-phase: exit ${p.status}: ${p.stderr.slice(0, 400)}`);
        const m = JSON.parse(p.stdout) as { load: number; table: number; seeded: number };
        if (m.seeded !== table.entries.length) throw new Error(`the table took ${m.seeded} profiles of ${table.entries.length}`);
        times[i].load.push(m.load);
        times[i].table.push(m.table);
        times[i].both.push(m.load + m.table);
      }
    }
    const fig = (a: number[]) => ({ wall_ms_min: +Math.min(...a).toFixed(2), wall_ms_median: +median(a).toFixed(2) });
    const files = OTHERS.map((n, i) => ({
      other_points: n,
      file_kb: Math.round(fs.statSync(profileCacheFile(dirs[i])!).size / 1000),
      profiles: (n + 1) * table.entries.length,
      load: fig(times[i].load),
      first_table_use: fig(times[i].table),
      load_and_first_use: fig(times[i].both),
    }));
    const result = { method: `${rounds} alternating rounds of fresh processes (bench/profile-cache-phase.ts, bundled as the CLI is)`, point_profiles: table.entries.length, files, load_average_1min: +os.loadavg()[0].toFixed(2) };
    writeReadme(result);
    return result;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function writeReadme(r: { method: string; files: { other_points: number; file_kb: number; profiles: number; load: { wall_ms_min: number; wall_ms_median: number }; first_table_use: { wall_ms_min: number; wall_ms_median: number }; load_and_first_use: { wall_ms_min: number; wall_ms_median: number } }[]; load_average_1min: number }): void {
  const f = (x: { wall_ms_min: number; wall_ms_median: number }) => `${x.wall_ms_min.toFixed(1)} / ${x.wall_ms_median.toFixed(1)}`;
  writeReadmeBlock(path.join(ROOT, 'README.md'), 'profile-cache-bench', 'profile-cache', [
    '| profile cache file | profiles | load, ms (min / median) | first use of the point\'s table, ms | both, ms |',
    '|---|---:|---:|---:|---:|',
    ...r.files.map((x) => `| per8 point + ${x.other_points} other points, ${x.file_kb} KB | ${x.profiles} | ${f(x.load)} | ${f(x.first_table_use)} | ${f(x.load_and_first_use)} |`),
    '',
    `(${r.method}; 1-minute load average ${r.load_average_1min} on ${os.cpus().length} cores, ${new Date().toISOString().slice(0, 10)}.)`,
  ]);
}
