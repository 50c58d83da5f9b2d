/**
 * Batch lines of the journal (dse/journal.ts): many records per line, their constant material once
 * per journal. A head line holds what a step's records share — fidelity, model version, key
 * material, the params' names and the metrics' names — under a number; each write is a batch line
 * naming its head, with its time and one compact row per record: [id, param values, status, metric
 * values, violation, error, ms]. A point costs the same bytes however the rows are cut into lines
 * (results arriving one at a time on a loaded host write a line each). Batch lines of older
 * versions carry their head themselves (`batch: 1`) and still load.
 */
import type { Params } from './driver.ts';
import type { JournalRecord } from './journal.ts';
import type { RowLayout } from './journal-index.ts';

/** A batch line with its head: the form every batch line is read as (`batch: 1`, as older versions wrote it). */
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

/** A head line: the constant material of the batch lines that name it (`head`: its number, unique in the file). */
export type HeadLine = { head: number } & Omit<BatchLine, 'batch' | 't' | 'rows'>;

/** A batch line naming its head (`batch: 2`). */
export interface RowsLine {
  batch: 2;
  head: number;
  t: string;
  rows: BatchLine['rows'];
}

export function isBatch(x: unknown): x is BatchLine {
  const b = x as BatchLine;
  return !!b && typeof b === 'object' && b.batch === 1 && Array.isArray(b.rows) && Array.isArray(b.params) && Array.isArray(b.metrics) && typeof b.material === 'string';
}

export function isRowsLine(x: unknown): x is RowsLine {
  const b = x as RowsLine;
  return !!b && typeof b === 'object' && b.batch === 2 && typeof b.head === 'number' && Array.isArray(b.rows);
}

export function isHead(x: unknown): x is HeadLine {
  const h = x as HeadLine;
  return !!h && typeof h === 'object' && typeof h.head === 'number' && typeof h.fidelity === 'string' && typeof h.modelVersion === 'string' && typeof h.material === 'string' && Array.isArray(h.params) && Array.isArray(h.metrics) && !('batch' in h);
}

/** The head fields a record's batch would carry, to compare with the heads written. */
type HeadFields = Omit<HeadLine, 'head'>;

const sameHead = (h: HeadFields, w: HeadFields): boolean =>
  h.fidelity === w.fidelity && h.keyFidelity === w.keyFidelity && h.modelVersion === w.modelVersion && h.material === w.material && sameNames(h.params, w.params) && sameNames(h.metrics, w.metrics);

