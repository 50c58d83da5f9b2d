/**
 * A command timed as a user runs it, under `/usr/bin/time`: its wall time, the CPU seconds (user +
 * system) and the peak resident set size of its process tree's largest process, as GNU time reports
 * them. Used by the benches that time whole CLI runs (scale, quickstart, search).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface Timed {
  status: number | null;
  stdout: string;
  stderr: string;
  wallSeconds: number;
  cpuSeconds: number;
  peakRssMB: number;
}

const TIME = '/usr/bin/time';
/** The last line GNU time writes to stderr: wall, user, system seconds, max RSS in KB. */
const FORMAT = 'TIMED %e %U %S %M';

export const hasTime = (): boolean => existsSync(TIME);

/** Runs `command args…` in `cwd` under /usr/bin/time; throws when time printed no figures. */
export function timedSync(command: string, args: string[], cwd: string): Timed {
  const r = spawnSync(TIME, ['-f', FORMAT, command, ...args], { cwd, encoding: 'utf8', maxBuffer: 1 << 26 });
  const m = /TIMED ([\d.]+) ([\d.]+) ([\d.]+) (\d+)\s*$/.exec(r.stderr);
  if (!m) throw new Error(`no /usr/bin/time figures (exit ${r.status}): ${r.stderr.slice(-1500)}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, wallSeconds: Number(m[1]), cpuSeconds: Number(m[2]) + Number(m[3]), peakRssMB: Math.round(Number(m[4]) / 1024) };
}
