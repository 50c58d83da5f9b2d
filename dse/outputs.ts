/**
 * Writing a run's outputs: points.csv (its format is here, in one place: `pointsHeader`,
 * `pointRecord`), pareto.csv, run.json, each through the one atomic write (core/atomic.ts), so a
 * reader never sees half a file; a write error names the file. dse/sink.ts streams a run's rows.
 *
 * Numbers are written with the precision they have (`formatMetric`): counts (cycles, DRAM bytes —
 * the analytical model's expected values are fractional) as integers, other metrics to
 * SIGNIFICANT_DIGITS significant digits, so no floating-point noise (18.709997119999997 → 18.71);
 * parameters exactly as evaluated (shortest round-trip), so a row can be re-simulated. The journal
 * keeps the full precision; the Pareto front and feasibility are decided at full precision.
 */
// through the fs object, as dse/journal.ts and dse/lock.ts: the tests inject EROFS and ENOSPC with mock.method(fs, …)
import fs, { type Stats } from 'node:fs';
import path from 'node:path';
import { fsInputError, InputError } from './errors.ts';
import { writeFileAtomic } from '../core/atomic.ts';
import type { Params, PointRow, RunJson } from '../core/results.ts';

/** Significant digits of non-integer metrics in points.csv, pareto.csv and run.json. */
export const SIGNIFICANT_DIGITS = 6;
/** Metrics that count things: written as integers. */
export const INTEGER_METRICS: ReadonlySet<string> = new Set(['cycles', 'dram_bytes']);

/** A metric value as written: integers for counts, SIGNIFICANT_DIGITS otherwise; NaN/±∞ → NaN. */
export function formatMetric(name: string, v: number): number {
  if (!Number.isFinite(v)) return Number.NaN;
  if (INTEGER_METRICS.has(name) || Number.isInteger(v)) return Math.round(v);
  return Number(v.toPrecision(SIGNIFICANT_DIGITS));
}

/**
 * The points.csv cell of a metric value: `csvCell(formatMetric(name, v))`, without parsing the
 * rounded digits back into a number and printing that again (~0.4 µs a value, 10 a row of a sweep:
 * ~1/8 of a hardware grid's CPU time; ~0.2 µs this way). Six significant digits are the shortest form of the double
 * nearest them (a double holds 15), so that form is the digits without trailing zeros, printed as
 * Number#toString prints (plain from 1e-6 up, exponential below); subnormal values, where
 * six digits are more than the double holds (4.94066e-324 reads back as 5e-324), take the long way.
 */
export function metricCell(name: string, v: number): string {
  if (!Number.isFinite(v)) return '';
  if (INTEGER_METRICS.has(name) || Number.isInteger(v)) return String(Math.round(v));
  if (Math.abs(v) < 1e-300) return String(Number(v.toPrecision(SIGNIFICANT_DIGITS)));
  const e = v.toExponential(SIGNIFICANT_DIGITS - 1); // d.ddddde±x: toPrecision's digits
  const neg = v < 0 ? 1 : 0;
  const at = e.indexOf('e', neg);
  let digits = e[neg] + e.slice(neg + 2, at);
  let k = digits.length;
  while (k > 1 && digits.charCodeAt(k - 1) === 0x30) k--;
  digits = digits.slice(0, k);
  // the value is 0.<digits> × 10^n, n ≤ 16 (a double of 2^53 or more is an integer, printed above)
  const n = Number(e.slice(at + 1)) + 1;
  let s: string;
  if (k <= n) s = digits + '0'.repeat(n - k);
  else if (n > 0) s = `${digits.slice(0, n)}.${digits.slice(n)}`;
  else if (n > -6) s = `0.${'0'.repeat(-n)}${digits}`;
  else s = `${digits[0]}${k > 1 ? `.${digits.slice(1)}` : ''}e-${1 - n}`;
  return neg ? `-${s}` : s;
}

/** Every number of a record of metrics (breakdowns too) rounded as `formatMetric`, keyed by name. */
export function formatRecord(r: Record<string, number>, integer = false): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(r)) out[k] = integer ? formatMetric('cycles', v) : formatMetric(k, v);
  return out;
}

