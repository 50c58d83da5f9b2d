/**
 * Reads a results folder (run.json + points.csv) back into the types of dse/results.ts, typing each
 * points.csv column from run.json's `parameters` and `metrics` lists.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Params, ParamValue } from '../dse/driver.ts';
import type { PointRow, RunJson } from '../dse/results.ts';
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

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

/** Checks the fields the report relies on and fills harmless defaults for the optional rest. */
export function validateRunJson(raw: unknown, where = 'run.json'): RunJson {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new RunFolderError(`${where}: expected a JSON object`);
  }
  const r = raw as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof r.name !== 'string') problems.push('"name" must be a string');
  if (!isStringArray(r.parameters)) problems.push('"parameters" must be an array of strings');
  if (!isStringArray(r.metrics)) problems.push('"metrics" must be an array of strings');
  if (
    !Array.isArray(r.objectives) ||
    !r.objectives.every(
      (o) =>
        o !== null &&
        typeof o === 'object' &&
        typeof (o as Record<string, unknown>).metric === 'string' &&
        ((o as Record<string, unknown>).goal === 'min' || (o as Record<string, unknown>).goal === 'max'),
    )
  ) {
    problems.push('"objectives" must be an array of {metric, goal: "min"|"max"}');
  }
  if (problems.length > 0) throw new RunFolderError(`${where} is malformed: ${problems.join('; ')}`);
  const counts = (r.counts ?? {}) as Partial<RunJson['counts']>;
  const num = (v: unknown, d = NaN): number => (typeof v === 'number' ? v : d);
  const str = (v: unknown, d = ''): string => (typeof v === 'string' ? v : d);
  const run: RunJson = {
    ...(r as unknown as RunJson),
    name: r.name as string,
    yaml: str(r.yaml),
    spaceFile: str(r.spaceFile),
    model: str(r.model),
    driver: str(r.driver),
    seed: num(r.seed),
    objectives: r.objectives as RunJson['objectives'],
    constraints: isStringArray(r.constraints) ? r.constraints : [],
    parameters: r.parameters as string[],
    metrics: r.metrics as string[],
    counts: {
      total: num(counts.total),
      ok: num(counts.ok),
      failed: num(counts.failed),
      feasible: num(counts.feasible),
      pareto: num(counts.pareto),
    },
    startedAt: str(r.startedAt),
    finishedAt: str(r.finishedAt),
    wallSeconds: num(r.wallSeconds),
    versions: (r.versions && typeof r.versions === 'object' ? r.versions : {}) as Record<string, string>,
    provenance: (r.provenance && typeof r.provenance === 'object' ? r.provenance : {}) as Record<string, unknown>,
    hypervolume: Array.isArray(r.hypervolume)
      ? (r.hypervolume as unknown[]).filter(
          (h): h is { evals: number; hv: number } =>
            h !== null && typeof h === 'object' && typeof (h as { evals?: unknown }).evals === 'number' && typeof (h as { hv?: unknown }).hv === 'number',
        )
      : [],
    highlights: Array.isArray(r.highlights) ? (r.highlights as RunJson['highlights']) : [],
    // the report shows an early stop with its detail ("time-limit (60 s reached after 37 of 48
    // points)"); run.json records every stop reason, "completed" included
    stopReason: typeof r.stopReason === 'string' && r.stopReason !== 'completed' ? r.stopReason + (typeof r.stopDetail === 'string' ? ` (${r.stopDetail})` : '') : undefined,
  };
  return run;
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
