/**
 * One row of an official 17-column workload CSV (sim/workload/trace.ts) → a HeadRequest: the
 * column names, the checked general path (`rowToRequest`: every error names file, line, column
 * and field), the regular-expression fast path for rows in the standard column order
 * (`ROW_RE` + `fastRequest`, same numbers), and the bit-width mapping (official RTL harness or exact).
 */
import type { HeadRequest } from './types.ts';

export const TRACE_COLUMNS = [
  'iteration_id',
  'layer_id',
  'head_id',
  'embedding_length_D',
  'sentence_length_L',
  'key_fetch_num',
  'quant_key_bit',
  'quant_query_bit',
  'auto_requant_thres',
  'if_requant',
  'auto_requant_incre',
  'value_fetch_num',
  'quant_value_bit',
  'if_accumulate_importance',
  'if_rescale_previous_importance',
  'if_topk',
  'topk',
] as const;
export type TraceColumn = (typeof TRACE_COLUMNS)[number];

/** The RTL's hard-wired LSB ("requant") width: `requantBitCount` = 4 (spatten-official-hardware.md §1.2). */
export const RTL_LSB_BITS = 4;

/** A parse error pointing at a file, a 1-based line and a 1-based column (plus its name). */
export class TraceError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number | undefined,
    readonly columnName: string | undefined,
    readonly reason: string,
  ) {
    super(`${file}:${line}${column !== undefined ? `:${column}` : ''}${columnName ? ` (${columnName})` : ''}: ${reason}`);
    this.name = 'TraceError';
  }
}

/** Cell index of each column in the standard column order (the header of an official file). */
export const STANDARD_IDX = TRACE_COLUMNS.map((_, i) => i);

/** Typed readers of one row's cells; each error names file, line, column and field. */
function cellReaders(cells: string[], idx: number[], line: number, fileName: string) {
  const cell = (k: number) => cells[idx[k]].trim();
  const err = (k: number, reason: string) => new TraceError(fileName, line, idx[k] + 1, TRACE_COLUMNS[k], reason);
  const int = (k: number, min = -Infinity): number => {
    const s = cell(k);
    if (!/^-?\d+$/.test(s)) throw err(k, `expected an integer, got '${s}'`);
    const v = Number(s);
    if (v < min) throw err(k, `expected ≥ ${min}, got ${v}`);
    return v;
  };
  const num = (k: number): number => {
    const s = cell(k);
    const v = Number(s);
    if (s === '' || !Number.isFinite(v)) throw err(k, `expected a number, got '${s}'`);
    return v;
  };
  const bool = (k: number): boolean => {
    const s = cell(k);
    if (s === 'True' || s === 'true' || s === '1') return true;
    if (s === 'False' || s === 'false' || s === '0') return false;
    throw err(k, `expected True or False, got '${s}'`);
  };
  const bits = (k: number): number => {
    const v = int(k);
    if (v === -1 || (v >= 1 && v <= 32)) return v;
    throw err(k, `bit width must be −1 (unquantized) or 1…32, got ${v}`);
  };
  return { cell, err, int, num, bool, bits };
}

/** The trace's bit columns → the model's key/LSB/refetch/value bits under the chosen mapping. */
function mapBits(
  mapping: 'official' | 'exact',
  kb: number,
  vb: number,
  ifRequant: boolean,
  incre: number,
  err: (k: number, reason: string) => TraceError,
): { keyBits: number; lsbBits: number; refetch: number; valueBits: number } {
  if (mapping === 'official') {
    const wide = kb === -1 || kb === 10 || kb === 12;
    return {
      keyBits: wide ? 8 : kb,
      lsbBits: wide || ifRequant ? RTL_LSB_BITS : incre > 0 ? RTL_LSB_BITS : 0,
      refetch: wide || ifRequant ? 1 : 0,
      valueBits: vb === -1 || vb === 10 || vb === 12 ? 8 : vb,
    };
  }
  if (kb === -1) throw err(6, 'exact bit mapping cannot represent −1');
  if (vb === -1) throw err(12, 'exact bit mapping cannot represent −1');
  const lsbBits = incre > 0 ? incre : 0;
  if (ifRequant && lsbBits === 0) throw err(10, 'if_requant is True but auto_requant_incre is −1');
  return { keyBits: kb, lsbBits, refetch: ifRequant ? 1 : 0, valueBits: vb };
}