/**
 * Creates a folder and its missing parents, one level at a time (Node's recursive mkdir loops
 * forever under /proc). Filesystem errors become InputErrors naming `what` (e.g. "--out DIR").
 */
export function ensureDir(dir: string, what = dir): void {
  const missing: string[] = [];
  let d = path.resolve(dir);
  for (;;) {
    let st;
    try {
      st = fs.statSync(d);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw fsInputError(e, what);
    }
    if (st) {
      if (!st.isDirectory()) throw new InputError(`${what}: ${d} is a file, not a folder`);
      break;
    }
    missing.push(d);
    const up = path.dirname(d);
    if (up === d) break;
    d = up;
  }
  for (const m of missing.reverse()) {
    try {
      fs.mkdirSync(m);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw fsInputError(e, `${what}: cannot create ${m}`);
    }
  }
}

/** Files a results folder of this tool holds (anything else in a folder is the user's). */
export const RESULT_FILES = ['points.csv', 'pareto.csv', 'run.json', 'report.html', 'journal.jsonl', '.lock'];

/** Is `dir` a results folder of spatten-dse (its journal, or a run.json this tool wrote)? */
export function isResultsFolder(dir: string, entries: string[]): boolean {
  if (entries.includes('journal.jsonl')) return true;
  if (!entries.includes('run.json')) return false;
  try {
    const r = JSON.parse(fs.readFileSync(path.join(dir, 'run.json'), 'utf8')) as { versions?: Record<string, unknown>; counts?: unknown };
    return typeof r === 'object' && r !== null && (typeof r.versions?.['spatten-dse'] === 'string' || (typeof r.counts === 'object' && r.counts !== null));
  } catch {
    return false;
  }
}

/** The path itself or its nearest existing parent, with its stat (filesystem errors name `what`). */
function nearestExisting(p: string, what: string): { d: string; st: Stats } {
  let d = path.resolve(p);
  for (;;) {
    try {
      return { d, st: fs.statSync(d) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw fsInputError(e, what);
    }
    // a dangling symbolic link: no folder can be created in its place (mkdir finds it there)
    const target = danglingLink(d);
    if (target !== undefined) throw new InputError(`${what}: ${d} is a symbolic link to ${target}, which does not exist`);
    const up = path.dirname(d);
    if (up === d) throw new InputError(`${what}: no existing parent folder`);
    d = up;
  }
}

/** The target of `p` when `p` is a symbolic link (its target missing when stat said ENOENT), else undefined. */
function danglingLink(p: string): string | undefined {
  try {
    return fs.lstatSync(p).isSymbolicLink() ? fs.readlinkSync(p) : undefined;
  } catch {
    return undefined;
  }
}

function checkWritable(dir: string, what: string): void {
  try {
    fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK);
  } catch (e) {
    throw fsInputError(e, `${what}: cannot write in ${dir}`);
  }
}

/**
 * Checks, without writing anything, that a run may write into `dir` (`what` names it in
 * messages, e.g. "--out x"): the folder or its nearest existing parent must be a writable folder;
 * an existing non-empty folder must be a results folder of this tool unless `force`.
 */
export function checkOutDir(dir: string, what: string, force = false): void {
  const { d, st } = nearestExisting(dir, what);
  if (!st.isDirectory()) {
    throw new InputError(d === path.resolve(dir) ? `${what}: exists and is a file, not a folder` : `${what}: ${d} is a file, not a folder`);
  }
  checkWritable(d, what);
  if (d !== path.resolve(dir)) return; // will be created
  let entries: string[];
  try {
    entries = fs.readdirSync(d);
  } catch (e) {
    throw fsInputError(e, what);
  }
  const present = entries.filter((f) => f !== '.lock' && f !== '.lock.takeover' && !f.endsWith('.tmp'));
  if (present.length === 0 || force || isResultsFolder(d, entries)) return;
  const shown = present.slice(0, 3).join(', ') + (present.length > 3 ? `, … (${present.length} entries)` : '');
  throw new InputError(
    `${what}: the folder is not empty (${shown}) and is not a results folder of spatten-dse; ` +
      `choose another --out folder, or add --force to write ${RESULT_FILES.slice(0, 5).join(', ')} into it`,
  );
}

