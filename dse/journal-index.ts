/**
 * The records of a loaded journal, in bounded memory: a 10⁷-record journal (~2 GB) is neither
 * read whole nor kept as objects. `scanJournal` streams the file line by line; `JournalIndex`
 * keeps, per record, 64 bits of its key (a sha256: uniformly spread) and where its line is — 16
 * bytes a slot in an open-addressing table — and reads a record back from the file when it is
 * asked for, checking its full key (a 64-bit prefix shared by two keys reads as "not found", and
 * the point is evaluated again). A resumed run asks in the order it journaled, so the last lines
 * read are cached. `readingNote` says so before a large journal is scanned.
 */
import fs from 'node:fs';
import type { JournalHeader, JournalRecord } from './journal.ts';

/** What a scan found besides the records (dse/journal.ts LoadedJournal without them). */
export interface ScanSummary {
  header?: JournalHeader;
  torn: boolean;
  tornText?: string;
  badLines: number;
  validBytes: number;
  records: number;
}

/**
 * A line read back: its records, expanded one at a time when asked for (a batch line holds
 * thousands of rows, and expanding one computes its key, a sha256).
 */
export interface LineRecords {
  length: number;
  at(i: number): JournalRecord | undefined;
}

/** A line parsed by a scan: the header, or what the scan's caller keeps of a record line (`line`) and how many records it holds. */
export interface ParsedLine<T> {
  header?: JournalHeader;
  line?: T;
  records?: number;
}

/** A complete record line: what its parse kept, where it starts, its length and its bytes. */
export type LineVisitor<T> = (line: T, offset: number, length: number, bytes: Buffer) => void;

/** The keys of a record line's records, in order (an index needs no more of them). */
export interface LineKeys {
  keys: string[];
}

/** Where the rows of a batch line are, in bytes from the line's start: the head (before the first row) ends at `head`. */
export interface RowLayout {
  head: number;
  starts: number[];
  /** The end of the last row. */
  end: number;
}

/** How the index reads records back (dse/journal.ts knows the line formats). */
export interface RecordCodec {
  /** A whole line's records. */
  line(text: string): LineRecords | undefined;
  /** A batch line's row layout, found while scanning (undefined: the line is read back whole). */
  layout(bytes: Buffer): RowLayout | undefined;
  /** The head of a batch line (the bytes before its first row), parsed once per line read back. */
  head(text: string): unknown;
  /**
   * One row of a batch line read back alone. `key` and `inputs`: the key asked for and what it
   * was computed from (dse/journal.ts KeyInputs), which spare hashing the row's key when equal.
   */
  row(head: unknown, text: string, key?: string, inputs?: unknown): JournalRecord | undefined;
}

/**
 * Streams a journal: every complete, parsable record line goes to `visit`. The first line may be
 * the header; an unparsable or unterminated last line is torn (not in `validBytes`); unparsable
 * lines in the middle are counted and skipped. `parse` turns a line into what the caller keeps of
 * it (`line`, undefined: not a record line); a parse that throws makes the line unparsable.
 */
export function scanJournal<T>(file: string, parse: (text: string) => ParsedLine<T>, visit: LineVisitor<T>): ScanSummary {
  const out: ScanSummary = { torn: false, badLines: 0, validBytes: 0, records: 0 };
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return out;
    throw e;
  }
  try {
    const size = fs.fstatSync(fd).size;
    const buf = Buffer.alloc(8 << 20);
    let carry = Buffer.alloc(0);
    let pos = 0; // file offset of data[0]
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      const data = carry.length ? Buffer.concat([carry, buf.subarray(0, n)]) : buf.subarray(0, n);
      let start = 0;
      for (let nl = data.indexOf(0x0a); nl >= 0; nl = data.indexOf(0x0a, start)) {
        const text = data.toString('utf8', start, nl);
        const offset = pos + start;
        const last = offset + (nl - start) + 1 >= size;
        const p = safeParse(parse, text);
        if (p?.line !== undefined) {
          visit(p.line, offset, nl - start, data.subarray(start, nl));
          out.records += p.records ?? 0;
          out.validBytes = offset + (nl - start) + 1;
        } else if (offset === 0 && p?.header) {
          out.header = p.header;
          out.validBytes = nl + 1;
        } else if (last) {
          out.torn = text.trim().length > 0;
          out.tornText = out.torn ? text : undefined;
          if (!out.torn) out.validBytes = offset + (nl - start) + 1;
        } else {
          if (text.trim().length > 0) out.badLines++;
          out.validBytes = offset + (nl - start) + 1;
        }
        start = nl + 1;
      }
      pos += start;
      carry = Buffer.from(data.subarray(start));
      if (n === 0) break;
    }
    // no trailing newline: the write was cut short (even if it parses, an fsync'd line ends with '\n')
    const rest = carry.toString('utf8');
    if (rest.trim().length > 0) {
      out.torn = true;
      out.tornText = rest;
    }
    return out;
  } finally {
    fs.closeSync(fd);
  }
}

