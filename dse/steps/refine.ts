/**
 * Steps 2 and 3 of a run, multi-fidelity (dse/fidelity.ts has the promotion rule):
 * - refine: successive halving of the accuracy estimate on example subsets, driven by the CIs;
 * - re-score: the points that can still reach the front scored again with the space's
 *   re-scoring model (`fidelity: both`: the cycle model on the analytical front), as
 *   `<model>_<metric>` columns.
 * Both update the rows in place, journaled, on the worker pool when --jobs > 1.
 */
import { fidelityPlan } from '../../sim/fidelities.ts';
import type { Objective, Params } from '../driver.ts';
import { createProgress, type ProgressMode } from '../progress.ts';
import { primaryFidelity, type EvalContext, type EvaluatedPoint } from '../evaluate.ts';
import type { Executor } from '../executor.ts';
import { accuracyRungs, algoKey, configValues, labelFirstRung, pairedRule, promotable, refineAccuracy } from '../fidelity.ts';
import type { Interrupts } from './interrupts.ts';

export interface RefineInput {
  rows: EvaluatedPoint[];
  objectives: Objective[];
  ctx: EvalContext;
  driverName: string;
  executor: Executor;
  interrupts: Interrupts;
  log: (line: string) => void;
  /** Per-rung progress display (default none). */
  progress?: ProgressMode;
}

/** What the accuracy rungs did: evaluations per rung, and whether the time limit stopped them. */
export interface RefineOutcome {
  counts: number[];
  /** An evaluation was asked for and not run (the run's deadline passed, or it was aborted): promotions are left. */
  cutShort: boolean;
}

/** Accuracy rungs (undefined when the run has one rung). */
export async function refine(input: RefineInput): Promise<RefineOutcome | undefined> {
  const { rows, objectives, ctx, executor, interrupts } = input;
  const rungs = accuracyRungs(ctx.accuracy, input.driverName);
  if (!rungs) return undefined;
  if (interrupts.stop) {
    // stopped during the search: every row holds the subset rung's estimate, and says so
    labelFirstRung(rows, rungs);
    return undefined;
  }
  // Per-rung progress and algorithm configurations (each configuration runs the model once per
  // rung). A promoted point promotes its whole algorithm configuration: its other (hardware)
  // points cost no model run, and evaluating them together keeps the configuration on one worker.
  const configs: Set<string>[] = [new Set(rows.map((r) => algoKey(r.params)))];
  const doneAt: Set<number>[] = [];
  let cutShort = false;
  const evaluateRung = async (cand: { id: number; params: Params }[], rctx: EvalContext) => {
    const n = rctx.accuracy?.maxExamples;
    const k = Math.max(1, rungs.indexOf(n));
    const cfg = new Set(cand.map((p) => algoKey(p.params)));
    const done = (doneAt[k] ??= new Set());
    const pts = rows.filter((r) => r.status === 'ok' && !done.has(r.id) && cfg.has(algoKey(r.params))).map((r) => ({ id: r.id, params: r.params }));
    const ids = new Set(pts.map((p) => p.id));
    for (const p of cand) if (!ids.has(p.id)) pts.push(p);
    pts.forEach((p) => done.add(p.id));
    // the label's new configurations: those no earlier call of this rung ran the model for
    (configs[k] ??= new Set()).forEach((c) => cfg.delete(c));
    const pr = createProgress(input.progress ?? 'none', pts.length, `${ctx.accuracy?.model ?? 'accuracy'} rung ${k + 1}/${rungs.length} (${n ?? 'all'} examples, ${cfg.size} new configuration${cfg.size === 1 ? '' : 's'})`);
    try {
      const res = await executor.evaluate(pts, { fidelity: primaryFidelity(rctx), ctx: rctx }, (d) => pr.update(d));
      if (res.length < pts.length) cutShort = true;
      // the log's count: configurations the model ran for (not those a time limit left out)
      for (const p of res) configs[k].add(algoKey(p.params));
      return res;
    } finally {
      pr.stop();
    }
  };
  // read at each round: a queue's workers (and so its lanes) come and go during the run
  const lanes = { lanes: () => executor.lanesNow(), group: algoKey, constraints: ctx.constraints };
  // configurations compared example by example on the examples both ran (core/paired.ts)
  const memo = new Map<string, boolean>();
  const valuesOf = configValues(executor, ctx);
  const pairing = (points: EvaluatedPoint[]) => pairedRule(points, objectives, valuesOf, algoKey, memo);
  const counts = await refineAccuracy(rows, objectives, ctx, rungs, evaluateRung, () => executor.isAborted, lanes, pairing);
  input.log(`accuracy rungs ${rungs.map((n) => n ?? 'all').join(' → ')} examples: ${counts.join(' → ')} evaluations, ${counts.map((_, k) => configs[k]?.size ?? 0).join(' → ')} algorithm configurations`);
  return { counts, cutShort };
}


/**
 * Re-scores the promotable points with the plan's re-scoring model; returns how many were
 * re-scored. A point the re-scoring model cannot run fails (it is not a result), and the points it
 * displaced become promotable in turn: re-scoring repeats until a round fails none.
 */
export async function rescore(input: Omit<RefineInput, 'driverName' | 'log'>): Promise<number> {
  const { rows, objectives, ctx, interrupts } = input;
  const model = fidelityPlan(ctx.fidelity).rescore;
  if (!model) return 0;
  const done = new Set<number>();
  for (;;) {
    if (interrupts.stop) break;
    const cand = promotable(rows, objectives, rows.map((r) => r.feasible)).filter((i) => !done.has(i));
    if (cand.length === 0) break;
    for (const i of cand) done.add(i);
    if ((await rescoreRound(input, model, cand)) === 0) break;
  }
  return done.size;
}

/** One round of `rescore` over the rows `cand`; returns how many failed. */
async function rescoreRound(input: Omit<RefineInput, 'driverName' | 'log'>, model: string, cand: number[]): Promise<number> {
  const { rows, ctx, executor } = input;
  const rescored = await executor.evaluate(
    cand.map((i) => ({ id: rows[i].id, params: rows[i].params })),
    { fidelity: model, task: 'rescore', cpuBound: true },
  );
  const byId = new Map(rescored.map((c) => [c.id, c]));
  const primary = fidelityPlan(ctx.fidelity).primary;
  let failed = 0;
  for (const i of cand) {
    const r = rows[i];
    const c = byId.get(r.id);
    if (!c) continue;
    if (c.status === 'ok') {
      Object.assign(r.metrics, c.metrics);
      r.fidelity = r.fidelity.replace(primary, `${primary}+${model}`);
    } else {
      // a design the re-scoring model cannot run (e.g. an SRAM below one line pair) is not a result
      Object.assign(r, { status: 'failed', feasible: false, violation: Infinity, error: `${model} re-score failed: ${c.error}` });
      failed++;
    }
  }
  return failed;
}
