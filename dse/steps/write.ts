/**
 * Step 5 of a run: assemble run.json (counts, hypervolume trajectory, versions, provenance) and
 * write points.csv and pareto.csv (from the run's sink, dse/sink.ts) and run.json.
 */
import type { BackendInfo } from '../backends/types.ts';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { workloadDefinition, type Highlight, type PointRow, type RunJson } from '../../core/results.ts';
import { HW_METRICS } from '../../sim/metrics.ts';
import type { Objective } from '../driver.ts';
import type { EvalContext, EvaluatedPoint } from '../evaluate.ts';
import type { DenseReference } from '../dense-reference.ts';
import { runJsonText } from '../outputs.ts';
import { commitOutputs } from './commit-outputs.ts';
import type { RunSink } from '../sink.ts';
import type { ParsedSpace } from '../space.ts';
import { modelVersion } from '../model-version.ts';
import { gitCommit } from '../run-checks.ts';
import type { StopReason } from '../stop.ts';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export function packageVersion(): string {
  try {
    return JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version as string;
  } catch {
    return 'unknown';
  }
}

/** Metric columns: the hardware metrics, then any other metric in order of first appearance. */
export function metricColumns(rows: EvaluatedPoint[]): string[] {
  const cols: string[] = [...HW_METRICS];
  const seen = new Set<string>(cols);
  for (const r of rows) {
    for (const k of Object.keys(r.metrics)) {
      if (!seen.has(k)) {
        seen.add(k);
        cols.push(k);
      }
    }
  }
  return cols;
}

export interface WriteInput {
  dir: string;
  parsed: ParsedSpace;
  ctx: EvalContext;
  sink: RunSink;
  /** points.csv / run.json metric columns. */
  metrics: string[];
  seed: number;
  started: Date;
  wallSeconds: number;
  stopReason: StopReason;
  stopDetail?: string;
  /** Findings for the user (e.g. which constraint excluded how many points). */
  notes?: string[];
  /** Front membership compared example by example (dse/fidelity.ts pairedSeparability). */
  separability?: RunJson['separability'];
  /** Each parameter's main effect on the quality objective judged example by example (dse/steps/paired-effects.ts). */
  pairedEffects?: RunJson['pairedEffects'];
  /** The options the run was given. */
  options: Record<string, unknown>;
  /** Evaluations taken from a journal (this folder's or a --reuse folder's) and evaluated by this run. */
  evaluations?: { reused: number; reusedFromOtherFolders: number; evaluated: number; evaluatedFromScores: number };
  driverName: string;
  highlights: Highlight[];
  /** Where the evaluations ran (dse/backends/types.ts). */
  backend?: BackendInfo;
  /** The dense model's outcome the relative constraints were resolved with. */
  dense?: DenseReference;
}

export function runJson(a: WriteInput, provenance: Record<string, unknown>): RunJson {
  const { parsed, sink } = a;
  const commit = gitCommit();
  return {
    name: parsed.space.name,
    // a trace as the run found it (relative to the YAML file when not to the working folder), so the
    // report's commands, run where the sweep was, find it
    space: { ...parsed.space, workload: workloadDefinition({ ...parsed.space.workload, ...(a.ctx.base.workload.trace ? { trace: a.ctx.base.workload.trace } : {}) }) },
    yaml: parsed.yaml,
    spaceFile: parsed.file,
    model: a.ctx.fidelity,
    fidelity: a.ctx.fidelity,
    objectives: parsed.objectives,
    constraints: parsed.constraints.map((c) => c.text),
    parameters: parsed.domains.map((d) => d.key),
    metrics: a.metrics,
    seed: a.seed,
    driver: a.driverName,
    counts: { total: sink.total, ok: sink.ok, failed: sink.total - sink.ok, feasible: sink.feasible, pareto: sink.front.length },
    ...(a.evaluations ? { evaluations: a.evaluations } : {}),
    startedAt: a.started.toISOString(),
    finishedAt: new Date().toISOString(),
    wallSeconds: a.wallSeconds,
    versions: { 'spatten-dse': packageVersion(), node: process.version, model: modelVersion(), ...(commit ? { git: commit } : {}) },
    options: a.options,
    provenance,
    hypervolume: sink.hypervolumeTrajectory(),
    hvReference: parsed.objectives.map(() => 1.1),
    sensitivity: sink.sensitivity.result(),
    highlights: a.highlights,
    stopReason: a.stopReason,
    ...(a.stopDetail ? { stopDetail: a.stopDetail } : {}),
    ...(a.notes?.length ? { notes: a.notes } : {}),
    ...(a.separability ? { separability: a.separability } : {}),
    ...(a.pairedEffects ? { pairedEffects: a.pairedEffects } : {}),
    ...(a.backend ? { backend: a.backend } : {}),
    ...(a.dense ? { denseReference: denseRecord(a) } : {}),
  };
}

/** run.json's record of the dense reference: its outcome, the accuracy block it ran with, and each constraint as written and as resolved. */
function denseRecord(a: WriteInput): NonNullable<RunJson['denseReference']> {
  const { subsetExamples: _subset, ...accuracy } = a.ctx.accuracy ?? { model: '' };
  const constraints = a.parsed.constraints.flatMap((c) => (c.resolvedFrom ? [{ written: c.resolvedFrom.text, resolved: c.text }] : []));
  return { ...a.dense!, accuracy, constraints };
}

/** Writes points.csv, pareto.csv and run.json; returns run.json and `rows`, the rows kept for the report (the sink's reportRows, built once by the caller). */
export async function write(a: WriteInput, rows: PointRow[]): Promise<{ run: RunJson; rows: PointRow[] }> {
  let provenance: Record<string, unknown> = {};
  try {
    const energy = await import('../../sim/hw/energy.ts');
    provenance = { energyAreaTables: (energy as Record<string, unknown>).TABLE_PROVENANCE ?? null };
  } catch {
    /* no provenance */
  }
  const run = runJson(a, provenance);
  // all three in place together, or none (a full disk names the file and its temporary copy)
  // a rerun reuses every evaluation and evaluates no more when the search was done or spent its budget
  commitOutputs(a.dir, a.sink, runJsonText(run), a.stopReason === 'completed' || a.stopReason === 'max-evals');
  return { run, rows };
}