const sameNames = (a: string[], b: string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * The heads of a journal file: those read from it (a scan defines them as it meets them) and those
 * this process wrote. A batch line is read as a BatchLine through them; an append reuses a head
 * the file holds, and numbers a new one after the largest there.
 */
export class JournalHeads {
  private readonly byNumber = new Map<number, HeadLine>();
  private next = 0;
  private last?: HeadLine;

  /** A head line of the file (read in file order), or one just written. */
  define(h: HeadLine): void {
    this.byNumber.set(h.head, h);
    this.next = Math.max(this.next, h.head + 1);
  }

  /** A batch line of either form with its head (throws for a head the file does not hold before it: the line is unreadable). */
  resolve(x: BatchLine | RowsLine): BatchLine {
    if (x.batch === 1) return x;
    const h = this.byNumber.get(x.head);
    if (!h) throw new TypeError(`batch line of head ${x.head}, which is not in the journal`);
    return { batch: 1, fidelity: h.fidelity, ...(h.keyFidelity !== undefined ? { keyFidelity: h.keyFidelity } : {}), modelVersion: h.modelVersion, t: x.t, material: h.material, params: h.params, metrics: h.metrics, rows: x.rows };
  }

  /** The head with these fields: one already defined, or a new one numbered after those and `pending` (not yet written). */
  find(w: HeadFields, pending: HeadLine[]): { head: HeadLine; isNew: boolean } {
    if (this.last && sameHead(this.last, w)) return { head: this.last, isNew: false };
    for (const h of this.byNumber.values())
      if (sameHead(h, w)) {
        this.last = h;
        return { head: h, isNew: false };
      }
    for (const h of pending) if (sameHead(h, w)) return { head: h, isNew: false };
    return { head: { head: this.next + pending.length, ...w }, isNew: true };
  }
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

/**
 * JSON lines of records: batch lines for those with key material (after the head lines of heads
 * `heads` has not met: `added`, for the caller to define once they are written), one line each for
 * the rest.
 */
export function journalLines(recs: JournalRecord[], t: string, heads: JournalHeads): { lines: string[]; added: HeadLine[] } {
  const lines: (string | RowsLine | HeadLine)[] = [];
  const added: HeadLine[] = [];
  let cur: { line: RowsLine; head: HeadLine } | undefined;
  const num = (v: number) => (Number.isFinite(v) ? v : null);
  for (const r of recs) {
    if (r.material === undefined || r.extra !== undefined) {
      cur = undefined;
      lines.push(JSON.stringify({ ...r, material: undefined, keyFidelity: undefined, t: r.t ?? t }));
      continue;
    }
    const kf = r.keyFidelity !== undefined && r.keyFidelity !== r.fidelity ? r.keyFidelity : undefined;
    // the constant material of consecutive records is usually the same strings (compared by value)
    const h = cur?.head;
    const same = h !== undefined && h.fidelity === r.fidelity && h.keyFidelity === kf && h.modelVersion === r.modelVersion && h.material === r.material && sameKeys(r.params, h.params) && sameKeys(r.metrics, h.metrics);
    if (!same) {
      const found = heads.find({ fidelity: r.fidelity, ...(kf !== undefined ? { keyFidelity: kf } : {}), modelVersion: r.modelVersion, material: r.material, params: Object.keys(r.params), metrics: Object.keys(r.metrics) }, added);
      if (found.isNew) {
        added.push(found.head);
        lines.push(found.head);
      }
      cur = { line: { batch: 2, head: found.head.head, t, rows: [] }, head: found.head };
      lines.push(cur.line);
    }
    const { line, head } = cur!;
    const pv: (number | string)[] = new Array(head.params.length);
    for (let i = 0; i < pv.length; i++) pv[i] = r.params[head.params[i]];
    const mv: (number | null)[] = new Array(head.metrics.length);
    for (let i = 0; i < mv.length; i++) mv[i] = num(r.metrics[head.metrics[i]]);
    line.rows.push([r.id, pv, r.status, mv, num(r.violation), r.error ?? null, r.ms ?? null]);
  }
  return { lines: lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))), added };
}

const BATCH_STARTS = [Buffer.from('{"batch":1,'), Buffer.from('{"batch":2,')];
const ROWS = Buffer.from('"rows":[');

/**
 * Where the rows of a batch line are (JSON.stringify of a BatchLine or RowsLine: `batch` first,
 * `rows` last; no string before the rows holds an unescaped quote, so the first `"rows":[` is the
 * member). Rows are the top-level arrays of the member, found by depth, skipping strings.
 */
export function batchLayout(b: Buffer): RowLayout | undefined {
  if (!BATCH_STARTS.some((s) => b.length >= s.length && b.compare(s, 0, s.length, 0, s.length) === 0)) return undefined;
  const at = b.indexOf(ROWS);
  if (at < 0) return undefined;
  const head = at + ROWS.length;
  const starts: number[] = [];
  let depth = 0;
  for (let i = head; i < b.length; i++) {
    const c = b[i];
    if (c === 0x22) {
      // a string: to its closing quote (a backslash escapes the next byte)
      for (i++; i < b.length && b[i] !== 0x22; i++) if (b[i] === 0x5c) i++;
    } else if (c === 0x5b) {
      if (depth === 0) starts.push(i);
      depth++;
    } else if (c === 0x5d) {
      if (depth === 0) return { head, starts, end: i };
      depth--;
    }
  }
  return undefined;
}