function safeParse<T>(parse: (text: string) => ParsedLine<T>, text: string): ParsedLine<T> | undefined {
  try {
    return parse(text);
  } catch {
    return undefined;
  }
}

const EMPTY = 0;
/**
 * Read-back blocks of a journal index: their size, and how many are kept (8 MB). Small blocks: a
 * journal larger than the cache looked up in another order than it was written (a --reuse folder
 * sampled by random/lhs, a grid whose lists changed) misses on most look-ups, and each miss reads
 * a whole block for one row of ~250 bytes (256 KB blocks: 100,000 random look-ups in a 10⁶-point
 * journal read ~50 GB and took 72 s, evaluating the points took 3.4 s).
 */
const BLOCK = 16 << 10;
const MAX_BLOCKS = 512;

/**
 * Key → record of a journal file: per record 12 bytes in a table at most 3/4 full (the key's
 * first 64 bits and the record's ordinal) and 4 bytes for where its row starts in its line; per
 * line its offset, length, first ordinal and where its rows begin and end. A record of a batch
 * line is read back alone (its row and the line's head, cached), so look-ups in any order cost
 * the same: a few hundred bytes read and parsed, one key hashed.
 */
export class JournalIndex {
  private cap = 0;
  private hi = new Uint32Array(0);
  private lo = new Uint32Array(0);
  /** Record ordinal + 1 (0: empty slot). */
  private ord = new Uint32Array(0);
  private used = 0;
  private records = 0;
  private lineOffset = new Float64Array(1024);
  private lineLength = new Uint32Array(1024);
  private lineFirst = new Uint32Array(1024);
  /** A batch line's head length (0: the line is read back whole) and the end of its last row. */
  private lineHead = new Uint32Array(1024);
  private lineRowsEnd = new Uint32Array(1024);
  /** Per record: where its row starts in its line (batch lines). */
  private rowStart = new Uint32Array(1024);
  private lines = 0;
  private fd = -1;
  /** The last whole lines and batch-line heads read back. */
  private readonly cache = new Map<number, LineRecords>();
  private readonly heads = new Map<number, unknown>();
  /**
   * Blocks of the file read back (BLOCK bytes at multiples of BLOCK), least recently used first:
   * at most MAX_BLOCKS, so a journal of up to 8 MB is read once whatever the look-up order, and a
   * larger one costs at most that much memory and BLOCK bytes a miss. (A single 256 KB window, reloaded on every miss,
   * read 1.4 GB to look up the 13,824 records of a 3.4 MB journal: a rerun asks for them in grid
   * order, the journal holds them in the order the workers finished.)
   */
  private readonly blocks = new Map<number, Buffer>();
  /** Bytes read back from the file so far (diagnostics). */
  bytesRead = 0;

  /** `expected`: about how many records (sizes the table once). */
  constructor(
    private readonly file: string,
    private readonly codec: RecordCodec,
    expected = 0,
  ) {
    let cap = 1 << 12;
    while (cap * 3 < expected * 4) cap *= 2;
    this.grow(cap);
  }

