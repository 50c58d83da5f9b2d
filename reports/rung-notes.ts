/**
 * A note on configurations left at an accuracy subset rung as infeasible although their 95% CI
 * reaches a constraint on that metric. The rungs promote such points (dse/fidelity.ts
 * couldBeFeasible), so this happens when a run stops before they are evaluated on the full set, or
 * in runs made before the rungs looked at the CI; the front may miss them. And which rows have their
 * accuracy measured on the most examples (`bestMeasured`: the rows a chart or a table of accuracy
 * is computed from, so that subset estimates are not mixed with full evaluations).
 */
import type { PointRow, RunJson } from '../core/results.ts';
import { runConstraints } from './axes.ts';
import { couldHold, type Constraint } from '../dse/params.ts';
import { fmtMetric } from '../core/format.ts';
import { atMostExamples, subsetOf } from '../core/rung-examples.ts';
import { ciColumn } from '../core/metric-columns.ts';

/**
 * The ok rows with `metric` measured on the most examples: with accuracy rungs, a configuration not
 * promoted keeps its subset estimate (e.g. 62/64), a noisier number on other examples than the full
 * evaluation's, which a mean or a variance share would mix in. The others are left out and counted
 * (`left`); `n` is the examples of the kept rows (Infinity: the full evaluation).
 */
export function bestMeasured(points: PointRow[], metric: string): { kept: PointRow[]; left: number; n: number } {
  const ok = points.filter((p) => p.status === 'ok' && Number.isFinite(p.metrics[metric]));
  return atMostExamples(ok);
}

/**
 * The sentence, or undefined when no infeasible subset row could satisfy the constraints within its
 * CI. A constraint resolved from one relative to the dense model is named by its report label
 * (`constraintLabel`: what was written, the dense value, the bound).
 */
export function subsetFeasibilityNote(run: Pick<RunJson, 'constraints' | 'denseReference'>, points: PointRow[]): string | undefined {
  const cons = runConstraints(run).filter((c) => c.op !== '==');
  const ciCons = cons.filter((c) => points.some((p) => Number.isFinite(p.metrics[ciColumn(c.metric, 'low')])));
  if (ciCons.length === 0) return undefined;
  const open = points.filter((p) => {
    if (p.status !== 'ok' || p.feasible || subsetOf(p) === undefined) return false;
    return cons.every((c) => couldHold(c as Constraint, p.metrics));
  });
  if (open.length === 0) return undefined;
  const c = ciCons[0];
  const e = open[0];
  const m = c.metric;
  const example = `#${e.id}: ${fmtMetric(m, e.metrics[m])} [${fmtMetric(m, e.metrics[ciColumn(m, 'low')])}, ${fmtMetric(m, e.metrics[ciColumn(m, 'high')])}] on ${subsetOf(e)} examples`;
  return (
    `${open.length} point${open.length === 1 ? '' : 's'} stopped at an accuracy subset rung as infeasible, though the 95% CI of ${m} reaches "${ciCons.map((x) => x.text).join('", "')}" (e.g. ${example}): ` +
    `the run stopped before evaluating them on the full set (or predates rungs that promote such points), so the front may miss some of them; run the command again to continue, or without accuracy.subsetExamples to evaluate every configuration on the full set.`
  );
}

/**
 * The sentence on front points whose accuracy (or perplexity) is a subset rung's estimate: their
 * place on the front rests on a noisier number on fewer examples (e.g. 32/32 = 100%). The rungs
 * evaluate every front contender on the full set, so this remains when the run stopped first.
 */
export function subsetFrontNote(points: PointRow[]): string | undefined {
  const front = points.filter((p) => p.pareto && p.status === 'ok');
  const sub = front.filter((p) => subsetOf(p) !== undefined);
  if (sub.length === 0) return undefined;
  const ns = [...new Set(sub.map((p) => subsetOf(p)!))].sort((a, b) => a - b);
  const metric = ['accuracy', 'perplexity'].find((m) => sub.some((p) => Number.isFinite(p.metrics[m]))) ?? 'accuracy';
  const e = sub[0];
  const ci = Number.isFinite(e.metrics[ciColumn(metric, 'low')]) ? ` [${fmtMetric(metric, e.metrics[ciColumn(metric, 'low')])}, ${fmtMetric(metric, e.metrics[ciColumn(metric, 'high')])}]` : '';
  return (
    `${sub.length} of the ${front.length} front point${front.length === 1 ? '' : 's'} ha${sub.length === 1 ? 's' : 've'} ${metric} from an accuracy subset rung only (${ns.join(' or ')} examples, e.g. #${e.id}: ${fmtMetric(metric, e.metrics[metric])}${ci}), not the full evaluation: ` +
    `the run stopped before evaluating ${sub.length === 1 ? 'it' : 'them'} on the full set, so ${sub.length === 1 ? 'its' : 'their'} place on the front rests on a noisier estimate (marked "subset" in the front table); run the command again to continue.`
  );
}

/** A chart caption's sentence when some drawn rows have a quality metric among `metrics` from a subset rung, else ''. */
export function subsetCaption(rows: PointRow[], metrics: string[]): string {
  const m = metrics.find((x) => x === 'accuracy' || x === 'perplexity');
  if (!m) return '';
  const sub = rows.filter((p) => p.status === 'ok' && Number.isFinite(p.metrics[m]) && subsetOf(p) !== undefined);
  if (sub.length === 0) return '';
  const ns = [...new Set(sub.map((p) => subsetOf(p)!))].sort((a, b) => a - b);
  const onFront = sub.filter((p) => p.pareto).length;
  return ` The ${m} of ${sub.length} point${sub.length === 1 ? '' : 's'}${onFront ? ` (${onFront} on the front)` : ''} is an accuracy subset rung's estimate on ${ns.join(' or ')} examples (fidelity "…:subset(n=…)" in points.csv), the others' the full evaluation.`;
}
