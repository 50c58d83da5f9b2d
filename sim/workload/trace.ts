/**
 * Import/export of the official SpAtten 17-column workload CSVs (mit-han-lab/spatten,
 * `spatten_hardware/hardware/workloads/*.csv`; schema in shared/spec §3.1).
 *
 * File layout: a header line with the 17 column names, one row per (iteration, layer, head),
 * and a trailing "config line" whose iteration_id cell (the first, in the standard column order) is
 * the algorithm config path that produced the trace (the official harness skips it because its
 * iteration_id is not an integer). Columns are found by name: every cell, iteration_id included, is
 * read through the header's column map, so a trace with its columns permuted reads the same.
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
import { fastRequest, ROW_RE, rowToRequest, STANDARD_IDX, TRACE_COLUMNS, TraceError, type TraceColumn } from './trace-row.ts';
import { closest } from '../../core/suggest.ts';

export { RTL_LSB_BITS, TRACE_COLUMNS, TraceError, type TraceColumn } from './trace-row.ts';

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
 * A data row: its request (fast path: standard column order, no quotes or spaces, converted by
 * fastRequest when matched), or its cells (general path) or ROW_RE match (a fast-path row that a
 * check rejects), converted by rowToRequest after every row is read.
 */
interface TraceRow {
  cells: string[] | undefined;
  m: RegExpExecArray | undefined;
  /** The request of a fast-path row, converted when matched (m is then dropped). */
  req?: HeadRequest;
  line: number;
}

/** Index of iteration_id in TRACE_COLUMNS (and in a header's `idx`). */
const ITERATION = TRACE_COLUMNS.indexOf('iteration_id');

/** A line's iteration_id cell, trimmed, found through the header's column map; undefined when the line is too short to have it. */
function iterationCell(cells: string[], header: TraceHeader): string | undefined {
  return cells[header.idx[ITERATION]]?.trim();
}

/** The error at a line's iteration_id cell (its column number as the header places it). */
function iterationError(fileName: string, line: number, header: TraceHeader, reason: string): TraceError {
  return new TraceError(fileName, line, header.idx[ITERATION] + 1, 'iteration_id', reason);
}

/**
 * The trailing config line's text (its iteration_id cell), if the last non-blank line after the
 * header is one (that cell is not an integer, as collectRows decides); undefined when it is a data
 * row or lacks the cell (collectRows then refuses it).
 */
function trailingLine(lines: string[], header: TraceHeader): string | undefined {
  for (let li = lines.length - 1; li >= header.line; li--) {
    if (lines[li].trim() === '') continue;
    const first = iterationCell(splitCsvLine(lines[li]), header);
    return first === undefined || /^-?\d+$/.test(first) ? undefined : first;
  }
  return undefined;
}

/** Parse the text of a 17-column workload CSV. `fileName` is used in error messages and the name. */
export function parseTrace(text: string, fileName: string, opts: ParseTraceOptions = {}): Workload {
  const lines = text.split(/\r?\n/);
  const header = readHeader(lines, fileName);
  // The trailing config line decides the bit mapping; it is read first so that rows are converted
  // as they are matched and their match arrays die young (a 4,610-row trace otherwise keeps 4,610
  // of them alive through the young-generation collections of a cold start).
  const last = trailingLine(lines, header);
  const meta = last?.startsWith(MARKER) ? parseKeyValues(last.slice(MARKER.length)) : undefined;
  const mapping = opts.bitMapping ?? (meta ? 'exact' : 'official');
  const { rows, trailer } = collectRows(lines, header, fileName, (m) => fastRequest(m, mapping, meta));
  // (collectRows returns only when the trailer is the last non-blank line, the one read above)
  if (trailer !== last) throw new Error(`parseTrace: trailer '${trailer}' is not the last line's '${last}'`);

  const requests: HeadRequest[] = [];
  for (const { cells, m, req, line } of rows) {
    requests.push(req ?? rowToRequest(cells ?? m!.slice(1), header.idx, line, fileName, mapping, meta));
  }
  if (header.standardOrder && !meta) rawLines.set(requests, rows.map((r) => lines[r.line - 1]));
  return traceWorkload(requests, fileName, trailer, meta, mapping);
}

/** The first non-blank line as the header: exactly the columns of TRACE_COLUMNS, in any order. */
function readHeader(lines: string[], fileName: string): TraceHeader {
  let li = 0;
  while (li < lines.length && lines[li].trim() === '') li++;
  if (li >= lines.length) throw new TraceError(fileName, 1, undefined, undefined, 'empty file: expected a header line');
  const cells = splitCsvLine(lines[li]).map((s) => s.trim());
  const colIdx = new Map<string, number>();
  cells.forEach((h, i) => colIdx.set(h, i));
  const missing = TRACE_COLUMNS.find((c) => !colIdx.has(c));
  if (missing !== undefined) throw missingColumn(missing, cells, fileName, li + 1);
  checkNoOtherColumns(cells, fileName, li + 1);
  const idx = TRACE_COLUMNS.map((c) => colIdx.get(c)!);
  const standardOrder = cells.length === TRACE_COLUMNS.length && cells.every((h, i) => h === TRACE_COLUMNS[i]);
  return { cells, idx, standardOrder, line: li + 1 };
}

/**
 * The error of a header without column `c`: at the unknown header cell that looks like a
 * misspelling of it (core/suggest.ts `closest`), if one does; at the one unknown cell of a header
 * that lacks only `c`, if so (a name in its place); else listing the header's cells.
 */
