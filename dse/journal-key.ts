/**
 * Journal keys (dse/journal.ts): sha256 of a stable JSON of a point's params, the model version,
 * the fidelity and the workload. A batch line's rows are keyed straight from its parsed arrays
 * (`batchRowKey`), without building their records: indexing a 10⁶-row journal hashes every row.
 */
import crypto from 'node:crypto';
import type { Params } from './driver.ts';
import type { BatchLine } from './journal-batch.ts';
import { stableStringify } from '../core/stable-json.ts';

export { stableStringify };

/**
 * sha256 of a text (UTF-8), in hex: the one-shot `crypto.hash` where Node has it (20.12 and
 * later: 2.2 µs for a 1.4 KB key text against 3.3 µs through a Hash object), the same digest.
 */
const sha256Hex: (text: string) => string =
  typeof (crypto as { hash?: unknown }).hash === 'function' ? (text) => crypto.hash('sha256', text, 'hex') : (text) => crypto.createHash('sha256').update(text).digest('hex');

/** A param value as stableStringify writes it (numbers and strings without the general walk). */
function valueJson(v: unknown): string {
  return typeof v === 'number' ? (Number.isFinite(v) ? (Object.is(v, -0) ? '0' : String(v)) : JSON.stringify(String(v))) : typeof v === 'string' ? JSON.stringify(v) : stableStringify(v);
}

// Sorted key order (and quoted names) per params key set: serialised per point without sorting.
const sortedKeys = new Map<string, { keys: string[]; names: string[] }>();

/** `stableStringify(params)` for a flat params record (numbers and strings), without sorting per point. */
export function paramsJson(params: Params): string {
  let sig = '';
  for (const k in params) sig += k + '\0';
  let o = sortedKeys.get(sig);
  if (!o) {
    const keys = Object.keys(params).sort();
    o = { keys, names: keys.map((k) => JSON.stringify(k) + ':') };
    if (sortedKeys.size > 256) sortedKeys.clear();
    sortedKeys.set(sig, o);
  }
  let out = '{';
  for (let i = 0; i < o.keys.length; i++) {
    const v = params[o.keys[i]];
    if (v === undefined) continue;
    out += (out.length > 1 ? ',' : '') + o.names[i] + valueJson(v);
  }
  return out + '}';
}

export interface KeyInput {
  params: Params;
  /** Model identity, e.g. "analytical@1.0" or a hash of the model sources/tables. */
  modelVersion: string;
  /** Fidelity that produced the numbers, e.g. "analytical", "cycle", "accuracy:subset". */
  fidelity: string;
  /** Workload (and any fixed config merged into every point) — anything that changes results. */
  workload: unknown;
}

export function journalKey(k: KeyInput): string {
  const text = stableStringify({ v: 1, params: k.params, modelVersion: k.modelVersion, fidelity: k.fidelity, workload: k.workload ?? null });
  return sha256Hex(text);
}

/**
 * The same key as `journalKey`, for many points sharing one model version, fidelity and workload:
 * the constant parts are serialised once (`stableStringify(workload)` passed in), and only the
 * params are serialised per point. Equal to `journalKey` by construction (sorted key order:
 * fidelity, modelVersion, params, v, workload).
 */
export function journalKeyFast(params: Params, modelVersion: string, fidelity: string, workloadJson: string): string {
  return sha256Hex(`{"fidelity":${JSON.stringify(fidelity)},"modelVersion":${JSON.stringify(modelVersion)},"params":${paramsJson(params)},"v":1,"workload":${workloadJson}}`);
}

/**
 * The keys of a batch line's rows, row i on demand: what `journalKeyFast` gives the record
 * dse/journal-batch.ts expandRow builds of it (params named in the line's order, a repeated name's
 * last value, an absent value skipped), serialised from the row's values in the sorted order
 * found once per line — no params object, no record.
 */
export function batchRowKey(b: BatchLine): (i: number) => string {
  const at: Record<string, number> = {};
  b.params.forEach((k, i) => (at[k] = i));
  const keys = Object.keys(at).sort();
  const names = keys.map((k) => JSON.stringify(k) + ':');
  const pos = keys.map((k) => at[k]);
  const head = `{"fidelity":${JSON.stringify(b.keyFidelity ?? b.fidelity)},"modelVersion":${JSON.stringify(b.modelVersion)},"params":{`;
  const tail = `},"v":1,"workload":${b.material}}`;
  return (i) => {
    // what expandRow refuses (and loading counts as a bad line): a row that is not an array, params or metrics missing
    const [, pv, , mv] = b.rows[i];
    if ((pv == null && b.params.length > 0) || (mv == null && b.metrics.length > 0)) throw new TypeError(`batch row ${i}: no params or metrics`);
    let out = '';
    for (let j = 0; j < pos.length; j++) {
      const v = pv[pos[j]];
      if (v === undefined) continue;
      out += (out.length > 0 ? ',' : '') + names[j] + valueJson(v);
    }
    return sha256Hex(head + out + tail);
  };
}
