/**
 * The metric registry: every metric a run can record, once. The space schema's metric enum
 * (sim/schema.ts → dse/space.ts), the points.csv columns and run.json `metrics` (dse/), the
 * `simulate --json` keys and text lines (dse/commands/simulate.ts), the report's axis titles (core/format.ts)
 * and the copy of a model result into a metrics record (`pickMetrics`) are all generated from it.
 *
 * Hardware metrics come in two kinds:
 * - base quantities a hardware model measures itself (latency, cycles, DRAM bytes, energy, area);
 * - derived ones, computed here from the base quantities and the executed operations, once, for
 *   every model (`deriveMetrics`): a model never computes them on its own.
 *
 * Adding a derived metric: its formula in FORMULA, one entry in DEFS (name, unit, label, goal,
 * `derive: FORMULA.x`, format), its store in `deriveMetrics` (checked when this module loads) and
 * its zero in sim/hw/finalize.ts `createFastMetrics` (checked by the compiler). A base metric also
 * needs its computation in the models (sim/hw/finalize.ts, sim/cycle).
 */

/** What a derived metric is computed from. */
export interface BaseQuantities {
  latency_s: number;
  energy_j: number;
  /** Executed operations (2 per multiply-accumulate, Q·K and prob·V). */
  ops: number;
  /** The design's area (sim/hw/area.ts). */
  area_mm2: number;
}

export interface MetricDef {
  name: string;
  /** Unit as printed (empty for dimensionless). */
  unit: string;
  /** Human label for axis titles and tables (the unit is appended by `metricLabel`). */
  label: string;
  /** The usual direction (a default for objectives and for "best" in reports). */
  goal: 'min' | 'max';
  /** 'hw': every hardware model reports it; 'accuracy': the accuracy engine; 'baseline': a space's
   *  `baseline:` platform (sim/baselines/compare.ts), from the point's latency and energy. */
  source: 'hw' | 'accuracy' | 'baseline';
  /** Derived metrics: the formula over the base quantities; absent for measured (base) metrics. */
  derive?: (b: BaseQuantities) => number;
  /** Text form for the CLI, e.g. 1.234 ms. */
  format: (v: number) => string;
}

/** Compact number: 5 significant digits, exponent form for very large or small magnitudes. */
export function fmtSig(x: number, unit = ''): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  const s = a !== 0 && (a < 1e-3 || a >= 1e6) ? x.toExponential(4) : x.toPrecision(5);
  return unit ? `${s} ${unit}` : s;
}

const per = (num: number, s: number) => (s > 0 ? num / s : 0);

/** The derived metrics' formulas, one per metric (the registry entries below point at them). */
const FORMULA = {
  power_w: (b: BaseQuantities) => per(b.energy_j, b.latency_s),
  gops: (b: BaseQuantities) => per(b.ops, b.latency_s) / 1e9,
  edp_js: (b: BaseQuantities) => b.energy_j * b.latency_s,
  gop_per_j: (b: BaseQuantities) => per(b.ops, b.energy_j) / 1e9,
  gops_per_mm2: (b: BaseQuantities) => per(per(b.ops, b.latency_s) / 1e9, b.area_mm2),
};

const DEFS = [
  { name: 'latency_s', unit: 's', label: 'latency', goal: 'min', source: 'hw', format: (v) => fmtSig(v * 1e3, 'ms') },
  { name: 'energy_j', unit: 'J', label: 'energy', goal: 'min', source: 'hw', format: (v) => fmtSig(v * 1e3, 'mJ') },
  { name: 'dram_bytes', unit: 'bytes', label: 'DRAM traffic', goal: 'min', source: 'hw', format: (v) => fmtSig(v / 1e6, 'MB') },
  { name: 'area_mm2', unit: 'mm²', label: 'area', goal: 'min', source: 'hw', format: (v) => fmtSig(v, 'mm²') },
  { name: 'power_w', unit: 'W', label: 'power', goal: 'min', source: 'hw', derive: FORMULA.power_w, format: (v) => fmtSig(v, 'W') },
  { name: 'gops', unit: 'GOP/s', label: 'executed throughput', goal: 'max', source: 'hw', derive: FORMULA.gops, format: (v) => fmtSig(v, 'GOP/s') },
  { name: 'cycles', unit: '', label: 'cycles', goal: 'min', source: 'hw', format: (v) => fmtSig(v) },
  { name: 'edp_js', unit: 'J·s', label: 'energy-delay product', goal: 'min', source: 'hw', derive: FORMULA.edp_js, format: (v) => fmtSig(v, 'J·s') },
  // the paper's efficiency measures (Table III: GOP/J, GOP/s/mm²), as objectives of a sweep; like gops, of the
  // operations executed (pruned work is not counted): a pruned point does less work, not more per joule
  { name: 'gop_per_j', unit: 'GOP/J', label: 'executed GOP per joule', goal: 'max', source: 'hw', derive: FORMULA.gop_per_j, format: (v) => fmtSig(v, 'GOP/J') },
  { name: 'gops_per_mm2', unit: 'GOP/s/mm²', label: 'executed GOP/s per mm²', goal: 'max', source: 'hw', derive: FORMULA.gops_per_mm2, format: (v) => fmtSig(v, 'GOP/s/mm²') },
  { name: 'speedup', unit: '×', label: 'speedup over the baseline', goal: 'max', source: 'baseline', format: (v) => `${fmtSig(v)}×` },
  { name: 'energy_saving', unit: '×', label: 'energy saving over the baseline', goal: 'max', source: 'baseline', format: (v) => `${fmtSig(v)}×` },
  { name: 'accuracy', unit: '', label: 'accuracy', goal: 'max', source: 'accuracy', format: (v) => `${(100 * v).toFixed(2)}%` },
  { name: 'perplexity', unit: '', label: 'perplexity', goal: 'min', source: 'accuracy', format: (v) => v.toFixed(2) },
] as const satisfies readonly MetricDef[];

