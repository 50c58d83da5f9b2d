/**
 * Shapes of a run's outputs (results/<name>/): run.json and the rows of points.csv. The runner
 * writes them, the report reads them; nothing else is needed to regenerate a report.
 */
import type { Objective, Params } from './driver.ts';
import type { BackendInfo } from './backends/types.ts';

/** One evaluated design point, as a row of points.csv (params and metrics flattened). */
export interface PointRow {
  id: number;
  params: Params;
  /** Metric name → value (NaN/absent when failed). */
  metrics: Record<string, number>;
  feasible: boolean;
  pareto: boolean;
  status: 'ok' | 'failed';
  error: string;
  /** Which model/fidelity produced the metrics, e.g. "analytical", "cycle", "accuracy:subset". */
  fidelity: string;
}

/** A highlighted point with its full breakdown (latency by stage, energy and area by module). */
export interface Highlight {
  id: number;
  label: string;
  params: Params;
  metrics: Record<string, number>;
  stages: Record<string, number>;
  energy: Record<string, number>;
  area: Record<string, number>;
}

export interface RunJson {
  name: string;
  /** The space file as parsed (defaults filled in). */
  space: unknown;
  /** The YAML text that produced the run. */
  yaml: string;
  spaceFile: string;
  model: string;
  objectives: Objective[];
  constraints: string[];
  parameters: string[];
  metrics: string[];
  seed: number;
  driver: string;
  counts: { total: number; ok: number; failed: number; feasible: number; pareto: number };
  startedAt: string;
  finishedAt: string;
  wallSeconds: number;
  versions: Record<string, string>;
  /** Provenance of the energy/area tables (source, calibration). */
  provenance: Record<string, unknown>;
  /** Hypervolume after each batch/generation (evaluations so far → hypervolume). */
  hypervolume: { evals: number; hv: number }[];
  /** Reference point used for the hypervolume (in objective units, min-normalised). */
  hvReference?: number[];
  /** Knee / best points with breakdowns, for the report. */
  highlights: Highlight[];
  /** Why the run stopped early, if it did (budget, time limit, interrupt). */
  stopReason?: string;
  /** Where the evaluations ran: the local pool, or a queue with its workers (dse/backends/types.ts). */
  backend?: BackendInfo;
}
