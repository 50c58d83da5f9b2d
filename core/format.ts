/**
 * Number and label formatting: the report's tables and chart titles, and the runner's summary of
 * the highlighted points (dse/steps/highlight.ts) and bound notes (core/bounds.ts).
 */
import { metricDef } from '../sim/metrics.ts';
import { ciMetricOf } from './metric-columns.ts';

/** Compact number: 4 significant digits, exponent form for very large/small magnitudes. */
export function fmtNum(v: number | string | undefined | null): string {
  if (v === undefined || v === null) return '–';
  if (typeof v === 'string') return v;
  if (Number.isNaN(v)) return '–';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (Number.isInteger(v) && a < 1e9) return String(v);
  if (a >= 1e6 || a < 1e-3) {
    const [m, e] = v.toExponential(3).split('e');
    return `${trimZeros(m)}e${e}`;
  }
  return trimZeros(v.toPrecision(4));
}

function trimZeros(s: string): string {
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

/** Wall time as "1 h 02 m 03 s" / "2 m 05 s" / "4.2 s". */
export function fmtDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '–';
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(2) : seconds.toFixed(1)} s`;
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const pad = (x: number) => String(x).padStart(2, '0');
  return h > 0 ? `${h} h ${pad(m)} m ${pad(sec)} s` : `${m} m ${pad(sec)} s`;
}

/** Human label of a metric with its unit (the metric registry, sim/metrics.ts; its name when unknown). */
export { metricLabel } from '../sim/metrics.ts';

// ---------------------------------------------------------------- engineering units

/**
 * How a metric's unit takes SI prefixes. Names, labels and base units come from the metric
 * registry (sim/metrics.ts); this only says how to scale them for display.
 */
interface PrefixRule {
  /** Shown unit symbol (the registry's unit, abbreviated where it is a word). */
  unit: string;
  si: boolean;
  /** Stored value × scale = shown value in `unit` (before prefixes). */
  scale?: number;
  minExp?: number;
  maxExp?: number;
}

function prefixRule(metric: string): PrefixRule | undefined {
  const d = metricDef(metric);
  if (!d) return undefined;
  if (d.name === 'accuracy') return { unit: '%', si: false, scale: 100 };
  switch (d.unit) {
    case 's':
    case 'J':
    case 'W':
    case 'J·s':
      return { unit: d.unit, si: true, maxExp: 0 };
    case 'bytes':
      return { unit: 'B', si: true, minExp: 0 };
    case '':
      return { unit: '', si: d.name === 'cycles', minExp: 0 };
    default:
      return { unit: d.unit, si: false };
  }
}

const PREFIX: Record<number, string> = { [-9]: 'n', [-6]: 'µ', [-3]: 'm', 0: '', 3: 'k', 6: 'M', 9: 'G', 12: 'T' };

/** The display unit of a metric for values of magnitude around `typical`: factor (shown = stored × factor) and label. */
export function displayUnit(metric: string, typical: number): { factor: number; unit: string } {
  const base = ciMetricOf(metric).replace(/^cycle_/, '');
  const u = prefixRule(base);
  if (!u) return { factor: 1, unit: '' };
  const scale = u.scale ?? 1;
  if (!u.si || !Number.isFinite(typical) || typical === 0) return { factor: scale, unit: u.unit };
  let exp = Math.floor(Math.log10(Math.abs(typical * scale)) / 3) * 3;
  exp = Math.max(u.minExp ?? -9, Math.min(u.maxExp ?? 12, exp, 12), -9);
  const unit = `${PREFIX[exp]}${u.unit}`;
  return { factor: scale / 10 ** exp, unit };
}

/** The display unit for a set of values (chosen from their median magnitude). */
export function unitFor(metric: string, values: number[]): { factor: number; unit: string } {
  const xs = values.filter((v) => Number.isFinite(v) && v !== 0).map(Math.abs).sort((a, b) => a - b);
  return displayUnit(metric, xs.length ? xs[Math.floor(xs.length / 2)] : NaN);
}

/** 4 significant digits, no exponent for ordinary magnitudes, trailing zeros trimmed. */
export function sig4(v: number): string {
  if (!Number.isFinite(v)) return fmtNum(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e-3 && a < 1e6) {
    const s = v.toPrecision(4);
    return s.includes('e') ? String(Number(s)) : trimZeros(s);
  }
  return fmtNum(v);
}

/** A metric value with its engineering unit, e.g. "1.234 ms", "97.66 %", "18.71 mm²". */
export function fmtMetric(metric: string, v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return fmtNum(v);
  const { factor, unit } = displayUnit(metric, v);
  return `${sig4(v * factor)}${unit ? (unit === '%' ? ' %' : ` ${unit}`) : ''}`;
}

/** Axis/column title of a metric with a unit, e.g. "latency (ms)". */
/** Titles of the columns a run adds beside the registered metrics (the accuracy engine's measurements). */
// the share of the accuracy model's head requests that refetched: a mean over its layers, which the hardware models price one by one
const EXTRA_TITLES: Record<string, string> = { lsb_refetch_fraction: 'LSB refetch fraction (measured, mean over layers)' };

export function metricTitle(metric: string, unit: string): string {
  const base = metric.replace(/^cycle_/, '');
  const name = metricDef(base)?.label ?? EXTRA_TITLES[base] ?? metric;
  return `${metric.startsWith('cycle_') ? 'cycle-model ' : ''}${name}${unit ? ` (${unit})` : ''}`;
}

/** A parameter key shortened for narrow table headers: "hw.topkParallelism" → "topkParallelism". */
export function shortParam(key: string): string {
  return key.replace(/^(hw|algo|workload)\./, '');
}
