/**
 * Crash-safe evaluation journal (Optuna's JournalStorage idea, as JSON lines).
 *
 * - Finished evaluations are appended to `<results dir>/journal.jsonl` with a single `fs.writeSync`
 *   followed by `fs.fsyncSync` per append, so after a crash (kill -9, power loss) the file holds
 *   every evaluation appended before plus at most one torn last line. An append is a batch line (a
 *   compact row per evaluation, after a head line holding the constant material when the file has
 *   none for it yet: dse/journal-batch.ts), or a line per record for records that carry more.
 * - `loadJournal` drops a torn last line (no trailing newline, or unparsable) and reports it;
 *   `Journal.open` also truncates the file back to its last complete line so appends stay clean.
 * - Records are keyed by `journalKey`: sha256 of a stable (sorted-key) JSON of the params, the
 *   model version/fidelity and the workload. A resumed or later run reuses any record whose key
 *   matches instead of re-evaluating.
 * - `<dir>/.lock` holds the owner's pid; a second live run on the same folder is refused with a
 *   clear message; a lock whose pid is dead (or on this host, unreadable) is taken over.
 * - The first line of a journal written by a run is a header naming what it belongs to: the space
 *   identity (a hash of everything that determines the numbers besides the params) and the model
 *   version. A run continues a folder's journal only when both match (`journalMismatch`); the
 *   journal is never truncated except by an explicit fresh start (`keep: false`, `--fresh`).
 */
import fs from 'node:fs';
import { acquireLock, type Lock } from './lock.ts';
import path from 'node:path';
import type { Params } from './driver.ts';
import { batchRowKey, journalKeyFast } from './journal-key.ts';
import { batchLayout, expandBatch, expandRow, isBatch, isHead, isRowsLine, journalLines, JournalHeads, type BatchLine } from './journal-batch.ts';
import { JournalIndex, scanJournal, type LineKeys, type LineRecords, type ParsedLine, type RecordCodec, type ScanSummary } from './journal-index.ts';
import { fsInputError, journalSafeNote, runFileError } from './errors.ts';
import { ensureDir } from './outputs.ts';

export const JOURNAL_FILE = 'journal.jsonl';

/** The fidelity of the record holding a run's dense reference (dse/steps/dense.ts): not a point's evaluation, so not counted as one. */
export const DENSE_REFERENCE_RECORD = 'dense-reference';

/**
 * The fidelity of a record holding an accuracy configuration's run state (per-example scores and
 * counters, `extra.accuracyPrefix`; dse/accuracy-outcomes.ts), keyed without the seed: not a
 * point's evaluation, so not counted as one.
 */
export const ACCURACY_SCORES_RECORD = 'accuracy-scores';

/** Records that are not a point's evaluation (the counts of a journal leave them out). */
const NOT_POINTS: readonly string[] = [DENSE_REFERENCE_RECORD, ACCURACY_SCORES_RECORD];

export interface JournalRecord {
  /** Content hash of (params, modelVersion, fidelity, workload). */
  key: string;
  /**
   * The stable JSON of the key's constant material (`journalKeyFast`'s `workloadJson`). Records
   * appended with it are written in batch lines whose head line carries it once per file, without
   * a per-row key: the key is recomputed when the journal is loaded (a fresh run never hashes).
   */
  material?: string;
  /** The fidelity label the key was computed with, when it differs from `fidelity` (batch lines). */
  keyFidelity?: string;
  /** Trial id in the run that produced it. */
  id: number;
  params: Params;
  fidelity: string;
  modelVersion: string;
  status: 'ok' | 'failed';
  /** Metric values; NaN is stored as null and restored as NaN. */
  metrics: Record<string, number>;
  violation: number;
  error?: string;
  /** Anything else the runner wants back on resume (breakdowns, CIs, …). */
  extra?: unknown;
  /** Wall time of the evaluation, ms. */
  ms?: number;
  /** ISO time the record was written. */
  t?: string;
}

export { journalKey, journalKeyFast, paramsJson, stableStringify, type KeyInput } from './journal-key.ts';
export { batchLayout } from './journal-batch.ts';