function missingColumn(c: TraceColumn, cells: string[], fileName: string, line: number): TraceError {
  const known = new Set<string>(TRACE_COLUMNS);
  const unknown = cells.filter((h) => h !== '' && !known.has(h));
  const typo = closest(c, unknown);
  if (typo !== undefined) {
    const col = cells.indexOf(typo) + 1;
    return new TraceError(fileName, line, col, c, `header lacks column '${c}'; '${typo}' (column ${col}) looks like a misspelling of it`);
  }
  const lacking = TRACE_COLUMNS.filter((t) => !cells.includes(t));
  if (unknown.length === 1 && lacking.length === 1) {
    const col = cells.indexOf(unknown[0]) + 1;
    return new TraceError(fileName, line, col, c, `header lacks column '${c}'; column ${col} is '${unknown[0]}', which is not a trace column`);
  }
  return new TraceError(fileName, line, undefined, c, `header lacks column '${c}' (got: ${cells.join(',')})`);
}

/**
 * Refuses a header cell that is not one of the 17 columns or repeats one: the schema has exactly
 * the 17 columns (spec §3.1), so an extra name is a typo or a foreign file, not data to ignore.
 */
function checkNoOtherColumns(cells: string[], fileName: string, line: number): void {
  const known = new Set<string>(TRACE_COLUMNS);
  const expected = `expected the ${TRACE_COLUMNS.length} columns (in any order): ${TRACE_COLUMNS.join(',')}`;
  cells.forEach((h, i) => {
    const err = (what: string) => new TraceError(fileName, line, i + 1, h || undefined, `${what}; ${expected}`);
    if (h === '') throw err('empty column name');
    if (Number.isFinite(Number(h))) throw err(`column name '${h}' is a number`);
    if (!known.has(h)) throw err(`unknown column '${h}' (column ${i + 1})`);
    const first = cells.indexOf(h);
    if (first < i) throw err(`column '${h}' appears twice (also column ${first + 1})`);
  });
}

/**
 * The data rows below the header (at least one) and the text of the trailing config line (its
 * iteration_id cell), if any: blank lines are skipped, nothing but blank lines may follow the config line.
 */
function collectRows(lines: string[], header: TraceHeader, fileName: string, fast: (m: RegExpExecArray) => HeadRequest | undefined): { rows: TraceRow[]; trailer: string | undefined } {
  let trailer: string | undefined;
  let trailerLine = 0;
  const rows: TraceRow[] = [];
  for (let li = header.line; li < lines.length; li++) {
    const raw = lines[li];
    const m = header.standardOrder ? ROW_RE.exec(raw) : null;
    if (m !== null) {
      if (trailer !== undefined) throw rowAfterTrailer(fileName, li + 1, header, trailerLine);
      const req = fast(m);
      rows.push(req ? { cells: undefined, m: undefined, req, line: li + 1 } : { cells: undefined, m, line: li + 1 });
      continue;
    }
    if (raw.trim() === '') continue;
    const cells = splitCsvLine(raw);
    const first = iterationCell(cells, header);
    if (first === undefined) throw cellCountError(fileName, li + 1, cells, header);
    if (!/^-?\d+$/.test(first)) {
      if (trailer !== undefined) {
        throw iterationError(fileName, li + 1, header, `second non-row line after the trailing config line (line ${trailerLine}): '${first.slice(0, 60)}'`);
      }
      checkTrailer(cells, first, header, fileName, li + 1, rows.length === 0);
      trailer = first;
      trailerLine = li + 1;
      continue;
    }
    if (trailer !== undefined) throw rowAfterTrailer(fileName, li + 1, header, trailerLine);
    if (cells.length !== header.cells.length) throw cellCountError(fileName, li + 1, cells, header);
    rows.push({ cells, m: undefined, line: li + 1 });
  }
  if (rows.length === 0) throw new TraceError(fileName, header.line, undefined, undefined, 'no data rows');
  return { rows, trailer };
}

/** The error of a line with more or fewer cells than the header, at the first cell too many or missing. */
function cellCountError(fileName: string, line: number, cells: string[], header: TraceHeader): TraceError {
  const n = header.cells.length;
  return new TraceError(fileName, line, Math.min(cells.length, n) + 1, undefined, `expected ${n} cells, got ${cells.length}`);
}

/** The error of a data row below the trailing config line (at `trailerLine`). */
function rowAfterTrailer(fileName: string, line: number, header: TraceHeader, trailerLine: number): TraceError {
  return iterationError(fileName, line, header, `data row after the trailing config line (line ${trailerLine})`);
}

/**
 * Checks a trailing config line: its iteration_id cell is free text (not empty before any row),
 * every other cell must be empty.
 */
function checkTrailer(cells: string[], first: string, header: TraceHeader, fileName: string, line: number, noRows: boolean): void {
  if (noRows && first === '') throw iterationError(fileName, line, header, 'empty iteration_id');
  const iter = header.idx[ITERATION];
  const extra = cells.findIndex((c, i) => i !== iter && c.trim() !== '');
  if (extra >= 0) {
    // the fault is the iteration_id cell (not an integer), so that is the column reported
    const other = `${header.cells[extra] ?? `column ${extra + 1}`} is '${cells[extra].trim().slice(0, 60)}'`;
    throw iterationError(fileName, line, header, `iteration_id '${first.slice(0, 60)}' is not an integer (a trailing config line must have empty other cells; ${other})`);
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
