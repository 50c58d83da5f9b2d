/**
 * Before the search: the space's constraints relative to the dense model (dse/dense-reference.ts)
 * become absolute. The dense model runs once, with the space's accuracy block on its full example
 * set (on a worker when the run has them), and its outcome is journaled: a rerun on the same
 * folder resolves the same bounds without running it again. Its per-example scores are journaled
 * too, without the seed: a run of another `accuracy.seed` recomputes the dense perplexity's CI
 * from them instead of running the model.
 */
import { modelShape } from '../../sim/workload/models.ts';
import { resolutionLine, resolveConstraint, resolvedScaleIssue, type DenseReference } from '../dense-reference.ts';
import { InputError } from '../errors.ts';
import type { Executor } from '../executor.ts';
import { DENSE_REFERENCE_RECORD } from '../journal.ts';
import type { PreparedRun, RunSummary } from '../run.ts';
import { parseRunJson } from '../../core/results.ts';
import { ciColumn } from '../../core/metric-columns.ts';
import type { Interrupts, RunSignal } from './interrupts.ts';


/**
 * Resolves the relative constraints of a prepared run in place (every context of the run shares its
 * constraint list); undefined when it has none. With `interrupts`, a signal during the dense run
 * abandons it: this rejects with Abandoned and nothing is journaled (`denseInterrupted`). A bound
 * the dense value puts off its metric's scale (no point could meet it) is an InputError.
 */
export async function resolveDense(prepared: PreparedRun, executor: Pick<Executor, 'journaled' | 'call' | 'denseScores' | 'keepDenseScores'>, log: (line: string) => void, interrupts?: Pick<Interrupts, 'abandonable'>): Promise<DenseReference | undefined> {
  const { parsed, ctx } = prepared;
  if (!ctx.accuracy || !parsed.constraints.some((c) => c.relative)) return undefined;
  // the full example set (the first rung's subset size does not change the reference)
  const { subsetExamples: _subset, ...spec } = ctx.accuracy;
  const layers = modelShape(ctx.base.workload.model).layers;
  let fromScores = false;
  const { metrics, reused } = await executor.journaled(DENSE_REFERENCE_RECORD, spec, async () => {
    // the dense configuration's journaled scores (a run of another seed): the run completes from them
    const from = executor.denseScores(spec);
    const dense = () => executor.call('dense', { accuracy: spec }, layers, from);
    const r = await (interrupts ? interrupts.abandonable(dense) : dense());
    if (r.prefix && r.prefix.examples !== from?.examples) executor.keepDenseScores(spec, r.prefix);
    // the run took all its examples' scores from `from` (the state it returns is of the same configuration and size)
    fromScores = !!from && r.prefix?.key === from.key && from.examples === r.n;
    return { [r.metric]: r.value, [ciColumn(r.metric, 'low')]: r.ci95[0], [ciColumn(r.metric, 'high')]: r.ci95[1], examples: r.n };
  });
  const metric = 'accuracy' in metrics ? 'accuracy' : 'perplexity';
  const ref: DenseReference = { metric, value: metrics[metric], ci95: [metrics[ciColumn(metric, 'low')], metrics[ciColumn(metric, 'high')]], n: metrics.examples };
  const resolved = parsed.constraints.map((c) => resolveConstraint(c, ref));
  // ctx.constraints (and the search's and rungs' copies of ctx) are this same array
  parsed.constraints.splice(0, parsed.constraints.length, ...resolved);
  for (const c of resolved) if (c.resolvedFrom) log(resolutionLine(c, ref) + (reused ? ' (dense model from the journal)' : fromScores ? ' (dense model from its saved per-example scores: no forward pass)' : ''));
  const off = resolved.map((c) => resolvedScaleIssue(c, ref)).filter((x): x is string => x !== undefined);
  if (off.length > 0) throw new InputError(off.join('\n'));
  prepared.dense = ref;
  return ref;
}

/**
 * The summary of a run whose dense model's run a signal abandoned: no point was evaluated and the
 * relative constraints have no bound, so nothing is written (`written: false`; a journal this run
 * started is removed) and the stop reason is the signal's (exit 130 or 143).
 */
export function denseInterrupted(prepared: PreparedRun, signal: RunSignal): RunSummary {
  const { parsed, dir } = prepared;
  const run = parseRunJson({
    name: parsed.space.name,
    space: parsed.space,
    objectives: parsed.objectives,
    constraints: parsed.constraints.map((c) => c.text),
    parameters: parsed.domains.map((d) => d.key),
    metrics: [],
    counts: { total: 0, ok: 0, failed: 0, feasible: 0, pareto: 0 },
    wallSeconds: 0,
    stopReason: signal === 'SIGINT' ? 'interrupted' : 'terminated',
    stopDetail: `${signal} received during the dense model's run, before the search: nothing written; the same command runs it again and continues`,
  });
  return { dir, run, rows: [], written: false, reportWritten: false };
}