/** First line of a run's journal: what its records belong to. */
export interface JournalHeader {
  journal: 'spatten-dse';
  v: 1;
  /** Hash of the space's evaluation identity (base point, model kind, accuracy, cycle switches). */
  space: string;
  /** Space name and file, for messages. */
  name: string;
  spaceFile?: string;
  modelVersion: string;
  createdAt: string;
}

function isHeader(x: unknown): x is JournalHeader {
  return !!x && typeof x === 'object' && (x as JournalHeader).journal === 'spatten-dse' && typeof (x as JournalHeader).space === 'string';
}

export interface LoadedJournal {
  /** The header line, when the journal has one (journals of older versions do not). */
  header?: JournalHeader;
  records: JournalRecord[];
  /** A torn (incomplete or unparsable) last line was dropped. */
  torn: boolean;
  /** The dropped text (for the report). */
  tornText?: string;
  /** Unparsable complete lines in the middle (should never happen; skipped). */
  badLines: number;
  /** Byte length of the valid prefix (the file is truncated to it when reopened for append). */
  validBytes: number;
}

function revive(r: JournalRecord): JournalRecord {
  const metrics: Record<string, number> = {};
  for (const [k, v] of Object.entries(r.metrics ?? {})) metrics[k] = typeof v === 'number' ? v : Number.NaN;
  return { ...r, metrics, violation: typeof r.violation === 'number' ? r.violation : Number.POSITIVE_INFINITY };
}

function isRecord(x: unknown): x is JournalRecord {
  const r = x as JournalRecord;
  return !!r && typeof r === 'object' && typeof r.key === 'string' && typeof r.id === 'number' && typeof r.params === 'object' && (r.status === 'ok' || r.status === 'failed');
}

/**
 * A batch line of either form as a BatchLine, a head line defined in `heads` (undefined: neither).
 * Throws for a batch line whose head is not in `heads`.
 */
function batchOf(x: unknown, heads: JournalHeads): BatchLine | 'head' | undefined {
  if (isBatch(x) || isRowsLine(x)) return heads.resolve(x);
  if (isHead(x)) {
    heads.define(x);
    return 'head';
  }
  return undefined;
}

/** One line of a journal: the header, or its records (a record line, a batch line's rows, none for a head line); throws on bad JSON. */
function lineParser(heads: JournalHeads): (text: string) => ParsedLine<JournalRecord[]> {
  return (text) => {
    const rec: unknown = JSON.parse(text);
    const b = batchOf(rec, heads);
    if (b === 'head') return recordLine([]);
    if (b) return recordLine(expandBatch(b, journalKeyFast));
    if (isRecord(rec)) return recordLine([revive(rec)]);
    if (isHeader(rec)) return { header: rec };
    return {};
  };
}

const recordLine = (line: JournalRecord[]): ParsedLine<JournalRecord[]> => ({ line, records: line.length });

/**
 * One line as an index takes it: the keys of its records (a batch line's rows keyed from its
 * arrays, no record built: dse/journal-key.ts batchRowKey; none for a head line), or the header;
 * throws where lineParser's does.
 */
function keysParser(heads: JournalHeads): (text: string) => ParsedLine<LineKeys> {
  return (text) => {
    const rec: unknown = JSON.parse(text);
    const b = batchOf(rec, heads);
    if (b === 'head') return { line: { keys: [] }, records: 0 };
    if (b) {
      const key = batchRowKey(b);
      const keys = new Array<string>(b.rows.length);
      for (let i = 0; i < keys.length; i++) keys[i] = key(i);
      return { line: { keys }, records: keys.length };
    }
    if (isRecord(rec)) return { line: { keys: [rec.key] }, records: NOT_POINTS.includes(rec.fidelity) ? 0 : 1 };
    if (isHeader(rec)) return { header: rec };
    return {};
  };
}

/** A record line read back (dse/journal-index.ts): a batch line's rows are expanded as they are asked for. */
function lineRecords(text: string, heads: JournalHeads): LineRecords | undefined {
  const x: unknown = JSON.parse(text);
  if (isBatch(x) || isRowsLine(x)) {
    const b = heads.resolve(x);
    return { length: b.rows.length, at: (i) => (i >= 0 && i < b.rows.length ? expandRow(b, b.rows[i], journalKeyFast) : undefined) };
  }
  if (isRecord(x)) {
    const r = revive(x);
    return { length: 1, at: (i) => (i === 0 ? r : undefined) };
  }
  return undefined;
}

