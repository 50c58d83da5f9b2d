/** Number and label formatting shared by the report's tables and chart titles. */

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
