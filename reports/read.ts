/**
 * Reads a results folder (run.json + points.csv) back into the types of dse/results.ts, typing each
 * points.csv column from run.json's `parameters` and `metrics` lists.
 */
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseRunJson, type PointRow, type RunJson } from '../core/results.ts';
import { PointsReader, readPointsFile, RunFolderError, type ReaderKeep } from './read-points.ts';

export { NUMERIC, parseNumberCell, RunFolderError } from './read-points.ts';

export interface LoadedRun {
  run: RunJson;
  /** Every row of points.csv, or with `sample` the rows a report is drawn from (reports/read-points.ts). */
  points: PointRow[];
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
 * Parses points.csv text, every row. Parameter columns whose every non-empty cell is numeric
 * become numbers, others stay strings; metric columns are numbers (NaN when empty or unparsable).
 */
export function parsePointsCsv(text: string, run: Pick<RunJson, 'parameters' | 'metrics'>, where = 'points.csv'): PointRow[] {
  const reader = new PointsReader(run, where);
  reader.push(Buffer.from(text, 'utf8'));
  return reader.end().points;
}

/**
 * Reads `dir/run.json` and `dir/points.csv` (streamed). With `sample`, the points kept are those a
 * report is drawn from — the front, the run's sample, each parameter's extremes, the first failed
 * points — in memory bounded however many rows the file has. Throws RunFolderError with a clear
 * message on trouble.
 */
export async function readRun(dir: string, opts: { sample?: boolean } = {}): Promise<LoadedRun> {
  const run = await readRunJson(dir);
  return { run, points: readRunPoints(dir, run, opts.sample ? {} : undefined) };
}

/** `dir/run.json`, checked (RunFolderError when the folder, the file or its fields are wrong). */
export async function readRunJson(dir: string): Promise<RunJson> {
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
  return validateRunJson(raw, runPath);
}

/**
 * Streams `dir/points.csv` (the whole file is never held): every row kept, the rows of a report's
 * sample (`keep` sizes), or none, each going to `keep.visit`. Its row count must be run.json's.
 */
export function readRunPoints(dir: string, run: RunJson, keep?: ReaderKeep): PointRow[] {
  const csvPath = path.join(dir, 'points.csv');
  if (!existsSync(csvPath)) throw new RunFolderError(`no points.csv in ${dir}`);
  const { points, rows } = readPointsFile(csvPath, new PointsReader(run, csvPath, keep));
  if (Number.isInteger(run.counts.total) && rows !== run.counts.total) {
    throw new RunFolderError(`${csvPath}: ${rows} rows, but run.json counts ${run.counts.total} points (truncated or edited?)`);
  }
  return points;
}
