/**
 * Import/export of the official SpAtten 17-column workload CSVs (mit-han-lab/spatten,
 * `spatten_hardware/hardware/workloads/*.csv`; schema in shared/spec §3.1).
 *
 * File layout: a header line with the 17 column names, one row per (iteration, layer, head),
 * and a trailing "config line" whose first cell is the algorithm config path that produced the
 * trace (the official harness skips it because its iteration_id is not an integer).
 *
 * Bit-width mapping (as the official RTL harness `TestSpAtten` does, spec §1.8):
 *  - `quant_key_bit` −1, 10 or 12 → 8-bit MSB fetch **plus a forced 4-bit LSB pass** (keyBits 8,
 *    lsbBits 4, refetch 1): the 12-bit on-chip word is filled as 8 + 4;
 *  - other key widths (4, 6, 8) stay; the LSB pass is 4 bits wide (hard-wired in the RTL) and is
 *    taken when `if_requant` is True;
 *  - `quant_value_bit` −1, 10 or 12 → 8; 6 and 8 stay;
 *  - `quant_query_bit` −1 → 12 (the RTL query register is 64 × 12 b; the harness never fetches it).
 * Differences from the harness, by design: widths it would reject (16, 32, anything outside
 * {4, 6, 8} after mapping) are passed through unchanged instead of asserting; 6-bit rows are not
 * required to come in fused pairs (our simulator packs 6-bit keys densely per head, which moves
 * the same bytes as the harness's 96-byte fused pairs); D is read from the file, not forced to 64.
 *
 * Files written by `formatTrace` carry a trailing line starting with `spatten-dse:` that records
 * the stage and the model and switches the reader to *exact* bit mapping (our −1 never occurs; a
 * 12-bit key stays 12-bit), so our workloads round-trip exactly.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { MODEL_SHAPES, type ModelShape } from './models.ts';
import type { HeadRequest, Workload } from './types.ts';
import type { Stage } from '../schema.ts';
import { mulberry32 } from '../rng.ts';

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

/** The RTL's hard-wired LSB ("requant") width. */
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

export interface ParseTraceOptions {
  /** 'official' = the RTL harness mapping (default for foreign files); 'exact' = keep the widths. */
  bitMapping?: 'official' | 'exact';
}

const MARKER = 'spatten-dse:';

/**
 * The raw lines of a parsed official trace, per request index of its request array, kept so that
 * unmodified rows re-export byte-exactly (one entry per trace, not per row: `formatTrace` checks
 * each row's fields against its line before writing it back).
 */
const rawLines = new WeakMap<readonly HeadRequest[], string[]>();

function splitCsvLine(line: string): string[] {
  // The official files never quote; still accept simple double-quoted cells.
  if (!line.includes('"')) return line.split(',');
  const out: string[] = [];
  let cur = '';
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (q) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') q = false;
      else cur += ch;
    } else if (ch === '"') q = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

function parseKeyValues(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of s.split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return out;
}

/** The header line of a trace: its cells, the cell index of each TRACE_COLUMNS field, its 1-based line. */
interface TraceHeader {
  cells: string[];
  idx: number[];
  /** The 17 columns and nothing else, in TRACE_COLUMNS order (rows may take the ROW_RE fast path). */
  standardOrder: boolean;
  line: number;
}

/**
 * A data row, kept as its cells (general path) or as the match of ROW_RE (fast path: standard
 * column order, no quotes or spaces; converted by fastRequest, or by rowToRequest if invalid).
 */
interface TraceRow {
  cells: string[] | undefined;
  m: RegExpExecArray | undefined;
  line: number;
}

/** Parse the text of a 17-column workload CSV. `fileName` is used in error messages and the name. */
export function parseTrace(text: string, fileName: string, opts: ParseTraceOptions = {}): Workload {
  const lines = text.split(/\r?\n/);
  const header = readHeader(lines, fileName);
  const { rows, trailer } = collectRows(lines, header, fileName);
  const meta = trailer?.startsWith(MARKER) ? parseKeyValues(trailer.slice(MARKER.length)) : undefined;
  const mapping = opts.bitMapping ?? (meta ? 'exact' : 'official');

  const requests: HeadRequest[] = [];
  for (const { cells, m, line } of rows) {
    requests.push((m && fastRequest(m, mapping, meta)) || rowToRequest(cells ?? m!.slice(1), header.idx, line, fileName, mapping, meta));
  }
  if (header.standardOrder && !meta) rawLines.set(requests, rows.map((r) => lines[r.line - 1]));
  return traceWorkload(requests, fileName, trailer, meta, mapping);
}

/** The first non-blank line as the header; every column of TRACE_COLUMNS must be in it. */
function readHeader(lines: string[], fileName: string): TraceHeader {
  let li = 0;
  while (li < lines.length && lines[li].trim() === '') li++;
  if (li >= lines.length) throw new TraceError(fileName, 1, undefined, undefined, 'empty file: expected a header line');
  const cells = splitCsvLine(lines[li]).map((s) => s.trim());
  const colIdx = new Map<string, number>();
  cells.forEach((h, i) => colIdx.set(h, i));
  for (const c of TRACE_COLUMNS) {
    if (!colIdx.has(c)) throw new TraceError(fileName, li + 1, undefined, c, `header lacks column '${c}' (got: ${cells.join(',')})`);
  }
  const idx = TRACE_COLUMNS.map((c) => colIdx.get(c)!);
  const standardOrder = cells.length === TRACE_COLUMNS.length && cells.every((h, i) => h === TRACE_COLUMNS[i]);
  return { cells, idx, standardOrder, line: li + 1 };
}