  /** Keys indexed (a key journaled twice counts once: the later record wins). */
  get size(): number {
    return this.used;
  }

  /** Indexes the records of one line of the file, by their keys (`bytes`: its text, to locate a batch line's rows). */
  addLine({ keys }: LineKeys, offset: number, length: number, bytes?: Buffer): void {
    const grow = <T extends Float64Array | Uint32Array>(a: T, b: T): T => (b.set(a), b);
    if (this.lines === this.lineOffset.length) {
      const n = this.lines * 2;
      this.lineOffset = grow(this.lineOffset, new Float64Array(n));
      this.lineLength = grow(this.lineLength, new Uint32Array(n));
      this.lineFirst = grow(this.lineFirst, new Uint32Array(n));
      this.lineHead = grow(this.lineHead, new Uint32Array(n));
      this.lineRowsEnd = grow(this.lineRowsEnd, new Uint32Array(n));
    }
    const layout = bytes && keys.length > 0 ? this.codec.layout(bytes) : undefined;
    const rows = layout && layout.starts.length === keys.length ? layout : undefined;
    if (rows) {
      let n = this.rowStart.length;
      while (n < this.records + keys.length) n *= 2;
      if (n !== this.rowStart.length) this.rowStart = grow(this.rowStart, new Uint32Array(n));
      this.rowStart.set(rows.starts, this.records);
    }
    this.lineOffset[this.lines] = offset;
    this.lineLength[this.lines] = length;
    this.lineFirst[this.lines] = this.records;
    this.lineHead[this.lines] = rows ? rows.head : 0;
    this.lineRowsEnd[this.lines] = rows ? rows.end : 0;
    this.lines++;
    for (const key of keys) this.put(key, ++this.records);
  }

  private put(key: string, ord: number): void {
    if ((this.used + 1) * 4 > this.cap * 3) this.grow(this.cap * 2);
    const hi = parseInt(key.slice(0, 8), 16) >>> 0;
    const lo = parseInt(key.slice(8, 16), 16) >>> 0;
    const s = this.slot(hi, lo);
    if (this.ord[s] === EMPTY) this.used++;
    this.hi[s] = hi;
    this.lo[s] = lo;
    this.ord[s] = ord;
  }

  /** The slot holding (hi, lo), or the empty slot where it would go. */
  private slot(hi: number, lo: number): number {
    const mask = this.cap - 1;
    let s = lo & mask;
    while (this.ord[s] !== EMPTY && (this.hi[s] !== hi || this.lo[s] !== lo)) s = (s + 1) & mask;
    return s;
  }

  private grow(cap: number): void {
    const { hi, lo, ord } = this;
    this.cap = cap;
    this.hi = new Uint32Array(cap);
    this.lo = new Uint32Array(cap);
    this.ord = new Uint32Array(cap);
    for (let i = 0; i < ord.length; i++) {
      if (ord[i] === EMPTY) continue;
      const s = this.slot(hi[i], lo[i]);
      this.hi[s] = hi[i];
      this.lo[s] = lo[i];
      this.ord[s] = ord[i];
    }
  }

  /**
   * The latest record with this key, read back from the file (its full key checked). `inputs`:
   * what the key was computed from, if the caller has them (see RecordCodec.row).
   */
  get(key: string, inputs?: unknown): JournalRecord | undefined {
    if (this.used === 0 || key.length < 16) return undefined;
    const s = this.slot(parseInt(key.slice(0, 8), 16) >>> 0, parseInt(key.slice(8, 16), 16) >>> 0);
    if (this.ord[s] === EMPTY) return undefined;
    const k = this.ord[s] - 1;
    // the line holding ordinal k: the last line whose first ordinal is ≤ k
    let a = 0;
    let b = this.lines - 1;
    while (a < b) {
      const m = (a + b + 1) >> 1;
      if (this.lineFirst[m] <= k) a = m;
      else b = m - 1;
    }
    const rec = this.lineHead[a] > 0 ? this.readRow(a, k, key, inputs) : this.readLine(a)?.at(k - this.lineFirst[a]);
    return rec?.key === key ? rec : undefined;
  }

