/**
 * The page's answer in words: the recommended (knee) design with its parameters and objective
 * values, what it gives up against the front's best point per objective, and why — its busiest
 * stage, the bound that sets its latency (core/latency-bounds.ts), the hardware resource whose
 * doubling measurably cuts its latency most (reports/relief.ts) and the parameter that moves each
 * objective most over the run.
 */
import type { Highlight, RunJson } from '../core/results.ts';
import { fmtMetric, fmtNum, metricTitle } from '../core/format.ts';
import { KNEE_DEFINITION, kneeId } from './spec-base.ts';
import { reliefWords } from './relief.ts';

/** The parameter with the largest variance share of an objective (from the sensitivity tables). */
export interface Driver {
  metric: string;
  param: string;
  share: number;
  /** Its main-effect range is within the points' measurement noise (reports/sensitivity.ts `withinNoise`). */
  noise?: boolean;
}

/** The knee's busiest stage and its busy share of the latency cycles (`sections.ts` `bottleneck`). */
export interface Bound {
  stage: string;
  share: number;
}

/** The stage with the most busy cycles and its share of the point's latency cycles. */
export function bottleneck(h: Highlight): Bound | undefined {
  const st = Object.entries(h.stages ?? {}).filter(([k, v]) => k !== 'overhead' && Number.isFinite(v));
  if (st.length === 0) return undefined;
  const [stage, v] = st.reduce((a, b) => (b[1] > a[1] ? b : a));
  const total = h.metrics?.cycles;
  return { stage, share: Number.isFinite(total) && total > 0 ? v / total : NaN };
}

/** Whether a highlight's label (e.g. "knee, best latency_s") names this pick. */
function labelled(h: Highlight, pick: string): boolean {
  return h.label.split(', ').includes(pick);
}

/** "+13.7%" / "−0.9%": the knee's value relative to the best one. */
function relative(v: number, best: number): string {
  const r = (100 * (v - best)) / Math.abs(best);
  return `${r >= 0 ? '+' : '−'}${fmtNum(Number(Math.abs(r).toPrecision(3)))}%`;
}

/** One objective against the front's best point of it: "perplexity +13.7% (best 4.406, #314)", or "best perplexity" when the knee is that point. */
function against(run: RunJson, knee: Highlight, metric: string): string | undefined {
  const name = metricTitle(metric, '');
  if (labelled(knee, `best ${metric}`)) return `the best ${name} on the front`;
  const best = (run.highlights ?? []).find((h) => labelled(h, `best ${metric}`));
  const v = knee.metrics[metric];
  const b = best?.metrics[metric];
  if (!best || !Number.isFinite(v) || !Number.isFinite(b) || b === 0) return undefined;
  return `${name} ${relative(v, b!)} (best ${fmtMetric(metric, b)}, #${best.id})`;
}

/** The knee's objective values ("perplexity 4.55, latency 1.2 ms, …") and parameters ("hw.X 16, …"), as the page and the terminal give them. */
function describe(run: RunJson, knee: Highlight): { values: string; params: string } {
  return {
    values: run.objectives.map((o) => `${metricTitle(o.metric, '')} ${fmtMetric(o.metric, knee.metrics[o.metric])}`).join(', '),
    params: Object.entries(knee.params ?? {}).map(([k, v]) => `${k} ${typeof v === 'number' ? fmtNum(v) : v}`).join(', '),
  };
}

/**
 * The "recommended design" note (plain text, escaped by the caller), or undefined without a knee
 * or with one objective. `drivers`: per objective, the parameter that moves it most.
 */
export function recommendation(run: RunJson, drivers: Driver[]): string | undefined {
  const id = kneeId(run);
  const knee = (run.highlights ?? []).find((h) => h.id === id);
  if (!knee || run.objectives.length < 2) return undefined;
  const { values, params } = describe(run, knee);
  const costs = run.objectives.map((o) => against(run, knee, o.metric)).filter((s): s is string => s !== undefined);
  const relief = reliefWords(knee, run.parameters ?? [], bottleneck(knee));
  const why = [
    ...(relief ? [relief] : []),
    ...(drivers.length ? [`over the run, ${drivers.map((d) => `${metricTitle(d.metric, '')} moves most with ${d.param} (${(100 * d.share).toFixed(0)}% of its variance${d.noise ? ', within measurement noise' : ''})`).join(', ')}`] : []),
  ];
  return (
    `Recommended balanced design: the knee, #${knee.id} — ${values}${params ? `; ${params}` : ''}. ` +
    (costs.length ? `Against the front's best point per objective: ${costs.join(', ')}. ` : '') +
    (why.length ? `Why: ${why.join('; ')} (Highlighted points and Sensitivity below). ` : '') +
    `Definition — ${KNEE_DEFINITION}.`
  );
}

/**
 * The knee as the terminal's line at the end of `run` ("recommended: …"): its objective values,
 * parameters, busiest stage and the measured relief (`reliefWords`); the report gives the reasons
 * and the alternatives. Undefined without a knee or with one objective, as `recommendation`.
 */
export function kneeLine(run: RunJson): string | undefined {
  const id = kneeId(run);
  const knee = (run.highlights ?? []).find((h) => h.id === id);
  if (!knee || run.objectives.length < 2) return undefined;
  const { values, params } = describe(run, knee);
  const why = reliefWords(knee, run.parameters ?? [], bottleneck(knee));
  return `recommended (the front's knee, the balanced design): #${knee.id} — ${values}${params ? `; ${params}` : ''}${why ? `; ${why}` : ''}`;
}
