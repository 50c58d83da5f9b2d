/**
 * Random driver: `samples` independent uniform draws (choice: uniform over the value list;
 * interval: uniform; integer interval: every integer equally likely), reproducible from the seed. Exact duplicate
 * parameter vectors are re-drawn (a bounded number of times), so a small discrete space is not
 * evaluated twice at the same point; when the space has fewer points than `samples`, the driver
 * stops after covering it.
 */
import type { Driver, DriverContext, ParamDomain, Params, Trial, TrialResult } from '../driver.ts';
import { createRng, randInt, type Rng } from '../../sim/rng.ts';

export function sampleParams(space: ParamDomain[], rng: Rng): Params {
  const p: Params = {};
  for (const d of space) {
    if (d.kind === 'choice') p[d.key] = d.values[randInt(rng, d.values.length)];
    else if (d.integer) p[d.key] = d.low + randInt(rng, d.high - d.low + 1); // every integer equally likely
    else p[d.key] = d.low + rng() * (d.high - d.low);
  }
  return p;
}

/** Number of distinct points of a space, or Infinity when it has a continuous dimension. */
export function spaceCardinality(space: ParamDomain[]): number {
  let n = 1;
  for (const d of space) {
    if (d.kind === 'choice') n *= d.values.length;
    else if (d.integer) n *= d.high - d.low + 1;
    else return Infinity;
  }
  return n;
}

export class RandomDriver implements Driver {
  readonly name = 'random';
  readonly total: number;
  private readonly rng: Rng;
  private readonly seen = new Set<string>();
  private issued = 0;
  private exhausted = false;
  constructor(private readonly ctx: DriverContext, samples: number) {
    this.total = Math.min(samples, spaceCardinality(ctx.space));
    this.rng = createRng(ctx.seed);
  }
  ask(n: number): Trial[] {
    const out: Trial[] = [];
    while (out.length < n && this.issued < this.total && !this.exhausted) {
      let p: Params | undefined;
      for (let attempt = 0; attempt < 1000; attempt++) {
        const c = sampleParams(this.ctx.space, this.rng);
        const key = JSON.stringify(c);
        if (!this.seen.has(key)) {
          this.seen.add(key);
          p = c;
          break;
        }
      }
      if (!p) {
        this.exhausted = true;
        break;
      }
      out.push({ id: this.issued++, params: p });
    }
    return out;
  }
  tell(_results: TrialResult[]): void {}
  done(): boolean {
    return this.issued >= this.total || this.exhausted;
  }
}
