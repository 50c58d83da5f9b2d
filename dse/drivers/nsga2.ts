/**
 * NSGA-II (Deb et al. 2002) as an ask/tell driver.
 *
 * - Generation 0 is a Latin hypercube of `population` points; every later generation is
 *   `population` offspring. `generations` counts generation 0, so a run proposes at most
 *   population × generations points (pymoo's n_gen convention).
 * - Survival: parents ∪ offspring, constraint-domination non-dominated sort (feasible beats
 *   infeasible, then lower violation, then Pareto dominance), last front cut by crowding distance.
 *   Failed evaluations rank last (violation = +∞).
 * - Mating: binary tournament on (rank, crowding).
 * - Variation respects the domain of every parameter (see genes.ts): real genes use SBX and
 *   polynomial mutation; ordinal genes (numeric choice lists, integer intervals) use the same
 *   operators on the index over equal-width cells [i−½, i+½), then round — every index has the
 *   same width, so the ends are not under-sampled — and a mutation that rounds back to the same
 *   index steps to a neighbour instead; categorical genes use uniform crossover and random reset.
 * - Duplicate elimination: a params vector already proposed (evaluated or pending) is never
 *   proposed again; after repeated collisions a fresh random unseen point is used instead, and the
 *   driver stops early when a finite space is exhausted.
 * - Order independence: results of a generation are processed sorted by trial id once all have
 *   arrived, and each generation draws from its own RNG stream derived from (seed, generation), so
 *   the search is identical for any worker count and arrival order.
 */
import type { Driver, DriverContext, Objective, Params, Trial, TrialResult } from '../driver.ts';
import { nonDominatedSort, toMinVector } from '../../core/pareto.ts';
import { createRng, deriveSeed, randInt, type Rng } from '../../sim/rng.ts';
import { decode, encodeSpace, paramsKey, spaceSize, type Gene, type Genome } from './genes.ts';
import { latinHypercube } from './lhs.ts';

export interface Nsga2Options {
  /** Individuals per generation (default 40). */
  population?: number;
  /** Generations including the initial one (default 10). */
  generations?: number;
  /** Probability that a mating pair is crossed over (default 0.9). */
  crossoverProb?: number;
  /** SBX distribution index (default 15). */
  etaC?: number;
  /** Polynomial-mutation distribution index (default 20). */
  etaM?: number;
  /** Per-gene mutation probability (default 1 / number of genes). */
  mutationProb?: number;
}

interface Individual {
  id: number;
  params: Params;
  genome: Genome;
  obj: number[];
  violation: number;
  rank: number;
  crowd: number;
}

/** Crowding distance of the members of one front (indices into `pop`), written into `crowd`. */
export function assignCrowding(pop: { obj: number[]; crowd: number; id: number }[], front: number[]): void {
  for (const i of front) pop[i].crowd = 0;
  if (front.length === 0) return;
  const m = pop[front[0]].obj.length;
  if (front.length <= 2) {
    for (const i of front) pop[i].crowd = Infinity;
    return;
  }
  for (let k = 0; k < m; k++) {
    const s = front.slice().sort((a, b) => pop[a].obj[k] - pop[b].obj[k] || pop[a].id - pop[b].id);
    const lo = pop[s[0]].obj[k];
    const hi = pop[s[s.length - 1]].obj[k];
    pop[s[0]].crowd = Infinity;
    pop[s[s.length - 1]].crowd = Infinity;
    if (!(hi > lo) || !Number.isFinite(hi - lo)) continue;
    for (let t = 1; t < s.length - 1; t++) {
      pop[s[t]].crowd += (pop[s[t + 1]].obj[k] - pop[s[t - 1]].obj[k]) / (hi - lo);
    }
  }
}

