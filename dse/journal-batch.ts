/** Batch lines of the journal (dse/journal.ts): many records per line, constant material once. */
import type { Params } from './driver.ts';
import type { JournalRecord } from './journal.ts';

/**
 * A batch line: the records of one append that share their constant material, written once —
 * fidelity, model version, time, key material, the params' names and the metrics' names — and
 * one compact row per record: [id, param values, status, metric values, violation, error, ms].
 */
export interface BatchLine {
  batch: 1;
  fidelity: string;
  /** The fidelity in the key, when not `fidelity`. */
  keyFidelity?: string;
  modelVersion: string;
  t: string;
  material: string;
  params: string[];
  metrics: string[];
  rows: [number, (number | string)[], 'ok' | 'failed', (number | null)[], number | null, string | null, number | null][];
}

export function isBatch(x: unknown): x is BatchLine {
  const b = x as BatchLine;
  return !!b && typeof b === 'object' && b.batch === 1 && Array.isArray(b.rows) && Array.isArray(b.params) && Array.isArray(b.metrics) && typeof b.material === 'string';
}

type KeyOf = (params: Params, modelVersion: string, fidelity: string, material: string) => string;

export function expandBatch(b: BatchLine, keyOf: KeyOf): JournalRecord[] {
  return b.rows.map((row) => expandRow(b, row, keyOf));
}

/** One row of a batch line as a record (its key computed: a batch line read back expands only the rows asked for). */
export function expandRow(b: BatchLine, [id, pv, status, mv, violation, error, ms]: BatchLine['rows'][number], keyOf: KeyOf): JournalRecord {
  const params: Params = {};
  b.params.forEach((k, i) => (params[k] = pv[i]));
  const metrics: Record<string, number> = {};
  b.metrics.forEach((k, i) => (metrics[k] = mv[i] ?? Number.NaN));
  return {
    key: keyOf(params, b.modelVersion, b.keyFidelity ?? b.fidelity, b.material),
    id,
    params,
    fidelity: b.fidelity,
    modelVersion: b.modelVersion,
    status,
    metrics,
    violation: violation ?? Number.POSITIVE_INFINITY,
    ...(error !== null ? { error } : {}),
    ...(ms !== null ? { ms } : {}),
    t: b.t,
  };
}

/** The keys of `o` equal `names`, in order. */
function sameKeys(o: object, names: string[]): boolean {
  let i = 0;
  for (const k in o) if (names[i++] !== k) return false;
  return i === names.length;
}

/** JSON lines of records: batch lines for those with key material, one line each for the rest. */
export function journalLines(recs: JournalRecord[], t: string): string[] {
  const lines: (string | BatchLine)[] = [];
  let cur: BatchLine | undefined;
  const num = (v: number) => (Number.isFinite(v) ? v : null);
  for (const r of recs) {
    if (r.material === undefined || r.extra !== undefined) {
      cur = undefined;
      lines.push(JSON.stringify({ ...r, material: undefined, keyFidelity: undefined, t: r.t ?? t }));
      continue;
    }
    const kf = r.keyFidelity !== undefined && r.keyFidelity !== r.fidelity ? r.keyFidelity : undefined;
    // the constant material of consecutive records is usually the same strings (compared by value)
    const same = cur !== undefined && cur.fidelity === r.fidelity && cur.keyFidelity === kf && cur.modelVersion === r.modelVersion && cur.material === r.material && sameKeys(r.params, cur.params) && sameKeys(r.metrics, cur.metrics);
    if (!same) {
      cur = { batch: 1, fidelity: r.fidelity, ...(kf !== undefined ? { keyFidelity: kf } : {}), modelVersion: r.modelVersion, t, material: r.material, params: Object.keys(r.params), metrics: Object.keys(r.metrics), rows: [] };
      lines.push(cur);
    }
    const b = cur!;
    const pv: (number | string)[] = new Array(b.params.length);
    for (let i = 0; i < pv.length; i++) pv[i] = r.params[b.params[i]];
    const mv: (number | null)[] = new Array(b.metrics.length);
    for (let i = 0; i < mv.length; i++) mv[i] = num(r.metrics[b.metrics[i]]);
    b.rows.push([r.id, pv, r.status, mv, num(r.violation), r.error ?? null, r.ms ?? null]);
  }
  return lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l)));
}
