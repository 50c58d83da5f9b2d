/**
 * Grid driver: the cartesian product of every parameter's values, in a fixed order (the first
 * parameter varies slowest, the last fastest). Only discrete (choice) domains; the space loader
 * refuses a range without a step for this driver.
 */
import type { Driver, DriverContext, ParamDomain, Params, Trial, TrialResult } from '../driver.ts';

export function gridSize(space: ParamDomain[]): number {
  let n = 1;
  for (const d of space) {
    if (d.kind !== 'choice') throw new Error(`grid driver: parameter ${d.key} is a continuous range; give it a step`);
    n *= d.values.length;
  }
  return n;
}

/** The i-th grid point (mixed-radix decoding of i). */
export function gridPoint(space: ParamDomain[], i: number): Params {
  const p: Params = {};
  let rest = i;
  for (let k = space.length - 1; k >= 0; k--) {
    const d = space[k];
    if (d.kind !== 'choice') throw new Error(`grid driver: parameter ${d.key} is a continuous range`);
    const n = d.values.length;
    p[d.key] = d.values[rest % n];
    rest = Math.floor(rest / n);
  }
  // Keep the YAML's key order in the record.
  const ordered: Params = {};
  for (const d of space) ordered[d.key] = p[d.key];
  return ordered;
}

export class GridDriver implements Driver {
  readonly name = 'grid';
  readonly total: number;
  private next = 0;
  constructor(private readonly ctx: DriverContext) {
    this.total = gridSize(ctx.space);
  }
  ask(n: number): Trial[] {
    const out: Trial[] = [];
    while (out.length < n && this.next < this.total) {
      out.push({ id: this.next, params: gridPoint(this.ctx.space, this.next) });
      this.next++;
    }
    return out;
  }
  tell(_results: TrialResult[]): void {}
  done(): boolean {
    return this.next >= this.total;
  }
}