function sbxPair(y1: number, y2: number, lo: number, hi: number, eta: number, rng: Rng): [number, number] {
  if (Math.abs(y1 - y2) < 1e-14 || !(hi > lo)) return [y1, y2];
  const a = Math.min(y1, y2);
  const b = Math.max(y1, y2);
  const u = rng();
  const betaq = (beta: number): number => {
    const alpha = 2 - Math.pow(beta, -(eta + 1));
    return u <= 1 / alpha ? Math.pow(u * alpha, 1 / (eta + 1)) : Math.pow(1 / (2 - u * alpha), 1 / (eta + 1));
  };
  let c1 = 0.5 * (a + b - betaq(1 + (2 * (a - lo)) / (b - a)) * (b - a));
  let c2 = 0.5 * (a + b + betaq(1 + (2 * (hi - b)) / (b - a)) * (b - a));
  c1 = Math.min(hi, Math.max(lo, c1));
  c2 = Math.min(hi, Math.max(lo, c2));
  return rng() < 0.5 ? [c2, c1] : [c1, c2];
}

function polyMutate(y: number, lo: number, hi: number, eta: number, rng: Rng): number {
  if (!(hi > lo)) return y;
  const d1 = (y - lo) / (hi - lo);
  const d2 = (hi - y) / (hi - lo);
  const r = rng();
  const pow = 1 / (eta + 1);
  let dq: number;
  if (r < 0.5) {
    const val = 2 * r + (1 - 2 * r) * Math.pow(1 - d1, eta + 1);
    dq = Math.pow(val, pow) - 1;
  } else {
    const val = 2 * (1 - r) + 2 * (r - 0.5) * Math.pow(1 - d2, eta + 1);
    dq = 1 - Math.pow(val, pow);
  }
  return Math.min(hi, Math.max(lo, y + dq * (hi - lo)));
}

/** Continuous cell bounds of an ordinal gene: index i owns [i−½, i+½). */
function cellBounds(size: number): [number, number] {
  return [-0.5, size - 0.5];
}

function roundIndex(x: number, size: number): number {
  return Math.min(size - 1, Math.max(0, Math.round(x)));
}

export class Nsga2Driver implements Driver {
  readonly name = 'nsga2';
  readonly total: number;
  private readonly genes: Gene[];
  private readonly objectives: Objective[];
  private readonly seed: number;
  private readonly popSize: number;
  private readonly generations: number;
  private readonly pc: number;
  private readonly etaC: number;
  private readonly etaM: number;
  private readonly pm: number;
  private readonly finiteSize: number;

  private nextId = 0;
  private gen = 0;
  private exhausted = false;
  private finished = false;
  /** Current generation: proposed but not yet asked, asked but not told, told. */
  private pending: Trial[] = [];
  private outstanding = new Map<number, Trial>();
  private told = new Map<number, TrialResult>();
  private genomes = new Map<number, Genome>();
  private parents: Individual[] = [];
  private readonly seen = new Set<string>();

  constructor(ctx: DriverContext, opts: Nsga2Options = {}) {
    this.genes = encodeSpace(ctx.space);
    if (this.genes.length === 0) throw new Error('nsga2: empty space');
    if (ctx.objectives.length === 0) throw new Error('nsga2: needs at least one objective');
    this.objectives = ctx.objectives;
    this.seed = ctx.seed;
    this.popSize = opts.population ?? 40;
    this.generations = opts.generations ?? 10;
    if (!Number.isInteger(this.popSize) || this.popSize < 2) throw new Error(`nsga2: population must be an integer ≥ 2, got ${this.popSize}`);
    if (!Number.isInteger(this.generations) || this.generations < 1) throw new Error(`nsga2: generations must be an integer ≥ 1, got ${this.generations}`);
    this.pc = opts.crossoverProb ?? 0.9;
    this.etaC = opts.etaC ?? 15;
    this.etaM = opts.etaM ?? 20;
    this.pm = opts.mutationProb ?? 1 / this.genes.length;
    this.finiteSize = spaceSize(this.genes);
    this.total = Math.min(this.popSize * this.generations, this.finiteSize);
    this.initialPopulation();
  }

  /** The current parent population's first front (ids), for inspection. */
  get front(): number[] {
    return this.parents.filter((p) => p.rank === 0).map((p) => p.id).sort((a, b) => a - b);
  }

