/**
 * Reads a results folder (run.json + points.csv) back into the types of dse/results.ts, typing each
 * points.csv column from run.json's `parameters` and `metrics` lists.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Params, ParamValue } from '../core/results.ts';
import { parseRunJson, type PointRow, type RunJson } from '../core/results.ts';
import { parseCsv } from './csv.ts';

/** A results folder that is missing, unreadable or malformed (the CLI maps it to exit code 2). */
export class RunFolderError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'RunFolderError';
  }
}

export interface LoadedRun {
  run: RunJson;
  points: PointRow[];
}

const NUMERIC = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Parses a metric cell: empty / "NaN" / garbage → NaN, "Infinity" / "-Infinity" honoured. */
export function parseNumberCell(s: string): number {
  const t = s.trim();
  if (t === '') return NaN;
  if (NUMERIC.test(t)) return Number(t);
  if (t === 'Infinity' || t === '+Infinity' || t === 'inf') return Infinity;
  if (t === '-Infinity' || t === '-inf') return -Infinity;
  return NaN;
}

function parseBool(s: string): boolean {
  const t = s.trim().toLowerCase();
  return t === 'true' || t === '1' || t === 'yes';
}

/** Checks the fields the report relies on (core/results.ts RunJsonSchema) and fills harmless defaults for the optional rest. */
export function validateRunJson(raw: unknown, where = 'run.json'): RunJson {
  let run: RunJson;
  try {
    run = parseRunJson(raw, where);
  } catch (e) {
    throw new RunFolderError((e as Error).message);
  }
  return reportStop(run);
}

/**
 * The run as the report shows its stop: an early stop with its detail ("time-limit (60 s reached
 * after 37 of 48 points)"); run.json records every stop reason, "completed" included.
 */
export function reportStop(run: RunJson): RunJson {
  const early = run.stopReason !== undefined && run.stopReason !== 'completed';
  return { ...run, stopReason: early ? run.stopReason + (run.stopDetail ? ` (${run.stopDetail})` : '') : undefined };
}

/**
 * Parses points.csv text. Parameter columns whose every non-empty cell is numeric become numbers,
 * others stay strings; metric columns are numbers (NaN when empty or unparsable).
 */
export function parsePointsCsv(text: string, run: Pick<RunJson, 'parameters' | 'metrics'>, where = 'points.csv'): PointRow[] {
  let rows: string[][];
  try {
    rows = parseCsv(text);
  } catch (e) {
    throw new RunFolderError(`${where}: ${(e as Error).message}`);
  }
  if (rows.length === 0) return [];
  const header = rows[0].map((h) => h.trim());
  const col = new Map<string, number>();
  header.forEach((h, i) => {
    if (!col.has(h)) col.set(h, i);
  });
  if (!col.has('id')) throw new RunFolderError(`${where}: no "id" column in the header`);
  const missing = [...run.parameters, ...run.metrics, 'feasible', 'pareto', 'status'].filter((c) => !col.has(c));
  if (missing.length > 0) throw new RunFolderError(`${where}: missing column${missing.length > 1 ? 's' : ''} ${missing.map((c) => JSON.stringify(c)).join(', ')} (run.json lists ${missing.length > 1 ? 'them' : 'it'})`);
  const body = rows.slice(1);
  // metric cells: a number, empty (a failed point) or NaN/±Infinity — anything else is corruption
  for (const m of run.metrics) {
    const i = col.get(m)!;
    body.forEach((r, k) => {
      const t = (r[i] ?? '').trim();
      if (t !== '' && Number.isNaN(parseNumberCell(t)) && t !== 'NaN') throw new RunFolderError(`${where}: row ${k + 2}, column "${m}": ${JSON.stringify(t.slice(0, 40))} is not a number`);
    });
  }
  const cell = (r: string[], name: string): string | undefined => {
    const i = col.get(name);
    return i === undefined ? undefined : (r[i] ?? '');
  };
  const paramKeys = run.parameters.filter((p) => col.has(p));
  const numericParam = new Map<string, boolean>();
  for (const p of paramKeys) {
    const i = col.get(p)!;
    numericParam.set(
      p,
      body.every((r) => {
        const s = (r[i] ?? '').trim();
        return s === '' || NUMERIC.test(s);
      }),
    );
  }
  const metricKeys = run.metrics.filter((m) => col.has(m));
  return body.map((r, line) => {
    const idCell = cell(r, 'id') ?? '';
    const id = parseNumberCell(idCell);
    if (!Number.isFinite(id)) throw new RunFolderError(`${where}: row ${line + 2} has a non-numeric id ${JSON.stringify(idCell)}`);
    const params: Params = {};
    for (const p of paramKeys) {
      const s = cell(r, p) ?? '';
      if (s === '') continue;
      const v: ParamValue = numericParam.get(p) ? Number(s.trim()) : s;
      params[p] = v;
    }
    const metrics: Record<string, number> = {};
    for (const m of metricKeys) metrics[m] = parseNumberCell(cell(r, m) ?? '');
    const statusCell = (cell(r, 'status') ?? 'ok').trim();
    return {
      id,
      params,
      metrics,
      feasible: parseBool(cell(r, 'feasible') ?? 'false'),
      pareto: parseBool(cell(r, 'pareto') ?? 'false'),
      status: statusCell === 'failed' ? 'failed' : 'ok',
      error: cell(r, 'error') ?? '',
      fidelity: cell(r, 'fidelity') ?? '',
    } satisfies PointRow;
  });
}

/** Reads `dir/run.json` and `dir/points.csv`. Throws RunFolderError with a clear message on trouble. */
export async function readRun(dir: string): Promise<LoadedRun> {
  let st;
  try {
    st = await stat(dir);
  } catch {
    throw new RunFolderError(`results folder not found: ${dir}`);
  }
  if (!st.isDirectory()) throw new RunFolderError(`not a folder: ${dir}`);
  const runPath = path.join(dir, 'run.json');
  let runText: string;
  try {
    runText = await readFile(runPath, 'utf8');
  } catch {
    throw new RunFolderError(`no run.json in ${dir} (is it a results folder?)`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(runText);
  } catch (e) {
    throw new RunFolderError(`${runPath} is not valid JSON: ${(e as Error).message}`);
  }
  const run = validateRunJson(raw, runPath);
  const csvPath = path.join(dir, 'points.csv');
  let csvText: string;
  try {
    csvText = await readFile(csvPath, 'utf8');
  } catch {
    throw new RunFolderError(`no points.csv in ${dir}`);
  }
  const points = parsePointsCsv(csvText, run, csvPath);
  if (Number.isInteger(run.counts.total) && points.length !== run.counts.total) {
    throw new RunFolderError(`${csvPath}: ${points.length} rows, but run.json counts ${run.counts.total} points (truncated or edited?)`);
  }
  return { run, points };
}
