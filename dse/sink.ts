/**
 * Where a run's evaluated points go, batch by batch, in id order — without keeping them: the
 * counts, the Pareto front of the feasible points (a point dominated when it arrives stays
 * dominated, so the front is kept incrementally), the fronts after each batch for the hypervolume
 * trajectory, a deterministic sample for the report, and the points.csv rows, streamed to a
 * temporary body file. `finish` writes points.csv (the body plus each row's `pareto` flag, the
 * last column) and pareto.csv. Memory is the front plus the sample, however many points run.
 */
import fs from 'node:fs';
import path from 'node:path';
import { atomicTempOf, AtomicWriteError, openAtomic, type AtomicFile } from '../core/atomic.ts';
import { pidAlive } from './lock.ts';
import { journalSafeNote, runFileError } from './errors.ts';
import { JOURNAL_FILE } from './journal.ts';
import { dominatorOf, hypervolume, normaliser, paretoMask, toMinVector } from '../core/pareto.ts';
import type { PointRow } from '../core/results.ts';
import type { Objective } from './driver.ts';
import type { EvaluatedPoint } from './evaluate.ts';
import { pointRecord, pointsHeader } from './outputs.ts';
import { ReportSample } from './report-sample.ts';
import { SensitivityAccumulator } from '../core/sensitivity.ts';

export interface SinkOptions {
  dir: string;
  parameters: string[];
  metrics: string[];
  objectives: Objective[];
  /** Points kept for the report besides the front (default 4000), and failed points (default 1000). */
  sample?: number;
  failedSample?: number;
}

export class RunSink {
  total = 0;
  ok = 0;
  feasible = 0;
  /** The current front (feasible, finite objectives), as rows in id order, and their minimisation vectors. */
  front: EvaluatedPoint[] = [];
  private frontVecs: number[][] = [];
  /** Where each front row's `,false` pareto cell is in the body (its byte offset), parallel to `front`. */
  private frontAt: number[] = [];
  private hint = 0;
  /** Report sample: a reservoir of the other points, the first failed ones, each parameter's extremes (dse/report-sample.ts). */
  private readonly sample: ReportSample<EvaluatedPoint>;
  /**
   * The objectives' sensitivity to each parameter, over every ok point; accuracy or perplexity with
   * accuracy rungs: every point's first-rung estimate unless every point reached the most examples
   * (core/sensitivity.ts SensitivityAccumulator).
   */
  readonly sensitivity: SensitivityAccumulator;
  /** While no point succeeded: every failed one; while none is feasible: every ok one (run-checks' notes). */
  private allFailedRows: EvaluatedPoint[] | undefined = [];
  private infeasibleRows: EvaluatedPoint[] | undefined = [];
  /** Front (minimisation vectors) after each batch, and the rows count then. */
  private readonly snapshots: { evals: number; front: number[][] }[] = [];
  private lo: number[];
  private hi: number[];
  private readonly bodyFile: string;
  private body: number;
  /** Bytes of the body written. */
  private bodyBytes = 0;
  /**
   * The rows not yet in the body, as UTF-8 bytes: each row is written here as it is made, so its
   * string dies young. Kept as strings until ~1 MB had gathered, the rows of three or four batches
   * lived through young-generation collections and were copied out of it: writing them here as
   * they come took a 10⁶-point grid's run to ~0.78× its CPU time.
   */
  private pending = Buffer.allocUnsafe(1 << 20);
  private pendingLen = 0;

  constructor(private readonly o: SinkOptions) {
    fs.mkdirSync(o.dir, { recursive: true });
    removeLeftovers(o.dir);
    this.bodyFile = path.join(o.dir, `.points.body.${process.pid}.tmp`);
    this.body = fs.openSync(this.bodyFile, 'w');
    this.lo = o.objectives.map(() => Infinity);
    this.hi = o.objectives.map(() => -Infinity);
    this.sample = new ReportSample(o.parameters.length, o.sample, o.failedSample);
    this.sensitivity = new SensitivityAccumulator(o.parameters, o.objectives.map((x) => x.metric));
  }

  /** A points.csv record without its pareto cell and newline. */
  private record(r: EvaluatedPoint): string {
    return pointRecord(r, r.status === 'ok' && r.feasible, this.o.parameters, this.o.metrics);
  }