  get generation(): number {
    return this.gen;
  }

  ask(n: number): Trial[] {
    const out = this.pending.splice(0, Math.max(0, n));
    for (const t of out) this.outstanding.set(t.id, t);
    return out.map((t) => ({ id: t.id, params: { ...t.params } }));
  }

  tell(results: TrialResult[]): void {
    for (const r of results) {
      if (!this.outstanding.has(r.id)) {
        if (this.told.has(r.id)) continue; // told twice: keep the first
        throw new Error(`nsga2: result for unknown or unasked trial ${r.id}`);
      }
      this.outstanding.delete(r.id);
      this.told.set(r.id, r);
    }
    if (this.pending.length === 0 && this.outstanding.size === 0 && this.told.size > 0) this.advance();
  }

  done(): boolean {
    return this.finished && this.pending.length === 0 && this.outstanding.size === 0;
  }

  // ---------------------------------------------------------------------------------------------

  private propose(genome: Genome): boolean {
    const params = decode(this.genes, genome);
    const key = paramsKey(this.genes, params);
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    const id = this.nextId++;
    this.genomes.set(id, genome);
    this.pending.push({ id, params });
    return true;
  }

  private spaceFull(): boolean {
    return this.seen.size >= this.finiteSize;
  }

  private randomGenome(rng: Rng): Genome {
    return this.genes.map((g) => (g.kind === 'real' ? g.low + rng() * (g.high - g.low) : randInt(rng, g.size)));
  }

  /** A random point not yet proposed, or undefined after many tries (space nearly exhausted). */
  private freshRandom(rng: Rng): Genome | undefined {
    for (let t = 0; t < 200 && !this.spaceFull(); t++) {
      const g = this.randomGenome(rng);
      if (!this.seen.has(paramsKey(this.genes, decode(this.genes, g)))) return g;
    }
    return undefined;
  }

  private initialPopulation(): void {
    const rng = createRng(deriveSeed(this.seed, 'nsga2', 0));
    const n = Math.min(this.popSize, this.finiteSize);
    for (const g of latinHypercube(this.genes, n, rng)) this.propose(g);
    while (this.pending.length < n && !this.spaceFull()) {
      const g = this.freshRandom(rng);
      if (!g) break;
      this.propose(g);
    }
    if (this.pending.length === 0) this.finished = true;
  }

  private toIndividual(r: TrialResult): Individual {
    const obj = toMinVector(r.metrics, this.objectives);
    const failed = r.status !== 'ok' || obj.some((x) => !Number.isFinite(x));
    const v = Number.isFinite(r.violation) && r.violation > 0 ? r.violation : 0;
    return {
      id: r.id,
      params: r.params,
      genome: this.genomes.get(r.id)!,
      obj: failed ? obj.map(() => Number.NaN) : obj,
      violation: failed ? Infinity : v,
      rank: 0,
      crowd: 0,
    };
  }

  /** Environmental selection: ranks and crowding assigned; returns the best `size`. */
  private survive(pool: Individual[], size: number): Individual[] {
    const pop = pool.slice().sort((a, b) => a.id - b.id);
    const fronts = nonDominatedSort(
      pop.map((p) => p.obj),
      pop.map((p) => p.violation),
    );
    const out: Individual[] = [];
    fronts.forEach((front, rank) => {
      for (const i of front) pop[i].rank = rank;
      assignCrowding(pop, front);
      if (out.length >= size) return;
      if (out.length + front.length <= size) {
        for (const i of front) out.push(pop[i]);
      } else {
        const s = front.slice().sort((a, b) => pop[b].crowd - pop[a].crowd || pop[a].id - pop[b].id);
        for (const i of s.slice(0, size - out.length)) out.push(pop[i]);
      }
    });
    return out;
  }

