/**
 * points.csv read as a stream of records, in bounded memory: a 10⁷-point file (1.3 GB) is never
 * held. Records end at a newline outside quotes (an error message may hold a quoted newline);
 * a record without quotes is split on commas, one with quotes goes through csv-parse. Every row
 * is checked (cell count, id, metric cells) and errors name the file and line.
 *
 * With `sample`, only the points a report is drawn from are kept — the front (the `pareto`
 * column), and through dse/report-sample.ts, the same sampler a run uses, a seeded reservoir of
 * the ok points, the first failed points and each parameter's extremes — so `report DIR` draws
 * the points the run's own report drew. With `visit`, every row goes to it and none is kept (a
 * comparison of runs keeps what it needs: reports/compare-scan.ts). Otherwise every row is kept
 * (small files, tests).
 */
import fs from 'node:fs';
import type { Params, PointRow, RunJson } from '../core/results.ts';
import { ReportSample } from '../dse/report-sample.ts';
import { parseCsv } from './csv.ts';
import { scanCsvRecords } from '../core/csv-records.ts';

/** A results folder that is missing, unreadable or malformed (the CLI maps it to exit code 2). */
export class RunFolderError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'RunFolderError';
  }
}

export const NUMERIC = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

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


/** A row handed to a visitor: its status, feasibility, a metric's value (NaN when not a column), and the row, built on demand. */
export interface RowView {
  ok: boolean;
  feasible: boolean;
  metric(name: string): number;
  /** The row as a report reads it (its parameter cells stay strings). */
  build(): PointRow;
}

/** How a reader keeps rows: a report's sample (sizes), or none, each row going to `visit`. */
export interface ReaderKeep {
  size?: number;
  failed?: number;
  visit?: (row: RowView) => void;
}

interface Columns {
  width: number;
  id: number;
  params: number[];
  metrics: number[];
  feasible: number;
  pareto: number;
  status: number;
  error: number;
  fidelity: number;
}

export class PointsReader {
  private carry = Buffer.alloc(0);
  /** Physical line (1-based) where the next record starts. */
  private line = 1;
  private first = true;
  private cols?: Columns;
  rows = 0;
  private readonly all: PointRow[] = [];
  private readonly front: PointRow[] = [];
  private readonly sampler?: ReportSample<PointRow>;
  private readonly visit?: (row: RowView) => void;
  /** Metric name → its position in run.metrics (a visitor asks by name). */
  private readonly metricAt: Map<string, number>;
  /** Per parameter: every non-empty cell so far is a number. */
  private numeric: boolean[];

  constructor(
    private readonly run: Pick<RunJson, 'parameters' | 'metrics'>,
    private readonly where: string,
    keep?: ReaderKeep,
  ) {
    this.numeric = run.parameters.map(() => true);
    this.metricAt = new Map(run.metrics.map((m, k) => [m, k]));
    if (keep?.visit) this.visit = keep.visit;
    else if (keep) this.sampler = new ReportSample(run.parameters.length, keep.size, keep.failed);
  }

  private fail(line: number, what: string): never {
    throw new RunFolderError(`${this.where}: line ${line}: ${what}`);
  }

  /** The next bytes of the file. */
  push(chunk: Buffer): void {
    let data = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
    if (this.first && data.length >= 3 && data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) data = data.subarray(3);
    if (data.length >= 3) this.first = false;
    const start = scanCsvRecords(data, (from, nl, quotes, newlines) => {
      const end = nl > from && data[nl - 1] === 0x0d ? nl - 1 : nl;
      this.record(data.toString('utf8', from, end), quotes > 0);
      this.line += newlines + 1;
    });
    // the unfinished record is carried over and scanned again from its start
    this.carry = Buffer.from(data.subarray(start));
  }

