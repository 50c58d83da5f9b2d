/**
 * The search-driver interface (ask/tell, like Optuna's samplers and pymoo's ask/tell loop).
 * Every driver — grid, random, lhs, nsga2 — implements it; the runner (dse/run.ts) never knows
 * which one it drives. A driver must be reproducible from its seed and must not depend on the
 * order in which results of one batch are told (the runner tells them sorted by trial id), so
 * results are identical for any number of workers.
 */

/** One parameter of the space, already expanded from the YAML form. */
export type ParamDomain =
  | { key: string; kind: 'choice'; values: (number | string)[] }
  /** Continuous interval (a range without a step). Grid drivers refuse it. */
  | { key: string; kind: 'interval'; low: number; high: number; integer: boolean };

import type { Objective, Params } from '../core/results.ts';

export type { Objective, ParamValue, Params } from '../core/results.ts';

export interface Trial {
  /** Unique, increasing from 0 in ask order. */
  id: number;
  params: Params;
}

export interface TrialResult {
  id: number;
  params: Params;
  /** Metric values (NaN when the evaluation failed). */
  metrics: Record<string, number>;
  status: 'ok' | 'failed';
  /** Sum of constraint violations (0 = feasible). */
  violation: number;
}

export interface DriverContext {
  space: ParamDomain[];
  objectives: Objective[];
  seed: number;
}

export interface Driver {
  readonly name: string;
  /**
   * Up to `n` new trials. An empty array while `done()` is false means "tell me the pending
   * results first" (e.g. NSGA-II between generations).
   */
  ask(n: number): Trial[];
  /** Results of earlier asks, in any grouping; the driver must not depend on arrival order. */
  tell(results: TrialResult[]): void;
  /** True when the driver has nothing more to propose. */
  done(): boolean;
  /** Total number of trials the driver will propose, when known (grid), else undefined. */
  readonly total?: number;
}