export const METRIC_DEFS: readonly MetricDef[] = DEFS;

type NamesOf<S extends string> = Extract<(typeof DEFS)[number], { source: S }>['name'];
export type HwMetricName = NamesOf<'hw'>;
export type AccuracyMetricName = NamesOf<'accuracy'>;
export type MetricName = (typeof DEFS)[number]['name'];

const names = <S extends 'hw' | 'accuracy' | 'baseline'>(s: S) => DEFS.filter((d) => d.source === s).map((d) => d.name) as unknown as readonly NamesOf<S>[];

/** Metrics every hardware model reports, in column order. */
export const HW_METRICS = names('hw');
/** Metrics of the accuracy engine. */
export const ACCURACY_METRICS = names('accuracy');
/** Metrics of a space's `baseline:` comparison. */
export const BASELINE_METRICS = names('baseline');
/** Every metric name (the space schema's enum). */
export const METRICS = DEFS.map((d) => d.name) as unknown as readonly [MetricName, ...MetricName[]];

const BY_NAME = new Map<string, MetricDef>(DEFS.map((d) => [d.name, d]));

export function metricDef(name: string): MetricDef | undefined {
  return BY_NAME.get(name);
}

/** Axis title / table label of a metric with its unit, e.g. "latency (s)"; the name when unknown. */
export function metricLabel(name: string): string {
  const d = BY_NAME.get(name);
  if (!d) return name;
  return d.unit && d.unit !== d.label ? `${d.label} (${d.unit})` : d.label;
}

const DERIVED = DEFS.filter((d): d is Extract<(typeof DEFS)[number], { derive: unknown }> => 'derive' in d);

/** Writes every derived hardware metric into `out` from the base quantities (the one place they are computed). */
export function deriveMetrics<T extends Partial<Record<HwMetricName, number>>>(b: BaseQuantities, out: T): T {
  // One named store and call per metric, not a loop over the registry's closures: past four derived
  // metrics that loop's call and keyed store went megamorphic, and the analytical model's grid-point
  // rate fell by a third (bench/analytical-sweeps.ts grid_style).
  const o = out as Record<DerivedMetricName, number>;
  o.power_w = FORMULA.power_w(b);
  o.gops = FORMULA.gops(b);
  o.edp_js = FORMULA.edp_js(b);
  o.gop_per_j = FORMULA.gop_per_j(b);
  o.gops_per_mm2 = FORMULA.gops_per_mm2(b);
  return out;
}

// every derived metric of the registry has its formula, and no other name does (a compile-time check)
void (FORMULA satisfies Record<DerivedMetricName, (b: BaseQuantities) => number>);

export type DerivedMetricName = (typeof DERIVED)[number]['name'];

/** The derived hardware metrics as a fresh record (for a model assembling its result). */
export function derivedMetrics(b: BaseQuantities): Record<DerivedMetricName, number> {
  return deriveMetrics(b, {} as Record<DerivedMetricName, number>);
}

/**
 * What `derive` leaves out or gets wrong: for each derived metric of the registry, a line naming it
 * when the record `derive` fills from sample base quantities lacks it or holds another value than
 * its formula. Empty when every derived metric is stored.
 */
export function derivationProblems(derive: (b: BaseQuantities, out: Record<string, number>) => unknown = deriveMetrics): string[] {
  const b: BaseQuantities = { latency_s: 2, energy_j: 3, ops: 5e9, area_mm2: 7 };
  const out: Record<string, number> = {};
  derive(b, out);
  return DERIVED.filter((d) => !Object.is(out[d.name], d.derive(b))).map((d) =>
    d.name in out
      ? `derived metric ${d.name}: deriveMetrics stores ${out[d.name]}, its formula gives ${d.derive(b)}`
      : `derived metric ${d.name} is in the registry but deriveMetrics does not store it (add \`o.${d.name} = FORMULA.${d.name}(b);\` in sim/metrics.ts)`,
  );
}

// A derived metric deriveMetrics forgets would read 0 on the analytical fast path and be missing
// from the cycle model's results: refuse to load instead.
{
  const problems = derivationProblems();
  if (problems.length) throw new Error(`sim/metrics.ts: ${problems.join('; ')}`);
}

/** The hardware metrics of a model result, as a fresh record in column order. */
export function pickMetrics(r: Record<HwMetricName, number>): Record<HwMetricName, number> {
  const out = {} as Record<HwMetricName, number>;
  for (const m of HW_METRICS) out[m] = r[m];
  return out;
}