  /** The end of the file: the kept points (by id when sampled, in file order otherwise) and the count of rows. */
  end(): { points: PointRow[]; rows: number } {
    if (this.carry.length > 0) {
      const text = this.carry.toString('utf8');
      if ((text.match(/"/g)?.length ?? 0) % 2 === 1) this.fail(this.line, 'the file ends inside a quoted cell (truncated?)');
      this.record(text.endsWith('\r') ? text.slice(0, -1) : text, text.includes('"'));
      this.carry = Buffer.alloc(0);
    }
    const numericKeys = this.run.parameters.filter((_, i) => this.numeric[i]);
    let points: PointRow[];
    if (this.sampler) {
      const kept = [...new Set([...this.front, ...this.sampler.kept((i) => this.numeric[i])])];
      points = kept.sort((a, b) => a.id - b.id);
    } else points = this.all;
    for (const r of points) {
      for (const p of numericKeys) {
        const s = r.params[p];
        if (typeof s === 'string') r.params[p] = Number(s.trim());
      }
    }
    return { points, rows: this.rows };
  }

  private cells(text: string, quoted: boolean): string[] {
    if (!quoted) return text.split(',');
    let rows: string[][];
    try {
      rows = parseCsv(text);
    } catch (e) {
      this.fail(this.line, (e as Error).message);
    }
    return rows[0] ?? [''];
  }

  private record(text: string, quoted: boolean): void {
    if (text === '') return; // a blank line
    const cells = this.cells(text, quoted);
    if (!this.cols) {
      this.cols = this.header(cells);
      return;
    }
    this.row(cells);
  }

  private header(cells: string[]): Columns {
    const header = cells.map((h) => h.trim());
    const col = new Map<string, number>();
    header.forEach((h, i) => {
      if (!col.has(h)) col.set(h, i);
    });
    if (!col.has('id')) throw new RunFolderError(`${this.where}: no "id" column in the header`);
    const missing = [...this.run.parameters, ...this.run.metrics, 'feasible', 'pareto', 'status'].filter((c) => !col.has(c));
    if (missing.length > 0) {
      throw new RunFolderError(`${this.where}: missing column${missing.length > 1 ? 's' : ''} ${missing.map((c) => JSON.stringify(c)).join(', ')} (run.json lists ${missing.length > 1 ? 'them' : 'it'})`);
    }
    const at = (name: string) => col.get(name) ?? -1;
    return {
      width: header.length,
      id: at('id'),
      params: this.run.parameters.map(at),
      metrics: this.run.metrics.map(at),
      feasible: at('feasible'),
      pareto: at('pareto'),
      status: at('status'),
      error: at('error'),
      fidelity: at('fidelity'),
    };
  }

  private row(cells: string[]): void {
    const c = this.cols!;
    const line = this.line;
    if (cells.length !== c.width) this.fail(line, `${cells.length} cell${cells.length === 1 ? '' : 's'}, the header has ${c.width} (truncated or edited?)`);
    this.rows++;
    // metric cells: a number, empty (a failed point) or NaN/±Infinity — anything else is corruption;
    // each is parsed once here, for the check and for the row
    const values = new Array<number>(c.metrics.length);
    for (let k = 0; k < c.metrics.length; k++) {
      const t = cells[c.metrics[k]].trim();
      const v = (values[k] = parseNumberCell(t));
      if (t !== '' && t !== 'NaN' && Number.isNaN(v)) this.fail(line, `column "${this.run.metrics[k]}": ${JSON.stringify(t.slice(0, 40))} is not a number`);
    }
    const idCell = cells[c.id];
    const id = parseNumberCell(idCell);
    if (!Number.isFinite(id)) this.fail(line, `non-numeric id ${JSON.stringify(idCell)}`);
    for (let k = 0; k < c.params.length; k++) {
      if (!this.numeric[k]) continue;
      const s = cells[c.params[k]].trim();
      if (s !== '' && !NUMERIC.test(s)) this.numeric[k] = false;
    }
    const build = () => this.build(cells, id, values);
    if (this.visit) {
      const at = this.metricAt;
      this.visit({
        ok: cells[c.status].trim() !== 'failed',
        feasible: parseBool(cells[c.feasible]),
        metric: (name) => {
          const k = at.get(name);
          return k === undefined ? NaN : values[k];
        },
        build,
      });
      return;
    }
    if (!this.sampler) {
      this.all.push(build());
      return;
    }
    const failed = cells[c.status].trim() === 'failed';
    let kept: PointRow | undefined;
    if (parseBool(cells[c.pareto])) this.front.push((kept = build()));
    const once = () => (kept ??= build());
    if (failed) this.sampler.addFailed(once);
    else {
      this.sampler.addOk((k) => {
        const s = cells[c.params[k]].trim();
        return s !== '' && NUMERIC.test(s) ? Number(s) : undefined;
      }, once);
    }
  }

  /** A row as the report reads it (`values`: its metric cells parsed); parameter cells stay strings until the end (a column is numeric when all its cells are). */
  private build(cells: string[], id: number, values: number[]): PointRow {
    const c = this.cols!;
    const params: Params = {};
    for (let k = 0; k < c.params.length; k++) {
      const s = cells[c.params[k]];
      if (s !== '') params[this.run.parameters[k]] = s;
    }
    const metrics: Record<string, number> = {};
    for (let k = 0; k < c.metrics.length; k++) metrics[this.run.metrics[k]] = values[k];
    const status = cells[c.status].trim();
    return {
      id,
      params,
      metrics,
      feasible: parseBool(cells[c.feasible]),
      pareto: parseBool(cells[c.pareto]),
      status: status === 'failed' ? 'failed' : 'ok',
      error: c.error >= 0 ? cells[c.error] : '',
      fidelity: c.fidelity >= 0 ? cells[c.fidelity] : '',
    };
  }
}

/** Streams a points.csv file through a reader, 4 MB at a time. */
export function readPointsFile(file: string, reader: PointsReader): { points: PointRow[]; rows: number } {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    throw new RunFolderError(`no points.csv at ${file}`);
  }
  try {
    const buf = Buffer.alloc(4 << 20);
    for (;;) {
      let n: number;
      try {
        n = fs.readSync(fd, buf, 0, buf.length, null);
      } catch (e) {
        throw new RunFolderError(`cannot read ${file}: ${(e as Error).message}`);
      }
      if (n === 0) break;
      reader.push(buf.subarray(0, n));
    }
  } finally {
    fs.closeSync(fd);
  }
  return reader.end();
}
