/**
 * Constraints relative to the dense model: `accuracy >= dense - 0.01`, `perplexity <= dense * 1.03`.
 *
 * "Dense" is the accuracy engine run with the space's accuracy block (model, maxExamples, seed)
 * and every algorithm knob at its default (`accuracy --model M` without --set): no token, head or
 * local-V pruning (tokenKeep, headKeep, valueKeep 1), 12-bit static quantization of keys, values
 * and queries (msbBits 12, queryBits 12, valueBits 0 = msbBits) and progressive quantization off
 * (lsbBits 0). A classifier gives its accuracy on the first maxExamples test emails; a language
 * model its perplexity on the first maxExamples windows (cascade token policy, which keeps every
 * token at tokenKeep 1). The space's own `algo:` block does not change it.
 *
 * A run evaluates the dense model once before its search and turns each relative constraint into
 * an absolute one (`resolveConstraint`); feasibility, the accuracy rungs and the report then see
 * only the absolute constraint, which remembers what was written (`resolvedFrom`).
 */
import { AlgoSchema, type AlgoConfig } from '../sim/schema.ts';
import type { Constraint } from './params.ts';

/** The metrics a constraint may bound relative to the dense model: the accuracy engine's. */
export const DENSE_METRICS = ['accuracy', 'perplexity'] as const;

/** The dense model's outcome a run resolves its relative constraints with. */
export interface DenseReference {
  metric: 'accuracy' | 'perplexity';
  value: number;
  ci95: [number, number];
  /** Examples (emails or LM windows) it was measured on. */
  n: number;
}

/** The algorithm configuration of the dense reference: every knob at its default (no pruning). */
export function denseAlgo(): AlgoConfig {
  return AlgoSchema.parse({});
}

/** Why a relative constraint cannot be resolved in this space (no accuracy block, a metric without a dense value, a bound off the fraction scale); undefined when it can. */
export function relativeIssue(c: Constraint, hasAccuracy: boolean): string | undefined {
  if (!c.relative) return undefined;
  if (!(DENSE_METRICS as readonly string[]).includes(c.metric)) return `"${c.text}": only ${DENSE_METRICS.join(' and ')} can be bounded relative to the dense model (the accuracy engine measures it); write an absolute bound for ${c.metric}`;
  if (!hasAccuracy) return `"${c.text}": a bound relative to the dense model needs an accuracy block (accuracy: { model: … }): the dense model runs with its model, examples and seed`;
  const { op, amount } = c.relative;
  if (c.metric === 'accuracy' && op !== '*' && amount >= 1) {
    const hint = amount <= 100 ? `; for ${amount} point${amount === 1 ? '' : 's'} write "${c.metric} ${c.op} dense ${op} ${Number((amount / 100).toPrecision(6))}"` : '';
    return `"${c.text}": accuracy is a fraction from 0 to 1 (as in points.csv; the report prints it in %), so dense ${op} ${amount} is off its scale${hint}`;
  }
  return undefined;
}

/** The absolute constraint a relative one stands for, given the dense model's value (a constraint that is not relative is returned as it is). */
export function resolveConstraint(c: Constraint, ref: DenseReference): Constraint {
  if (!c.relative) return c;
  if (ref.metric !== c.metric) throw new Error(`"${c.text}": the dense model gives ${ref.metric}, not ${c.metric}`);
  const { op, amount } = c.relative;
  const exact = op === '*' ? ref.value * amount : op === '-' ? ref.value - amount : ref.value + amount;
  // 12 significant digits: 0.9727 - 0.01 is 0.9627, not 0.9627000000000001 (the text and the check agree)
  const bound = Number(exact.toPrecision(12));
  return { text: `${c.metric} ${c.op} ${bound}`, metric: c.metric, op: c.op, bound, resolvedFrom: { text: c.text, dense: ref.value } };
}

/** A metric value as the resolution line prints it: accuracy in %, both at 6 significant digits. */
function shown(metric: string, v: number): string {
  return metric === 'accuracy' ? `${Number((v * 100).toPrecision(6))}%` : `${Number(v.toPrecision(6))}`;
}

/**
 * Why a resolved relative constraint excludes every point whatever it is run on (undefined when
 * it can be met): the dense value put its bound off the metric's scale, e.g. "accuracy >= dense *
 * 1.5" on a dense 98% is accuracy >= 147% (accuracy is a fraction up to 1), "perplexity <= dense -
 * 5" on a dense 4.4 is below 1, the least a perplexity can be. The search would run for nothing.
 */
export function resolvedScaleIssue(resolved: Constraint, ref: DenseReference): string | undefined {
  if (!resolved.resolvedFrom) return undefined;
  const { op, bound, metric } = resolved;
  const low = op === '<=' || op === '<';
  const high = op === '>=' || op === '>';
  const [lo, hi] = metric === 'accuracy' ? [0, 1] : [1, Infinity];
  const never = (high && (bound > hi || (op === '>' && bound === hi))) || (low && (bound < lo || (op === '<' && bound === lo))) || (op === '==' && (bound < lo || bound > hi));
  if (!never) return undefined;
  const scale = metric === 'accuracy' ? 'accuracy is a fraction from 0 to 1' : 'a perplexity is at least 1';
  return `"${resolved.resolvedFrom.text}": the dense model's ${shown(ref.metric, ref.value)} (${ref.n} examples) makes it ${metric} ${op} ${shown(metric, bound)}, which no point can meet (${scale}); bound it closer to the dense value`;
}

/** E.g. 'accuracy >= dense - 0.01: dense 97.27% (512 examples) → accuracy >= 96.27%'. */
export function resolutionLine(resolved: Constraint, ref: DenseReference): string {
  const written = resolved.resolvedFrom?.text ?? resolved.text;
  return `${written}: dense ${shown(ref.metric, ref.value)} (${ref.n} examples) → ${resolved.metric} ${resolved.op} ${shown(resolved.metric, resolved.bound)}`;
}