/** The request of one row's cells (`idx`: cell of each column), every field checked; errors name file, line, column and field. */
export function rowToRequest(
  cells: string[],
  idx: number[],
  line: number,
  fileName: string,
  mapping: 'official' | 'exact',
  meta: Record<string, string> | undefined,
): HeadRequest {
  const { cell, err, int, num, bool, bits } = cellReaders(cells, idx, line, fileName);
  const iteration = int(0, 0);
  const layer = int(1, 0);
  const head = int(2, 0);
  const Df = num(3);
  if (!Number.isInteger(Df) || Df < 1) throw err(3, `embedding_length_D must be a positive integer, got '${cell(3)}'`);
  const L = int(4, 1);
  const keys = int(5, 0);
  if (keys > L) throw err(5, `key_fetch_num ${keys} exceeds sentence_length_L ${L}`);
  const kb = bits(6);
  const qb = bits(7);
  const thr = num(8);
  const ifRequant = bool(9);
  const incre = int(10, -1);
  const values = int(11, 0);
  if (values > keys) throw err(11, `value_fetch_num ${values} exceeds key_fetch_num ${keys}`);
  const vb = bits(12);
  bool(13);
  bool(14);
  const ifTopk = bool(15);
  const topk = int(16, -1);
  if (ifTopk && topk < 0) throw err(16, 'if_topk is True but topk is −1');
  if (!ifTopk && topk >= 0) throw err(16, `if_topk is False but topk is ${topk}`);
  // topk may exceed this row's key_fetch_num: the last layer's top-k picks the next
  // iteration's layer-0 tokens out of all L (per8: 921 of ~1000 after 102 in layer 11).
  if (topk > L + 1) throw err(16, `topk ${topk} exceeds sentence_length_L + 1 = ${L + 1}`);

  const { keyBits, lsbBits, refetch, valueBits } = mapBits(mapping, kb, vb, ifRequant, incre, err);
  return makeRequest(iteration, layer, head, Df, L, keys, values, keyBits, lsbBits, refetch, thr, valueBits, qb, ifTopk, topk, meta);
}

/** The request of one valid row (every field checked by the caller). */
function makeRequest(
  iteration: number,
  layer: number,
  head: number,
  Df: number,
  L: number,
  keys: number,
  values: number,
  keyBits: number,
  lsbBits: number,
  refetch: number,
  thr: number,
  valueBits: number,
  qb: number,
  ifTopk: boolean,
  topk: number,
  meta: Record<string, string> | undefined,
): HeadRequest {
  // −1 (unquantized) reads as the datapath's 12-bit query: the paper's 64 × 12 b query register
  // (Fig. 8; spatten-paper.md §2.8) and the RTL request's 64 × 12-bit query (spatten-official-hardware.md §1.4).
  const queryBits = qb === -1 ? 12 : qb;
  const stageSumm = meta?.stage === 'summarization';
  const r: HeadRequest = {
    iteration,
    layer,
    head,
    D: Df,
    L,
    queries: stageSumm ? keys : 1,
    keys,
    valuesFetched: stageSumm ? keys : values,
    valuesPerQuery: values,
    keyBits,
    lsbBits,
    refetch,
    lsbThreshold: thr,
    valueBits,
    queryBits,
    topk: ifTopk ? topk : -1,
    causal: stageSumm && meta?.causal === 'true',
  };
  return r;
}

const INT = '(-?\\d+)';
const NUM = '([^,"\\s]+)';
const BOOL = '(True|true|1|False|false|0)';
/** A row in the standard column order without quotes or spaces (captures 1…17 = the cells). */
export const ROW_RE = new RegExp(`^${[INT, INT, INT, NUM, INT, INT, INT, INT, NUM, BOOL, INT, INT, INT, BOOL, BOOL, BOOL, INT].join(',')}$`);
const isTrue = (s: string) => s === 'True' || s === 'true' || s === '1';
const okBits = (v: number) => v === -1 || (v >= 1 && v <= 32);

/**
 * The request of a row matched by ROW_RE, or undefined when any check of rowToRequest would fail
 * (the caller then runs rowToRequest on the same cells, which throws the error naming the cell).
 * Same numbers as rowToRequest: the same `Number` of the same (already trimmed) cell text.
 */
export function fastRequest(m: RegExpExecArray, mapping: 'official' | 'exact', meta: Record<string, string> | undefined): HeadRequest | undefined {
  const iteration = +m[1];
  const layer = +m[2];
  const head = +m[3];
  const Df = +m[4];
  const L = +m[5];
  const keys = +m[6];
  const kb = +m[7];
  const qb = +m[8];
  const thr = +m[9];
  const ifRequant = isTrue(m[10]);
  const incre = +m[11];
  const values = +m[12];
  const vb = +m[13];
  const ifTopk = isTrue(m[16]);
  const topk = +m[17];
  if (iteration < 0 || layer < 0 || head < 0 || !Number.isInteger(Df) || Df < 1 || L < 1 || keys < 0 || keys > L) return undefined;
  if (!okBits(kb) || !okBits(qb) || !Number.isFinite(thr) || incre < -1 || values < 0 || values > keys || !okBits(vb)) return undefined;
  if (topk < -1 || (ifTopk && topk < 0) || (!ifTopk && topk >= 0) || topk > L + 1) return undefined;
  if (mapping === 'exact' && (kb === -1 || vb === -1 || (ifRequant && !(incre > 0)))) return undefined;
  const { keyBits, lsbBits, refetch, valueBits } = mapBits(mapping, kb, vb, ifRequant, incre, noError);
  return makeRequest(iteration, layer, head, Df, L, keys, values, keyBits, lsbBits, refetch, thr, valueBits, qb, ifTopk, topk, meta);
}
const noError = (k: number, reason: string): TraceError => {
  throw new Error(`trace fast path: unchecked ${TRACE_COLUMNS[k]}: ${reason}`);
};