/**
 * The data rows below the header (at least one) and the first cell of the trailing config line,
 * if any: blank lines are skipped, nothing but blank lines may follow the config line.
 */
function collectRows(lines: string[], header: TraceHeader, fileName: string): { rows: TraceRow[]; trailer: string | undefined } {
  let trailer: string | undefined;
  let trailerLine = 0;
  const rows: TraceRow[] = [];
  for (let li = header.line; li < lines.length; li++) {
    const raw = lines[li];
    const m = header.standardOrder ? ROW_RE.exec(raw) : null;
    if (m !== null) {
      if (trailer !== undefined) throw rowAfterTrailer(fileName, li + 1, trailerLine);
      rows.push({ cells: undefined, m, line: li + 1 });
      continue;
    }
    if (raw.trim() === '') continue;
    const cells = splitCsvLine(raw);
    const first = cells[0]?.trim() ?? '';
    if (!/^-?\d+$/.test(first)) {
      if (trailer !== undefined) {
        throw new TraceError(fileName, li + 1, 1, 'iteration_id', `second non-row line after the trailing config line (line ${trailerLine}): '${first.slice(0, 60)}'`);
      }
      checkTrailer(cells, first, header.cells, fileName, li + 1, rows.length === 0);
      trailer = first;
      trailerLine = li + 1;
      continue;
    }
    if (trailer !== undefined) throw rowAfterTrailer(fileName, li + 1, trailerLine);
    if (cells.length !== header.cells.length) {
      throw new TraceError(fileName, li + 1, Math.min(cells.length, header.cells.length) + 1, undefined, `expected ${header.cells.length} cells, got ${cells.length}`);
    }
    rows.push({ cells, m: undefined, line: li + 1 });
  }
  if (rows.length === 0) throw new TraceError(fileName, header.line, undefined, undefined, 'no data rows');
  return { rows, trailer };
}

/** The error of a data row below the trailing config line (at `trailerLine`). */
function rowAfterTrailer(fileName: string, line: number, trailerLine: number): TraceError {
  return new TraceError(fileName, line, 1, 'iteration_id', `data row after the trailing config line (line ${trailerLine})`);
}

/** Checks a trailing config line: its first cell is free text (not empty before any row), the rest must be empty. */
function checkTrailer(cells: string[], first: string, header: string[], fileName: string, line: number, noRows: boolean): void {
  if (noRows && first === '') throw new TraceError(fileName, line, 1, 'iteration_id', 'empty iteration_id');
  const extra = cells.slice(1).findIndex((c) => c.trim() !== '');
  if (extra >= 0) {
    throw new TraceError(fileName, line, extra + 2, header[extra + 1], `iteration_id '${first.slice(0, 60)}' is not an integer (a trailing config line must have empty other cells)`);
  }
}

/** The workload of a trace's requests: stage and name from the metadata, model inferred from the shape. */
function traceWorkload(
  requests: HeadRequest[],
  fileName: string,
  trailer: string | undefined,
  meta: Record<string, string> | undefined,
  mapping: 'official' | 'exact',
): Workload {
  const stage: Stage = meta?.stage === 'summarization' ? 'summarization' : 'generation';
  const maxOf = (f: (r: HeadRequest) => number) => requests.reduce((m, r) => Math.max(m, f(r)), 0);
  const layers = maxOf((r) => r.layer) + 1;
  const heads = maxOf((r) => r.head) + 1;
  const D = requests[0].D;
  const model = inferModel(meta?.model, trailer, layers, heads, D);
  const iterations = maxOf((r) => r.iteration) + 1;
  const base = path.basename(fileName).replace(/\.csv$/i, '');
  return {
    name: meta?.name ?? base,
    model,
    stage,
    iterations,
    reuseKV: stage === 'summarization',
    requests,
    source: 'trace',
    provenance: meta ? (meta.provenance ?? trailer!) : `trace ${base}${trailer ? `; config ${trailer}` : ''}; bit mapping ${mapping}`,
  };
}

const STANDARD_IDX = TRACE_COLUMNS.map((_, i) => i);

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

