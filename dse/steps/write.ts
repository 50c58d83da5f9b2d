/**
 * Step 5 of a run: assemble run.json (counts, hypervolume trajectory, versions, provenance) and
 * the point rows, and write points.csv, pareto.csv and run.json (dse/outputs.ts).
 */
import type { BackendInfo } from '../backends/types.ts';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { hypervolume, normaliser, paretoMask, toMinVector } from '../../core/pareto.ts';
import type { Highlight, PointRow, RunJson } from '../../core/results.ts';
import { HW_METRICS } from '../../sim/metrics.ts';
import type { Objective } from '../driver.ts';
import type { EvalContext, EvaluatedPoint } from '../evaluate.ts';
import { writeRunOutputs } from '../outputs.ts';
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

/** Hypervolume after each batch, normalised by the bounds of all feasible points of the run. */
export function hypervolumeTrajectory(rows: EvaluatedPoint[], objectives: Objective[], batchEnds: number[]): { evals: number; hv: number }[] {
  const okIdx = rows.map((r, i) => (r.status === 'ok' && r.feasible ? i : -1)).filter((i) => i >= 0);
  const vec = (i: number) => toMinVector(rows[i].metrics, objectives);
  const norm = normaliser(okIdx.map(vec));
  const out: { evals: number; hv: number }[] = [];
  let frontVecs: number[][] = [];
  let from = 0;
  for (const end of batchEnds) {
    const cand = frontVecs.slice();
    for (let i = from; i < end; i++) if (rows[i].status === 'ok' && rows[i].feasible) cand.push(norm.apply(vec(i)));
    const mask = paretoMask(cand, cand.map(() => true));
    frontVecs = cand.filter((_, k) => mask[k]);
    out.push({ evals: end, hv: hypervolume(frontVecs, norm.ref) });
    from = end;
  }
  return out;
}

export interface WriteInput {
  dir: string;
  parsed: ParsedSpace;
  ctx: EvalContext;
  rows: EvaluatedPoint[];
  front: number[];
  batchEnds: number[];
  seed: number;
  started: Date;
  wallSeconds: number;
  stopReason: StopReason;
  stopDetail?: string;
  /** Findings for the user (e.g. which constraint excluded how many points). */
  notes?: string[];
  /** The options the run was given. */
  options: Record<string, unknown>;
  driverName: string;
  highlights: Highlight[];
  /** Where the evaluations ran (dse/backends/types.ts). */
  backend?: BackendInfo;
}

export function toPointRows(rows: EvaluatedPoint[], front: Set<number>): PointRow[] {
  return rows.map((r, i) => ({
    id: r.id,
    params: r.params,
    metrics: r.metrics,
    feasible: r.status === 'ok' && r.feasible,
    pareto: front.has(i),
    status: r.status,
    error: r.error,
    fidelity: r.fidelity,
  }));
}

export function runJson(a: WriteInput, provenance: Record<string, unknown>): RunJson {
  const { parsed, rows } = a;
  const commit = gitCommit();
  const ok = rows.filter((r) => r.status === 'ok').length;
  const feasible = rows.filter((r) => r.status === 'ok' && r.feasible).length;
  return {
    name: parsed.space.name,
    space: parsed.space,
    yaml: parsed.yaml,
    spaceFile: parsed.file,
    model: a.ctx.fidelity,
    fidelity: a.ctx.fidelity,
    objectives: parsed.objectives,
    constraints: parsed.constraints.map((c) => c.text),
    parameters: parsed.domains.map((d) => d.key),
    metrics: metricColumns(rows),
    seed: a.seed,
    driver: a.driverName,
    counts: { total: rows.length, ok, failed: rows.length - ok, feasible, pareto: a.front.length },
    startedAt: a.started.toISOString(),
    finishedAt: new Date().toISOString(),
    wallSeconds: a.wallSeconds,
    versions: { 'spatten-dse': packageVersion(), node: process.version, model: modelVersion(), ...(commit ? { git: commit } : {}) },
    options: a.options,
    provenance,
    hypervolume: hypervolumeTrajectory(rows, parsed.objectives, a.batchEnds),
    hvReference: parsed.objectives.map(() => 1.1),
    highlights: a.highlights,
    stopReason: a.stopReason,
    ...(a.stopDetail ? { stopDetail: a.stopDetail } : {}),
    ...(a.notes?.length ? { notes: a.notes } : {}),
    ...(a.backend ? { backend: a.backend } : {}),
  };
}

/** Writes points.csv, pareto.csv and run.json; returns what was written. */
export async function write(a: WriteInput): Promise<{ run: RunJson; rows: PointRow[] }> {
  let provenance: Record<string, unknown> = {};
  try {
    const energy = await import('../../sim/hw/energy.ts');
    provenance = { energyAreaTables: (energy as Record<string, unknown>).TABLE_PROVENANCE ?? null };
  } catch {
    /* no provenance */
  }
  const run = runJson(a, provenance);
  const pointRows = toPointRows(a.rows, new Set(a.front));
  writeRunOutputs(a.dir, run, pointRows);
  return { run, rows: pointRows };
}