/**
 * Checks, without writing anything, that a file the user names (`what`, e.g. "--out x.html") can
 * be written: not a folder (`example` completes the suggested file name), under folders rather
 * than files, in a writable folder; a missing folder is created when `createFolder`, else refused.
 */
export function checkOutFile(file: string, what: string, example: string, createFolder: boolean): void {
  const target = path.resolve(file);
  const { d, st } = nearestExisting(target, what);
  if (d === target && st.isDirectory()) throw new InputError(`${what}: is a folder; give a file name, e.g. ${path.join(file, example)}`);
  if (d !== target && !st.isDirectory()) throw new InputError(`${what}: ${d} is a file, not a folder`);
  const folder = path.dirname(target);
  if (d !== target && d !== folder && !createFolder) throw new InputError(`${what}: folder ${folder} does not exist`);
  checkWritable(d === target ? folder : d, what);
}

export function writeAtomic(file: string, data: string): void {
  ensureDir(path.dirname(file));
  try {
    writeFileAtomic(file, data);
  } catch (e) {
    throw fsInputError(e, `cannot write ${file}`);
  }
}

/** A CSV cell: numbers as String(), non-finite empty, booleans true/false, quoted when needed (as csv-stringify writes it). */
export function csvCell(v: unknown): string {
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v === undefined || v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * points.csv header: id, parameters, metrics, feasible, status, error, fidelity, pareto — pareto
 * last, so a streamed file (dse/sink.ts) gets it appended once the front is known.
 */
export function pointsHeader(parameters: string[], metrics: string[]): string {
  return ['id', ...parameters, ...metrics, 'feasible', 'status', 'error', 'fidelity', 'pareto'].map(csvCell).join(',') + '\n';
}

/** One points.csv record without its pareto cell and newline; metrics at their written precision. */
export function pointRecord(r: { id: number; params: Params; metrics: Record<string, number>; status: string; error: string; fidelity: string }, feasible: boolean, parameters: string[], metrics: string[]): string {
  let s = String(r.id);
  for (const p of parameters) s += ',' + csvCell(r.params[p]);
  for (const m of metrics) {
    const v = r.metrics[m];
    s += ',' + (typeof v === 'number' ? metricCell(m, v) : csvCell(v));
  }
  return s + `,${feasible},${r.status},${csvCell(r.error)},${csvCell(r.fidelity)}`;
}

/** CSV text of point rows (tests, tools; a run streams them through dse/sink.ts). */
export function pointsCsv(rows: PointRow[], parameters: string[], metrics: string[]): string {
  let s = pointsHeader(parameters, metrics);
  for (const r of rows) s += `${pointRecord(r, r.feasible, parameters, metrics)},${r.pareto}\n`;
  return s;
}

/** run.json with its measured numbers (highlights, hypervolume, wall time) written at their precision. */
export function runJsonText(run: RunJson): string {
  const out: RunJson = {
    ...run,
    wallSeconds: Math.round(run.wallSeconds * 1000) / 1000,
    hypervolume: run.hypervolume.map((h) => ({ evals: h.evals, hv: formatMetric('hv', h.hv) })),
    highlights: run.highlights.map((h) => ({
      ...h,
      metrics: formatRecord(h.metrics),
      stages: formatRecord(h.stages, true),
      energy: formatRecord(h.energy),
      area: formatRecord(h.area),
      // DRAM bytes by tensor: counts, as dram_bytes (the analytical model's are expected values, fractional)
      ...(h.dram ? { dram: formatRecord(h.dram, true) } : {}),
    })),
  };
  return JSON.stringify(out, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n';
}

export function writeRunOutputs(dir: string, run: RunJson, rows: PointRow[]): void {
  const sorted = rows.slice().sort((a, b) => a.id - b.id);
  writeAtomic(path.join(dir, 'points.csv'), pointsCsv(sorted, run.parameters, run.metrics));
  writeAtomic(path.join(dir, 'pareto.csv'), pointsCsv(sorted.filter((r) => r.pareto), run.parameters, run.metrics));
  writeAtomic(path.join(dir, 'run.json'), runJsonText(run));
}