  private advance(): void {
    const results = [...this.told.values()].sort((a, b) => a.id - b.id);
    this.told.clear();
    const offspring = results.map((r) => this.toIndividual(r));
    this.parents = this.survive([...this.parents, ...offspring], this.popSize);
    for (const id of this.genomes.keys()) {
      if (!this.parents.some((p) => p.id === id)) this.genomes.delete(id);
    }
    this.gen++;
    if (this.gen >= this.generations || this.spaceFull()) {
      this.finished = true;
      return;
    }
    this.makeOffspring();
    if (this.pending.length === 0) this.finished = true;
  }

  private better(a: Individual, b: Individual): Individual {
    if (a.rank !== b.rank) return a.rank < b.rank ? a : b;
    if (a.crowd !== b.crowd) return a.crowd > b.crowd ? a : b;
    return a;
  }

  private tournament(rng: Rng): Individual {
    const n = this.parents.length;
    const ia = randInt(rng, n);
    if (n === 1) return this.parents[ia];
    const j = randInt(rng, n - 1);
    const ib = j >= ia ? j + 1 : j;
    return this.better(this.parents[ia], this.parents[ib]);
  }

  private crossover(p1: Genome, p2: Genome, rng: Rng): [Genome, Genome] {
    const c1 = p1.slice();
    const c2 = p2.slice();
    if (rng() >= this.pc) return [c1, c2];
    this.genes.forEach((g, k) => {
      if (rng() >= 0.5) return;
      if (g.kind === 'real') {
        [c1[k], c2[k]] = sbxPair(p1[k], p2[k], g.low, g.high, this.etaC, rng);
      } else if (g.kind === 'ordinal') {
        const [lo, hi] = cellBounds(g.size);
        const [x1, x2] = sbxPair(p1[k], p2[k], lo, hi, this.etaC, rng);
        c1[k] = roundIndex(x1, g.size);
        c2[k] = roundIndex(x2, g.size);
      } else {
        c1[k] = p2[k];
        c2[k] = p1[k];
      }
    });
    return [c1, c2];
  }

  private mutate(c: Genome, rng: Rng, force: boolean): Genome {
    const out = c.slice();
    let changed = false;
    const mutateGene = (k: number): void => {
      const g = this.genes[k];
      if (g.kind === 'real') {
        out[k] = polyMutate(out[k], g.low, g.high, this.etaM, rng);
      } else if (g.size > 1) {
        if (g.kind === 'ordinal') {
          const [lo, hi] = cellBounds(g.size);
          let i = roundIndex(polyMutate(out[k], lo, hi, this.etaM, rng), g.size);
          if (i === out[k]) {
            // neighbour step (towards the only neighbour at an end)
            i = out[k] === 0 ? 1 : out[k] === g.size - 1 ? g.size - 2 : out[k] + (rng() < 0.5 ? -1 : 1);
          }
          out[k] = i;
        } else {
          const r = randInt(rng, g.size - 1);
          out[k] = r >= out[k] ? r + 1 : r;
        }
      }
      changed = true;
    };
    this.genes.forEach((_, k) => {
      if (rng() < this.pm) mutateGene(k);
    });
    if (force && !changed) mutateGene(randInt(rng, this.genes.length));
    return out;
  }

  private makeOffspring(): void {
    const rng = createRng(deriveSeed(this.seed, 'nsga2', this.gen));
    const want = this.popSize;
    let made = 0;
    let failures = 0;
    while (made < want && !this.spaceFull()) {
      const a = this.tournament(rng);
      let b = this.tournament(rng);
      for (let t = 0; t < 3 && b === a; t++) b = this.tournament(rng);
      const [c1, c2] = this.crossover(a.genome, b.genome, rng);
      for (const c of [c1, c2]) {
        if (made >= want) break;
        // mutate; if the child is a known point, mutate it further a few times
        let child = this.mutate(c, rng, false);
        let ok = this.propose(child);
        for (let t = 0; !ok && t < 5; t++) {
          child = this.mutate(child, rng, true);
          ok = this.propose(child);
        }
        if (ok) {
          made++;
          failures = 0;
        } else if (++failures > 20) {
          const g = this.freshRandom(rng);
          if (!g) return;
          if (this.propose(g)) made++;
          failures = 0;
        }
      }
    }
  }
}