/** What a look-up's key was computed from (`journalKeyFast`'s arguments). */
export interface KeyInputs {
  params: Params;
  modelVersion: string;
  fidelity: string;
  material: string;
}

/**
 * A row of a batch line was keyed from exactly these inputs: same model version, key fidelity
 * and material, the same parameter names with the same finite numbers or strings. Then its key is
 * the key asked for (the hash of the same text), and hashing it again is spared; anything else
 * is hashed and compared as always.
 */
function sameInputs(b: BatchLine, pv: (number | string)[], w: KeyInputs): boolean {
  if (b.modelVersion !== w.modelVersion || (b.keyFidelity ?? b.fidelity) !== w.fidelity || b.material !== w.material) return false;
  let defined = 0;
  for (const k in w.params) if (w.params[k] !== undefined) defined++;
  if (defined !== b.params.length) return false;
  for (let i = 0; i < b.params.length; i++) {
    const v = pv[i];
    if (w.params[b.params[i]] !== v || !(typeof v === 'string' || Number.isFinite(v))) return false;
  }
  return true;
}

/** How an index reads records back: a batch line's rows one at a time (with its head: `heads`, the file's), other lines whole. */
const codec = (heads: JournalHeads): RecordCodec => ({
  line: (text) => lineRecords(text, heads),
  layout: batchLayout,
  head: (text) => {
    const x: unknown = JSON.parse(text + ']}');
    return isBatch(x) || isRowsLine(x) ? heads.resolve(x) : undefined;
  },
  row: (head, text, key, inputs) => {
    if (!head) return undefined;
    const b = head as BatchLine;
    const row = JSON.parse(text) as BatchLine['rows'][number];
    const known = key !== undefined && inputs !== undefined && sameInputs(b, row[1], inputs as KeyInputs);
    return expandRow(b, row, known ? () => key : journalKeyFast);
  },
});

/** Reads a journal (streamed, line by line); a missing file is an empty journal. */
export function loadJournal(file: string): LoadedJournal {
  const records: JournalRecord[] = [];
  const s = scanJournal(file, lineParser(new JournalHeads()), (recs) => {
    for (const r of recs) records.push(r);
  });
  return { header: s.header, records, torn: s.torn, tornText: s.tornText, badLines: s.badLines, validBytes: s.validBytes };
}

/**
 * Indexes a journal without holding its records (dse/journal-index.ts): a 10⁷-record journal is
 * streamed once and looked up by key afterwards, each record read back from the file on demand.
 * A missing file is an empty journal.
 */
export function indexJournal(file: string): { index: JournalIndex; scan: ScanSummary; heads: JournalHeads } {
  let size = 0;
  try {
    size = fs.statSync(file).size;
  } catch {
    /* missing: empty */
  }
  // the table is sized for ~250 bytes a record (an analytical row is ~200): it grows if need be
  const heads = new JournalHeads();
  const index = new JournalIndex(file, codec(heads), size / 250);
  // a head line holds no record: nothing to index
  const scan = scanJournal(file, keysParser(heads), (line, offset, length, bytes) => line.keys.length > 0 && index.addLine(line, offset, length, bytes));
  return { index, scan, heads };
}

/** What a journal belongs to, from its first line only (cheap on a large journal): header, or a legacy record's model version. */
export function peekJournal(file: string): { exists: boolean; header?: JournalHeader; modelVersion?: string } {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { exists: false };
    throw fsInputError(e, `cannot read ${file}`);
  }
  try {
    const buf = Buffer.alloc(1 << 16);
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    const nl = buf.subarray(0, n).indexOf(0x0a);
    if (nl < 0) return { exists: n > 0 };
    let first: unknown;
    try {
      first = JSON.parse(buf.subarray(0, nl).toString('utf8'));
    } catch {
      return { exists: true };
    }
    if (isHeader(first)) return { exists: true, header: first, modelVersion: first.modelVersion };
    if (isRecord(first)) return { exists: true, modelVersion: first.modelVersion };
    return { exists: true };
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The journal holds an evaluation (a record or batch line after its header): what a rerun or
 * --resume continues from. False for a missing file or a header alone (cheap: the first 64 KB).
 */
export function journalHoldsRecords(file: string): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return false;
  }
  try {
    const buf = Buffer.alloc(1 << 16);
    const text = buf.subarray(0, fs.readSync(fd, buf, 0, buf.length, 0)).toString('utf8');
    const nl = text.indexOf('\n');
    if (nl < 0) return false; // empty, or a torn first line: nothing whole
    let first: unknown;
    try {
      first = JSON.parse(text.slice(0, nl));
    } catch {
      return true; // not ours to judge: kept
    }
    return !isHeader(first) || text.slice(nl + 1).trim().length > 0;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Why `dir`'s journal cannot be continued by a run with this identity (another space, another
 * model version), or undefined when it can (same identity, no journal, or a journal of an older
 * version without a header whose records match the model version).
 */