function rowToRequest(
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
const ROW_RE = new RegExp(`^${[INT, INT, INT, NUM, INT, INT, INT, INT, NUM, BOOL, INT, INT, INT, BOOL, BOOL, BOOL, INT].join(',')}$`);
const isTrue = (s: string) => s === 'True' || s === 'true' || s === '1';
const okBits = (v: number) => v === -1 || (v >= 1 && v <= 32);

/**
 * The request of a row matched by ROW_RE, or undefined when any check of rowToRequest would fail
 * (the caller then runs rowToRequest on the same cells, which throws the error naming the cell).
 * Same numbers as rowToRequest: the same `Number` of the same (already trimmed) cell text.
 */
function fastRequest(m: RegExpExecArray, mapping: 'official' | 'exact', meta: Record<string, string> | undefined): HeadRequest | undefined {
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

function inferModel(metaModel: string | undefined, trailer: string | undefined, layers: number, heads: number, D: number): ModelShape {
  if (metaModel && metaModel in MODEL_SHAPES) return MODEL_SHAPES[metaModel as keyof typeof MODEL_SHAPES];
  const decoders = Object.values(MODEL_SHAPES).filter((m) => m.kind === 'decoder');
  const exact = decoders.find((m) => m.layers === layers && m.heads === heads && m.headDim === D);
  if (exact) return exact;
  const t = (trailer ?? '').toLowerCase();
  if (t.includes('medium')) return MODEL_SHAPES['gpt2-medium'];
  if (t.includes('gpt2') && layers <= 12 && heads <= 12) return MODEL_SHAPES['gpt2-small'];
  const fit = decoders.find((m) => m.layers >= layers && m.heads >= heads && m.headDim === D);
  if (fit) return fit;
  return { name: 'trace', layers, heads, headDim: D, dModel: heads * D, kind: 'decoder' };
}

/** Read and parse a trace file. */
export function readTraceFile(file: string, opts: ParseTraceOptions = {}): Workload {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new TraceError(file, 0, undefined, undefined, `cannot read: ${(e as Error).message}`);
  }
  return parseTrace(text, file, opts);
}

export interface FormatTraceOptions {
  /**
   * How a fractional refetch probability (generated workloads) becomes True/False: a seeded draw
   * per head with the same generator as the cycle simulator (`refetchDraws`). Default seed 1.
   */
  seed?: number;
}

/** Deterministic per-head refetch decisions: 0/1 probabilities as given, others drawn with a seeded RNG. */
export function refetchDraws(w: Workload, seed = 1): boolean[] {
  const rng = mulberry32(seed ^ 0x5eed);
  return w.requests.map((r) => {
    if (r.lsbBits <= 0 || r.refetch <= 0) return false;
    if (r.refetch >= 1) return true;
    return rng() < r.refetch;
  });
}

export { mulberry32 };

const cleanCell = (s: string) => s.replace(/[,\r\n"]/g, ' ');

/**
 * Write a workload in the official 17-column schema. Rows of an official trace that were not
 * modified are written back byte-exactly; other rows are written with exact bit widths and the
 * trailing line records `spatten-dse:` metadata (stage, model, causal, name, provenance) so
 * `parseTrace` restores the same workload. `configLine` replaces the provenance text.
 */
export function formatTrace(w: Workload, configLine?: string, opts: FormatTraceOptions = {}): string {
  const draws = refetchDraws(w, opts.seed ?? 1);
  const out: string[] = [TRACE_COLUMNS.join(',')];
  let allRaw = w.source === 'trace';
  const rows: string[] = [];
  const raws = rawLines.get(w.requests);
  w.requests.forEach((r, i) => {
    const rawLine = raws?.[i];
    const raw = rawLine === undefined ? undefined : splitCsvLine(rawLine);
    if (raw && w.source === 'trace' && unchanged(r, raw)) {
      rows.push(raw.join(','));
      return;
    }
    allRaw = false;
    const lsb = r.lsbBits > 0;
    const cells: (string | number)[] = [
      r.iteration,
      r.layer,
      r.head,
      r.D.toFixed(1),
      r.L,
      r.keys,
      r.keyBits,
      r.queryBits,
      lsb ? r.lsbThreshold : -1,
      draws[i] ? 'True' : 'False',
      lsb ? r.lsbBits : -1,
      w.stage === 'summarization' ? r.valuesPerQuery : r.valuesFetched,
      r.valueBits,
      'True',
      'False',
      r.topk >= 0 ? 'True' : 'False',
      r.topk,
    ];
    rows.push(cells.join(','));
  });
  out.push(...rows);
  const empty = ','.repeat(TRACE_COLUMNS.length - 1);
  if (allRaw) {
    const m = /; config (.*?); bit mapping/.exec(w.provenance);
    const cfg = configLine ?? m?.[1];
    if (cfg !== undefined) out.push(cleanCell(cfg) + empty);
  } else {
    const causal = w.requests.some((r) => r.causal);
    const prov = cleanCell(configLine ?? w.provenance).replace(/;/g, ' ');
    out.push(`${MARKER}stage=${w.stage};model=${w.model.name};causal=${causal};name=${cleanCell(w.name).replace(/;/g, ' ')};provenance=${prov}` + empty);
  }
  return out.join('\n') + '\n';
}

/** True when a request still equals what its raw official cells map to (official mapping). */
function unchanged(r: HeadRequest, raw: string[]): boolean {
  try {
    const p = rowToRequest(raw, STANDARD_IDX, 0, 'row', 'official', undefined);
    return (Object.keys(p) as (keyof HeadRequest)[]).every((k) => p[k] === r[k]);
  } catch {
    return false;
  }
}
