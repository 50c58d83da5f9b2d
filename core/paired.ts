/**
 * Paired comparison of two accuracy-engine configurations measured on the same examples.
 *
 * Every configuration of a run is scored on the same test examples (a classifier's first n
 * emails, a language model's first n windows), so the noise that makes each configuration's own
 * 95% CI wide — some windows are simply harder than others — is shared: it cancels in the
 * per-example difference. Two perplexities whose CIs overlap can
 * differ with confidence once compared window by window. This is the usual
 * paired test of two systems on one test set (a paired t-interval; Koehn 2004 does the same by
 * bootstrap).
 *
 * Per example, the value whose mean orders the configurations: a classifier's 1/0 (accuracy is
 * their mean), a language-model window's mean next-token loss in nats (perplexity is exp of the
 * mean of those). The interval is the normal approximation of the mean difference over the
 * examples both configurations have (their first min(nA, nB): a smaller rung's examples are a
 * prefix of a larger one's).
 */

/** The two-sided 95% normal quantile. */
export const Z95 = 1.959963984540054;

/** Per-example values of a run state's scores (sim/nn/api.ts AccuracyPrefix `scores`): 1/0, or an LM window's mean loss. */
export function exampleValues(scores: readonly number[] | readonly (readonly number[])[]): number[] {
  return scores.map((s) => (typeof s === 'number' ? s : s.reduce((a, b) => a + b, 0) / s.length));
}

export interface PairedDiff {
  /** Examples compared. */
  n: number;
  /** Mean of b − a. */
  mean: number;
  /** 95% interval of that mean. */
  lo: number;
  hi: number;
}

/** The mean per-example difference b − a over the examples both have, with its 95% interval; undefined below 2 examples. */
export function pairedDiff(a: readonly number[], b: readonly number[]): PairedDiff | undefined {
  const n = Math.min(a.length, b.length);
  if (n < 2) return undefined;
  let s = 0;
  for (let i = 0; i < n; i++) s += b[i] - a[i];
  const mean = s / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (b[i] - a[i] - mean) ** 2;
  const h = Z95 * Math.sqrt(ss / (n - 1) / n);
  return { n, mean, lo: mean - h, hi: mean + h };
}

/**
 * True when b is, with 95% confidence, no worse than a: for a metric to maximise (accuracy) the
 * interval of b − a lies at or above 0, for one to minimise (perplexity: lower mean loss) at or
 * below 0. Identical scores (the same configuration) give the interval [0, 0]: no worse.
 */
export function noWorse(a: readonly number[], b: readonly number[], goal: 'min' | 'max'): boolean {
  const d = pairedDiff(a, b);
  if (!d) return false;
  return goal === 'max' ? d.lo >= 0 : d.hi <= 0;
}