export function journalMismatch(dir: string, want: Pick<JournalHeader, 'space' | 'name' | 'modelVersion' | 'spaceFile'>): string | undefined {
  const file = path.join(dir, JOURNAL_FILE);
  const p = peekJournal(file);
  if (!p.exists) return undefined;
  // another space (by name: one with the same workload and base design writes other outputs), or another version of this one
  if (p.header && (p.header.space !== want.space || p.header.name !== want.name)) {
    const same = p.header.name === want.name;
    return `${file} holds the evaluations of ${same ? 'another version of ' : ''}space "${p.header.name}"${p.header.spaceFile ? ` (${p.header.spaceFile})` : ''}${same ? ' (its workload, trace file contents, base design, model, accuracy block or accuracy checkpoint files differ)' : ''}, not of "${want.name}"${same && want.spaceFile && want.spaceFile !== p.header.spaceFile ? ` as ${want.spaceFile} defines it` : ''}`;
  }
  if (p.modelVersion && p.modelVersion !== want.modelVersion) {
    return `${file} was written by another model version (${p.modelVersion}; the models are now ${want.modelVersion}): none of its evaluations would be reused`;
  }
  return undefined;
}

export { acquireLock, LockError, LOCK_FILE, pidAlive, type Lock } from './lock.ts';

// --- journal ---------------------------------------------------------------------------------

export interface OpenOptions {
  /** Keep existing records (default true). False = a fresh start (`--fresh`): the only way a journal is truncated. */
  keep?: boolean;
  /** Take the folder lock (default true). */
  lock?: boolean;
  /**
   * Keep appended records in memory for `get`/`records` (default true). A run never looks up what
   * it appended itself, so the runner turns this off: memory stays flat however long the run.
   */
  rememberAppended?: boolean;
  /** Header written as the first line of a new (or freshly started) journal. */
  header?: Omit<JournalHeader, 'journal' | 'v' | 'createdAt'>;
}

export class Journal {
  readonly dir: string;
  readonly file: string;
  /** What loading found: torn tail dropped, bad lines skipped. */
  readonly recovered: { torn: boolean; tornText?: string; badLines: number; records: number };
  private fd: number;
  private lock?: Lock;
  /** The records the file held when opened: indexed, read back on demand (dse/journal-index.ts). */
  private readonly loaded?: JournalIndex;
  /** Records appended since (when remembered). */
  private readonly byKey = new Map<string, JournalRecord>();
  private readonly rememberAppended: boolean;
  /** The file's head lines: those it held when opened, and those appended since. */
  private readonly heads: JournalHeads;

  private constructor(dir: string, fd: number, loaded: JournalIndex | undefined, heads: JournalHeads, recovered: Journal['recovered'], lock: Lock | undefined, rememberAppended: boolean) {
    this.dir = dir;
    this.heads = heads;
    this.rememberAppended = rememberAppended;
    this.file = path.join(dir, JOURNAL_FILE);
    this.fd = fd;
    this.lock = lock;
    this.loaded = loaded;
    this.recovered = recovered;
  }

