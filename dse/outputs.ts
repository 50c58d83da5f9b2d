/**
 * The points.csv format, in one place: the header (id, parameters, metrics, feasible, status,
 * error, fidelity, pareto — pareto last, so a streamed file gets it appended once the front is
 * known) and the cells (as csv-stringify writes them: numbers by String(), non-finite empty,
 * strings quoted when they hold a comma, quote or newline). Files go through the one atomic write
 * (core/atomic.ts). dse/sink.ts streams a run's rows; `writeRunOutputs` writes rows in memory.
 */
import path from 'node:path';
import { openAtomic, writeFileAtomic } from '../core/atomic.ts';
import type { Params, PointRow, RunJson } from '../core/results.ts';

/** A CSV cell: numbers as String(), non-finite empty, booleans true/false, quoted when needed. */
export function csvCell(v: unknown): string {
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v === undefined || v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function pointsHeader(parameters: string[], metrics: string[]): string {
  return ['id', ...parameters, ...metrics, 'feasible', 'status', 'error', 'fidelity', 'pareto'].map(csvCell).join(',') + '\n';
}

/** One points.csv record without its pareto cell (and without the newline). */
export function pointRecord(r: { id: number; params: Params; metrics: Record<string, number>; status: string; error: string; fidelity: string }, feasible: boolean, parameters: string[], metrics: string[]): string {
  let s = String(r.id);
  for (const p of parameters) s += ',' + csvCell(r.params[p]);
  for (const m of metrics) s += ',' + csvCell(r.metrics[m]);
  return s + `,${feasible},${r.status},${csvCell(r.error)},${csvCell(r.fidelity)}`;
}

function writeRows(file: string, rows: PointRow[], parameters: string[], metrics: string[]): void {
  const out = openAtomic(file);
  out.write(pointsHeader(parameters, metrics));
  for (const r of rows) out.write(`${pointRecord(r, r.feasible, parameters, metrics)},${r.pareto}\n`);
  out.commit();
}

export function writeJson(file: string, value: unknown): void {
  writeFileAtomic(file, JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n');
}

/** points.csv, pareto.csv and run.json of rows held in memory (tests, tools). */
export function writeRunOutputs(dir: string, run: RunJson, rows: PointRow[]): void {
  const sorted = rows.slice().sort((a, b) => a.id - b.id);
  writeRows(path.join(dir, 'points.csv'), sorted, run.parameters, run.metrics);
  writeRows(path.join(dir, 'pareto.csv'), sorted.filter((r) => r.pareto), run.parameters, run.metrics);
  writeJson(path.join(dir, 'run.json'), run);
}