  /** Record k of batch line a, read alone: its row, and the line's head (cached). */
  private readRow(a: number, k: number, key: string, inputs: unknown): JournalRecord | undefined {
    let head = this.heads.get(a);
    if (head === undefined) {
      const text = this.read(this.lineOffset[a], this.lineHead[a]);
      if (text === undefined) return undefined;
      head = this.codec.head(text);
      if (this.heads.size >= 64) this.heads.delete(this.heads.keys().next().value!);
      this.heads.set(a, head);
    }
    const last = a + 1 < this.lines ? this.lineFirst[a + 1] - 1 : this.records - 1;
    const end = k < last ? this.rowStart[k + 1] - 1 : this.lineRowsEnd[a];
    const text = this.read(this.lineOffset[a] + this.rowStart[k], end - this.rowStart[k]);
    return text === undefined ? undefined : this.codec.row(head, text, key, inputs);
  }

  private readLine(i: number): LineRecords | undefined {
    const hit = this.cache.get(i);
    if (hit) return hit;
    const text = this.read(this.lineOffset[i], this.lineLength[i]);
    const recs = text === undefined ? undefined : this.codec.line(text);
    if (!recs) return undefined;
    if (this.cache.size >= 4) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(i, recs);
    return recs;
  }

  /** `length` bytes at `pos` as text, through the block cache (undefined: the file is shorter). */
  private read(pos: number, length: number): string | undefined {
    const b = Math.floor(pos / BLOCK);
    if (pos + length > (b + 1) * BLOCK) {
      // across a block boundary (a long line or head): read as it is, not cached
      const buf = this.readAt(pos, Buffer.allocUnsafe(length));
      return buf.length < length ? undefined : buf.toString('utf8');
    }
    let block = this.blocks.get(b);
    if (block !== undefined) this.blocks.delete(b); // re-inserted below: most recently used
    if (block === undefined || pos + length > b * BLOCK + block.length) block = this.readAt(b * BLOCK, this.freeBlock()); // (a short block: the file may have grown)
    this.blocks.set(b, block);
    const at = pos - b * BLOCK;
    return at + length > block.length ? undefined : block.toString('utf8', at, at + length);
  }

  /** A buffer for a block: the least recently used block's when the cache is full (no allocation per miss). */
  private freeBlock(): Buffer {
    if (this.blocks.size < MAX_BLOCKS) return Buffer.allocUnsafe(BLOCK);
    const lru = this.blocks.keys().next().value!;
    const buf = this.blocks.get(lru)!;
    this.blocks.delete(lru);
    return buf.buffer.byteLength >= BLOCK && buf.byteOffset === 0 ? Buffer.from(buf.buffer, 0, BLOCK) : Buffer.allocUnsafe(BLOCK);
  }

  /** Fills `buf` from the file at `pos`; the part read (shorter at the end of the file). */
  private readAt(pos: number, buf: Buffer): Buffer {
    if (this.fd < 0) this.fd = fs.openSync(this.file, 'r');
    let off = 0;
    while (off < buf.length) {
      const n = fs.readSync(this.fd, buf, off, buf.length - off, pos + off);
      if (n === 0) break;
      off += n;
    }
    this.bytesRead += off;
    return buf.subarray(0, off);
  }

  close(): void {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
    this.cache.clear();
    this.heads.clear();
    this.blocks.clear();
  }
}

/** Journals from this size on get a line before they are indexed (~20 s for a 10⁶-point journal of 210 MB on a loaded host, silent before). */
export const READING_NOTE_BYTES = 50e6;

/** 'reading FILE (N MB)…' before a large journal is scanned, so a resumed 10⁶–10⁷-point run is not silent while it is indexed. */
export function readingNote(file: string, log: (s: string) => void): void {
  let size = 0;
  try {
    size = fs.statSync(file).size;
  } catch {
    return;
  }
  if (size >= READING_NOTE_BYTES) log(`reading ${file} (${Math.round(size / 1e6).toLocaleString('en-US')} MB)…`);
}
