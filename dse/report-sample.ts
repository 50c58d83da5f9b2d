/**
 * The points a report is drawn from, kept in bounded memory whatever the number of points: a
 * reservoir of the ok points (Algorithm R, seeded: the same points in the same order keep the
 * same sample), the first failed points, and per parameter the ok point with its lowest and the
 * one with its highest value (the report's "front on the bound of a knob" notes compare the
 * front with them, core/bounds.ts). The front is kept by the caller.
 *
 * One sampler for both places a report is drawn: a run (dse/sink.ts, as the points are
 * evaluated) and `report DIR` (reports/read-points.ts, streaming points.csv in id order), so a
 * report regenerated from a folder draws the same points as the run's.
 */
import { mulberry32 } from '../sim/rng.ts';

/** Points kept for the report besides the front, and failed points kept. */
export const REPORT_SAMPLE = 4000;
export const REPORT_FAILED_SAMPLE = 1000;

export class ReportSample<T> {
  private readonly reservoir: T[] = [];
  private readonly failed: T[] = [];
  /** Per parameter i: [2i] the point with the lowest value, [2i + 1] the highest (first seen wins a tie). */
  private readonly extremes: (T | undefined)[] = [];
  private readonly extremeValues: number[] = [];
  private seen = 0;
  private readonly rng = mulberry32(1);

  constructor(
    private readonly parameters: number,
    private readonly size = REPORT_SAMPLE,
    private readonly failedSize = REPORT_FAILED_SAMPLE,
  ) {}

  /**
   * An ok point, in order. `value(i)`: parameter i's value when it is a number (else undefined);
   * `point()` builds what is kept, called only when the point is kept (at most once).
   */
  addOk(value: (i: number) => number | undefined, point: () => T): void {
    this.seen++;
    let p: T | undefined;
    for (let i = 0; i < this.parameters; i++) {
      const v = value(i);
      if (v === undefined) continue;
      if (this.extremes[2 * i] === undefined || v < this.extremeValues[2 * i]) {
        this.extremes[2 * i] = p ??= point();
        this.extremeValues[2 * i] = v;
      }
      if (this.extremes[2 * i + 1] === undefined || v > this.extremeValues[2 * i + 1]) {
        this.extremes[2 * i + 1] = p ??= point();
        this.extremeValues[2 * i + 1] = v;
      }
    }
    if (this.reservoir.length < this.size) this.reservoir.push(p ?? point());
    else {
      const j = Math.floor(this.rng() * this.seen);
      if (j < this.size) this.reservoir[j] = p ?? point();
    }
  }

  /** A failed point, in order: the first `failedSize` are kept. */
  addFailed(point: () => T): void {
    if (this.failed.length < this.failedSize) this.failed.push(point());
  }

  /** The kept points (a point may appear more than once); `numeric(i)` false drops parameter i's extremes. */
  kept(numeric: (i: number) => boolean = () => true): T[] {
    const out = [...this.reservoir, ...this.failed];
    for (let i = 0; i < this.extremes.length; i++) {
      const e = this.extremes[i];
      if (e !== undefined && numeric(i >> 1)) out.push(e);
    }
    return out;
  }
}
