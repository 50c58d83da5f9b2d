/**
 * Driver registry: the runner asks for a driver by the YAML `search.driver` name. Each entry
 * declares what the rest of the code needs to know about the driver, so the runner tests no
 * driver names (the report, which reads run.json and not this registry, has each driver's sample
 * design by name: reports/sensitivity.ts DRIVER_DESIGN): whether it can sample a continuous
 * range (`intervals`), whether it is an exhaustive sweep
 * (`exhaustive`: multi-fidelity accuracy then evaluates every point fully unless asked), whether
 * it adapts to results (`adaptive`: its batches are its generations, so the runner never merges
 * them) and its batch size (`batch`: how many trials to ask for at once).
 */
import type { Driver, DriverContext, ParamDomain } from '../driver.ts';
import { GridDriver } from './grid.ts';
import { RandomDriver } from './random.ts';
import { LhsDriver } from './lhs.ts';
import { Nsga2Driver } from './nsga2.ts';

/** The `search:` block's driver settings (dse/space.ts SearchSchema). */
export interface SearchConfig {
  driver: DriverName;
  samples?: number;
  population?: number;
  generations?: number;
}

/** What the runner knows when it sizes a batch. */
export interface BatchContext {
  /** Evaluation lanes (--jobs). */
  jobs: number;
  /** The primary evaluation is CPU-bound (pool workers). */
  cpuBound: boolean;
}

export interface DriverInfo {
  /** Can sample a range without a step (a continuous interval). */
  intervals: boolean;
  /** Proposes every point of a finite space (a sweep, e.g. a figure), rather than searching. */
  exhaustive: boolean;
  /**
   * Chooses its next trials from the results told so far, one batch at a time. A non-adaptive
   * driver's trials do not depend on results, so the runner may ask for all of them at once (with
   * accuracy on, so each algorithm configuration's accuracy runs once, on one worker).
   */
  adaptive: boolean;
  /** Trials per ask. */
  batch(search: SearchConfig, b: BatchContext): number;
  /** Evaluations the search asks for over these domains (a grid: its cardinality), and what sets that number. */
  planned(search: Omit<SearchConfig, 'driver'>, domains: readonly ParamDomain[]): number;
  budget: string;
  /** The `search:` settings it reads (a space giving it another one is refused: it would be ignored). */
  settings: readonly SearchSetting[];
  create(search: SearchConfig, ctx: DriverContext): Driver;
}

/** The `search:` settings a driver may read. */
export type SearchSetting = 'samples' | 'population' | 'generations';
export const SEARCH_SETTINGS: readonly SearchSetting[] = ['samples', 'population', 'generations'];

/**
 * Drivers that do not adapt to results can take large batches: every batch ends with a barrier
 * where workers wait for the slowest evaluation in flight. Progress is reported per evaluation.
 */
const nonAdaptiveBatch = (_s: SearchConfig, b: BatchContext) => (b.cpuBound ? Math.max(128 * b.jobs, 256) : 2048);
const samples = (s: Pick<SearchConfig, 'samples'>) => s.samples ?? 100;
const cardinality = (_s: unknown, domains: readonly ParamDomain[]) => domains.reduce((n, d) => n * (d.kind === 'choice' ? d.values.length : Infinity), 1);

export const DRIVERS = {
  grid: { intervals: false, exhaustive: true, adaptive: false, batch: nonAdaptiveBatch, planned: cardinality, budget: 'grid points', settings: [], create: (_s, ctx) => new GridDriver(ctx) },
  random: { intervals: true, exhaustive: false, adaptive: false, batch: nonAdaptiveBatch, planned: samples, budget: 'samples', settings: ['samples'], create: (s, ctx) => new RandomDriver(ctx, samples(s)) },
  lhs: { intervals: true, exhaustive: false, adaptive: false, batch: nonAdaptiveBatch, planned: samples, budget: 'samples', settings: ['samples'], create: (s, ctx) => new LhsDriver(ctx, { samples: samples(s) }) },
  // one generation per batch: the hypervolume trajectory has one point per generation
  nsga2: {
    intervals: true,
    exhaustive: false,
    adaptive: true,
    batch: (s) => s.population ?? 40,
    planned: (s) => (s.population ?? 40) * (s.generations ?? 10),
    budget: 'population × generations',
    settings: ['population', 'generations'],
    create: (s, ctx) => new Nsga2Driver(ctx, { population: s.population ?? 40, generations: s.generations ?? 10 }),
  },
} as const satisfies Record<string, DriverInfo>;

export type DriverName = keyof typeof DRIVERS;
export const DRIVER_NAMES = Object.keys(DRIVERS) as [DriverName, ...DriverName[]];

export function driverInfo(name: string): DriverInfo {
  const d = (DRIVERS as Record<string, DriverInfo | undefined>)[name];
  if (!d) throw new Error(`driver "${name}" is not available in this build (known: ${DRIVER_NAMES.join(', ')})`);
  return d;
}

export function createDriver(search: SearchConfig, ctx: DriverContext): Driver {
  return driverInfo(search.driver).create(search, ctx);
}
