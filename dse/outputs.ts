/**
 * Writing a run's outputs: points.csv, pareto.csv, run.json, each through the one atomic write
 * (core/atomic.ts), so a reader never sees half a file.
 */
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { writeFileAtomic as writeAtomic } from '../core/atomic.ts';
import type { PointRow, RunJson } from '../core/results.ts';

function cell(v: unknown): string | number | boolean {
  if (typeof v === 'number') return Number.isFinite(v) ? v : '';
  if (typeof v === 'boolean') return v;
  if (v === undefined || v === null) return '';
  return String(v);
}

/** CSV text of point rows: id, parameters, metrics, feasible, pareto, status, error, fidelity. */
export function pointsCsv(rows: PointRow[], parameters: string[], metrics: string[]): string {
  const header = ['id', ...parameters, ...metrics, 'feasible', 'pareto', 'status', 'error', 'fidelity'];
  const records = rows.map((r) => [
    r.id,
    ...parameters.map((p) => cell(r.params[p])),
    ...metrics.map((m) => cell(r.metrics[m])),
    r.feasible,
    r.pareto,
    r.status,
    r.error,
    r.fidelity,
  ]);
  return stringify([header, ...records], { cast: { boolean: (b) => (b ? 'true' : 'false') } });
}

export function writeRunOutputs(dir: string, run: RunJson, rows: PointRow[]): void {
  const sorted = rows.slice().sort((a, b) => a.id - b.id);
  writeAtomic(path.join(dir, 'points.csv'), pointsCsv(sorted, run.parameters, run.metrics));
  writeAtomic(path.join(dir, 'pareto.csv'), pointsCsv(sorted.filter((r) => r.pareto), run.parameters, run.metrics));
  writeAtomic(path.join(dir, 'run.json'), JSON.stringify(run, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n');
}