  /** One batch of evaluated points, sorted by id (ids increase across batches). */
  add(batch: EvaluatedPoint[]): void {
    this.checkColumns(batch);
    const cand = this.front.slice();
    const vecs = this.frontVecs.slice();
    const ats = this.frontAt.slice();
    const objectives = this.o.objectives;
    for (const r of batch) {
      this.total++;
      // every row is written with pareto false; the front's are turned true when points.csv is made
      this.appendRow(this.record(r));
      const at = this.bodyBytes + this.pendingLen - FALSE_CELL.length;
      if (r.status !== 'ok') {
        this.sample.addFailed(() => r);
        this.allFailedRows?.push(r);
        continue;
      }
      this.ok++;
      this.allFailedRows = undefined;
      if (r.feasible) this.infeasibleRows = undefined;
      else this.infeasibleRows?.push(r);
      this.sensitivity.add(r.params, r.metrics, r.fidelity, r.firstRung);
      this.sample.addOk((i) => {
        const v = r.params[this.o.parameters[i]];
        return typeof v === 'number' ? v : undefined;
      }, () => r);
      if (!r.feasible) continue;
      this.feasible++;
      const v = toMinVector(r.metrics, objectives);
      if (!v.every(Number.isFinite)) continue; // never on the front
      for (let i = 0; i < v.length; i++) {
        if (v[i] < this.lo[i]) this.lo[i] = v[i];
        if (v[i] > this.hi[i]) this.hi[i] = v[i];
      }
      // a point the front already dominates stays dominated: only the others are candidates
      if (this.dominatedByFront(v)) continue;
      cand.push(r);
      vecs.push(v);
      ats.push(at);
    }
    const before = this.front;
    if (cand.length !== before.length) {
      const mask = paretoMask(vecs, vecs.map(() => true));
      this.front = cand.filter((_, k) => mask[k]);
      this.frontVecs = vecs.filter((_, k) => mask[k]);
      this.frontAt = ats.filter((_, k) => mask[k]);
    }
    const prev = this.snapshots[this.snapshots.length - 1];
    const same = prev !== undefined && before === this.front;
    this.snapshots.push({ evals: this.total, front: same ? prev.front : this.frontVecs });
    if (this.pendingLen >= 1 << 20) this.streamBody();
  }

  /** Appends a record with pareto false to `pending`, grown when it would not fit (a failed flush keeps its rows). */
  private appendRow(record: string): void {
    const most = 3 * record.length + FALSE_CELL.length; // UTF-8 bytes: at most 3 per UTF-16 code unit
    if (this.pendingLen + most > this.pending.length) {
      const grown = Buffer.allocUnsafe(Math.max(2 * this.pending.length, this.pendingLen + most));
      this.pending.copy(grown, 0, 0, this.pendingLen);
      this.pending = grown;
    }
    this.pendingLen += this.pending.write(record, this.pendingLen);
    this.pendingLen += this.pending.write(FALSE_CELL, this.pendingLen, 'latin1');
  }

  /** A flush during the run: a user's filesystem error (a full disk) names the body and what the folder still holds (`runFileError`). */
  private streamBody(): void {
    try {
      this.flushBody();
    } catch (e) {
      const journal = path.join(this.o.dir, JOURNAL_FILE);
      throw runFileError(e, `${this.bodyFile} (the rows of points.csv, streamed during the run)`, (once) => `points.csv is made from it only when the outputs are written; ${journalSafeNote(journal, once)}`);
    }
  }

  /**
   * Some point of the front (as it was before this batch) dominates v. The last dominator is
   * tried first: neighbouring points of a sweep tend to be dominated by the same point.
   */
  private dominatedByFront(v: number[]): boolean {
    const i = dominatorOf(this.frontVecs, v, this.hint);
    if (i >= 0) this.hint = i;
    return i >= 0;
  }

  /** Every metric of the batch's first ok row is a column (rows are written as they come). */
  private checkColumns(batch: EvaluatedPoint[]): void {
    const r = batch.find((b) => b.status === 'ok');
    if (!r) return;
    for (const k in r.metrics) if (!this.o.metrics.includes(k)) throw new Error(`metric ${k} of point ${r.id} is not a points.csv column (${this.o.metrics.join(', ')})`);
  }

  /**
   * Appends the pending rows to the body. A failed write (a full disk) is cut off again and the
   * rows stay pending: a later flush writes them whole, not after a torn copy.
   */
  private flushBody(): void {
    if (this.pendingLen === 0) return;
    const buf = this.pending.subarray(0, this.pendingLen);
    const pos = this.bodyBytes;
    let off = 0;
    try {
      while (off < buf.length) off += fs.writeSync(this.body, buf, off, buf.length - off, pos + off);
    } catch (e) {
      try {
        fs.ftruncateSync(this.body, pos);
      } catch {
        /* the next flush writes at pos over it */
      }
      throw e;
    }
    this.bodyBytes += buf.length;
    this.pendingLen = 0;
  }

  /** Hypervolume after each batch, normalised by the bounds of all feasible points of the run. */
  hypervolumeTrajectory(): { evals: number; hv: number }[] {
    // the bounds of every feasible finite vector (the same normaliser as over all of them)
    const norm = normaliser(this.lo.every(Number.isFinite) ? [this.lo, this.hi] : []);
    let last: number[][] | undefined;
    let hv = 0;
    return this.snapshots.map((s) => {
      if (s.front !== last) hv = hypervolume(s.front.map(norm.apply), norm.ref);
      last = s.front;
      return { evals: s.evals, hv };
    });
  }

  /**
   * The rows the run's checks need (dse/run-checks.ts allFailed, noFeasible): every point while
   * none succeeded, every ok point while none is feasible — empty once a point is feasible.
   */
  checkRows(): EvaluatedPoint[] {
    return [...(this.allFailedRows ?? []), ...(this.infeasibleRows ?? [])];
  }