  static open(dir: string, opts: OpenOptions = {}): Journal {
    ensureDir(dir);
    const lock = opts.lock === false ? undefined : acquireLock(dir);
    try {
      const file = path.join(dir, JOURNAL_FILE);
      const keep = opts.keep !== false;
      // the file's records are indexed, not held: a 10⁷-record journal resumes in bounded memory
      let index: JournalIndex | undefined;
      let scan: ScanSummary = { torn: false, badLines: 0, validBytes: 0, records: 0 };
      let heads = new JournalHeads();
      if (keep && fs.existsSync(file)) ({ index, scan, heads } = indexJournal(file));
      const fd = fs.openSync(file, keep ? (fs.existsSync(file) ? 'r+' : 'w+') : 'w+');
      // drop a torn tail so the next append starts on a fresh line
      if (keep && fs.fstatSync(fd).size !== scan.validBytes) {
        fs.ftruncateSync(fd, scan.validBytes);
        fs.fsyncSync(fd);
      }
      if (opts.header && fs.fstatSync(fd).size === 0) {
        const h: JournalHeader = { journal: 'spatten-dse', v: 1, ...opts.header, createdAt: new Date().toISOString() };
        fs.writeSync(fd, JSON.stringify(h) + '\n', 0);
        fs.fsyncSync(fd);
      }
      const recovered = { torn: scan.torn, tornText: scan.tornText, badLines: scan.badLines, records: scan.records };
      return new Journal(dir, fd, index, heads, recovered, lock, opts.rememberAppended !== false);
    } catch (e) {
      lock?.release();
      throw fsInputError(e, `cannot open the journal in ${dir}`);
    }
  }

  /** The dead process whose stale lock this journal took over, if any. */
  get staleLockFrom(): { pid: number; startedAt: string } | undefined {
    const t = this.lock?.tookOverFrom;
    return t ? { pid: t.pid, startedAt: t.startedAt } : undefined;
  }

  /** Distinct keys held: loaded from the file, and appended (when remembered). */
  get size(): number {
    return (this.loaded?.size ?? 0) + this.byKey.size;
  }

  /** Latest record with this key (`inputs`: what the key was computed from, when known: spares re-hashing on read-back). */
  get(key: string, inputs?: KeyInputs): JournalRecord | undefined {
    return this.byKey.get(key) ?? this.loaded?.get(key, inputs);
  }

  /** Appends one record durably (write + fsync) before returning. */
  append(rec: JournalRecord): void {
    this.appendMany([rec]);
  }

  /**
   * Appends records (batch lines, after the head lines the file does not hold yet; records without
   * key material one line each) with a single write and a single fsync: a crash leaves a prefix of
   * whole lines plus at most one torn line, which loading drops, and a head line comes before the
   * first line naming it.
   */
  appendMany(recs: JournalRecord[]): void {
    if (this.fd < 0) throw new Error('journal is closed');
    if (recs.length === 0) return;
    const t = new Date().toISOString();
    const { lines, added } = journalLines(recs, t, this.heads);
    const buf = Buffer.from(lines.join('\n') + '\n', 'utf8');
    const pos = fs.fstatSync(this.fd).size;
    let off = 0;
    try {
      while (off < buf.length) off += fs.writeSync(this.fd, buf, off, buf.length - off, pos + off);
      fs.fsyncSync(this.fd);
    } catch (e) {
      // e.g. ENOSPC: cut the partial write so the journal stays a sequence of whole lines
      let cut = true;
      try {
        fs.ftruncateSync(this.fd, pos);
      } catch {
        cut = false; // the torn tail is dropped on the next load
      }
      const partial = cut ? 'the partial write was cut off' : 'its torn last line is dropped when it is read again';
      throw runFileError(e, `the journal ${this.file}`, (once) => `${partial}; ${journalSafeNote('the journal', once)}`);
    }
    // written: later appends name these heads (not before: a cut write left none of them)
    for (const h of added) this.heads.define(h);
    if (!this.rememberAppended) return;
    for (const r of recs) {
      const { material, keyFidelity, ...rec } = r;
      const key = rec.key || journalKeyFast(rec.params, rec.modelVersion, keyFidelity ?? rec.fidelity, material ?? 'null');
      this.byKey.set(key, { ...rec, key, metrics: { ...rec.metrics }, t: rec.t ?? t });
    }
  }

  close(): void {
    if (this.fd >= 0) {
      try {
        fs.fsyncSync(this.fd);
      } catch {
        /* ignore */
      }
      fs.closeSync(this.fd);
      this.fd = -1;
    }
    this.loaded?.close();
    this.lock?.release();
    this.lock = undefined;
  }
}
