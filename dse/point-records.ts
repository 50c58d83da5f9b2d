/** An evaluated point as journal records, and the point a journal record gives back (dse/executor.ts). */
import type { Params } from './driver.ts';
import type { EvalContext, EvaluatedPoint } from './evaluate.ts';
import type { AccuracyOutcome } from './accuracy-runs.ts';
import { journalKeyFast, type JournalRecord } from './journal.ts';
import { modelVersion } from './model-version.ts';
import { totalViolation } from './params.ts';
import { scoresRecord } from './accuracy-outcomes.ts';
import type { AccuracyPrefix } from '../sim/nn/api.ts';

/**
 * The point of trial `id` that a journal record holds, its constraint violation recomputed from the
 * stored metrics under `ctx`'s constraints (a journal stays valid when the space's constraints change).
 */
export function pointFromRecord(id: number, params: Params, r: JournalRecord, ctx: EvalContext): EvaluatedPoint {
  const metrics: Record<string, number> = { ...r.metrics };
  const viol = r.status === 'ok' ? totalViolation(ctx.constraints, metrics) : Infinity;
  return {
    id,
    params,
    metrics,
    status: r.status,
    violation: viol,
    feasible: r.status === 'ok' && viol === 0,
    error: r.error ?? '',
    fidelity: r.fidelity,
  };
}

/**
 * The journal records of an evaluated point: the point's, and with `prefix` (the largest run
 * state of its accuracy configuration so far) a scores record before it, keyed without the seed
 * (dse/accuracy-outcomes.ts `scoresRecord`). With `outcome` (the first point of an accuracy
 * configuration) the point's record carries it as `extra.accuracy`; such a record is written on
 * a line of its own, which needs its key (a fresh journal's batch lines leave keys to be
 * computed on load).
 */
export function toRecords(ctx: EvalContext, key: string, p: EvaluatedPoint, fidelity: string, ms: number, material: string, outcome?: AccuracyOutcome, prefix?: AccuracyPrefix): JournalRecord[] {
  const point = toRecord(key, p, fidelity, ms, material, outcome);
  return prefix && ctx.accuracy ? [scoresRecord(ctx, p.params, prefix), point] : [point];
}

function toRecord(key: string, p: EvaluatedPoint, fidelity: string, ms: number, material: string, outcome?: AccuracyOutcome): JournalRecord {
  const extra = outcome ? { accuracy: outcome } : undefined;
  return {
    key: extra && !key ? journalKeyFast(p.params, modelVersion(), fidelity, material) : key,
    ...(extra ? { extra } : {}),
    material,
    keyFidelity: fidelity,
    id: p.id,
    params: p.params,
    fidelity: p.fidelity || fidelity,
    modelVersion: modelVersion(),
    status: p.status,
    metrics: p.metrics,
    violation: p.violation,
    error: p.error || undefined,
    ms: Math.round(ms * 1000) / 1000,
  };
}