  /** Points for the report: the front, the sample, each parameter's extremes and the first failed points, by id. */
  reportRows(): PointRow[] {
    const frontIds = new Set(this.front.map((r) => r.id));
    const all = new Map<number, EvaluatedPoint>();
    for (const r of [...this.front, ...this.sample.kept()]) all.set(r.id, r);
    return toPointRows([...all.values()].sort((a, b) => a.id - b.id), frontIds);
  }

  /**
   * Writes points.csv and pareto.csv to their temporary files, sealed but not in place (the write
   * step commits them with run.json: a full disk replaces none of them); the temporary body is
   * removed. On a failure nothing is left: the error (AtomicWriteError) names the output and the
   * temporary file that was being written.
   */
  stage(): AtomicFile[] {
    const points = path.join(this.o.dir, 'points.csv');
    try {
      this.flushBody();
      fs.closeSync(this.body);
    } catch (e) {
      this.discard();
      throw new AtomicWriteError(e, points, this.bodyFile, !fs.existsSync(this.bodyFile));
    }
    const header = pointsHeader(this.o.parameters, this.o.metrics);
    const staged: AtomicFile[] = [];
    try {
      staged.push(writePoints(points, header, this.bodyFile, this.bodyBytes, this.frontAt));
      const p = openAtomic(path.join(this.o.dir, 'pareto.csv'));
      staged.push(p);
      p.write(header);
      for (const r of this.front.slice().sort((a, b) => a.id - b.id)) p.write(this.record(r) + ',true\n');
      p.seal();
      return staged;
    } catch (e) {
      for (const f of staged) f.abort();
      throw e;
    } finally {
      fs.rmSync(this.bodyFile, { force: true });
    }
  }

  /** Writes points.csv and pareto.csv in place (`stage`, then each committed). */
  finish(): void {
    for (const f of this.stage()) f.commit();
  }

  /** Removes the temporary body (nothing written). */
  discard(): void {
    try {
      fs.closeSync(this.body);
    } catch {
      /* closed */
    }
    fs.rmSync(this.bodyFile, { force: true });
  }
}

export function toPointRows(rows: EvaluatedPoint[], front: Set<number>): PointRow[] {
  return rows.map((r) => ({
    id: r.id,
    params: r.params,
    metrics: r.metrics,
    feasible: r.status === 'ok' && r.feasible,
    pareto: front.has(r.id),
    status: r.status,
    error: r.error,
    fidelity: r.fidelity,
  }));
}

const FALSE_CELL = ',false\n';
const TRUE_CELL = ',true\n';
const SPAN = 4 << 20;

/**
 * points.csv = header + the body, whose rows were written with pareto false, with the front rows'
 * `,false` (at the byte offsets `frontAt`) turned `,true`: the body is copied in spans of up to 4 MB
 * between them. (It was read record by record, each record's id looked up in the front: ~1/10 of
 * a 10⁶-point grid's CPU time.)
 */
function writePoints(file: string, header: string, body: string, bodyBytes: number, frontAt: number[]): AtomicFile {
  const out = openAtomic(file);
  out.write(header);
  const fd = fs.openSync(body, 'r');
  try {
    let pos = 0;
    const copyTo = (end: number) => {
      while (pos < end) {
        // a new buffer each time: the file may keep it until its next flush
        const buf = Buffer.allocUnsafe(Math.min(SPAN, end - pos));
        const n = fs.readSync(fd, buf, 0, buf.length, pos);
        if (n === 0) throw new Error(`points.csv: the temporary body ends at ${pos} bytes, before ${end}`);
        out.write(n === buf.length ? buf : buf.subarray(0, n));
        pos += n;
      }
    };
    for (const at of frontAt.slice().sort((a, b) => a - b)) {
      copyTo(at);
      out.write(TRUE_CELL);
      pos += FALSE_CELL.length;
    }
    copyTo(bodyBytes);
    out.seal();
    return out;
  } catch (e) {
    out.abort();
    throw e;
  } finally {
    fs.closeSync(fd);
  }
}

/** The outputs a run writes atomically (core/atomic.ts openAtomic). */
const OUTPUTS = new Set(['points.csv', 'pareto.csv', 'run.json', 'report.html']);

/**
 * Removes what a killed run left in its folder: the points body (the folder lock makes this run the
 * only live one), and the temporary copies of the outputs it was writing when it was killed (a
 * points.csv's is as large as the file: ~1.5 GB at 10⁷ points, one more per kill) unless their
 * process still runs (e.g. `report DIR` writing report.html).
 */
function removeLeftovers(dir: string): void {
  for (const f of fs.readdirSync(dir)) {
    const out = atomicTempOf(f);
    if (/^\.points\.body\.\d+\.tmp$/.test(f) || (out && OUTPUTS.has(out.name) && !pidAlive(out.pid))) fs.rmSync(path.join(dir, f), { force: true });
  }
}
