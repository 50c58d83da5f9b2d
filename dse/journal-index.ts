/**
 * The records of a loaded journal, in bounded memory: a 10⁷-record journal (~2 GB) is neither
 * read whole nor kept as objects. `scanJournal` streams the file line by line; `JournalIndex`
 * keeps, per record, 64 bits of its key (a sha256: uniformly spread) and where its line is — 16
 * bytes a slot in an open-addressing table — and reads a record back from the file when it is
 * asked for, checking its full key (a 64-bit prefix shared by two keys reads as "not found", and
 * the point is evaluated again). A resumed run asks in the order it journaled, so the last lines
 * read are cached.
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

/** A complete line: the parsed records it holds (one, or a batch line's rows), where it starts and its length. */
export type LineVisitor = (records: JournalRecord[], offset: number, length: number) => void;

/**
 * Streams a journal: every complete, parsable line's records go to `visit`. The first line may be
 * the header; an unparsable or unterminated last line is torn (not in `validBytes`); unparsable
 * lines in the middle are counted and skipped. `parse` turns a line into records (undefined: not
 * a record line).
 */
export function scanJournal(file: string, parse: (text: string) => { header?: JournalHeader; records?: JournalRecord[] }, visit: LineVisitor): ScanSummary {
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
        if (p?.records) {
          visit(p.records, offset, nl - start);
          out.records += p.records.length;
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

function safeParse(parse: (text: string) => { header?: JournalHeader; records?: JournalRecord[] }, text: string) {
  try {
    return parse(text);
  } catch {
    return undefined;
  }
}

const EMPTY = 0;

/**
 * Key → record of a journal file: per record 12 bytes in a table at most 3/4 full (the key's
 * first 64 bits and the record's ordinal), per line its offset, length and first ordinal.
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
  private lines = 0;
  private fd = -1;
  /** The last lines read back (a resumed run asks in journal order). */
  private readonly cache = new Map<number, JournalRecord[]>();

  /** `expected`: about how many records (sizes the table once). */
  constructor(
    private readonly file: string,
    private readonly parse: (text: string) => JournalRecord[] | undefined,
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

  /** Indexes the records of one line of the file. */
  addLine(records: JournalRecord[], offset: number, length: number): void {
    if (this.lines === this.lineOffset.length) {
      const n = this.lines * 2;
      const grow = <T extends Float64Array | Uint32Array>(a: T, b: T): T => (b.set(a), b);
      this.lineOffset = grow(this.lineOffset, new Float64Array(n));
      this.lineLength = grow(this.lineLength, new Uint32Array(n));
      this.lineFirst = grow(this.lineFirst, new Uint32Array(n));
    }
    this.lineOffset[this.lines] = offset;
    this.lineLength[this.lines] = length;
    this.lineFirst[this.lines] = this.records;
    this.lines++;
    for (const r of records) this.put(r.key, ++this.records);
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

  /** The latest record with this key, read back from the file. */
  get(key: string): JournalRecord | undefined {
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
    const rec = this.readLine(a)?.[k - this.lineFirst[a]];
    return rec?.key === key ? rec : undefined;
  }

  private readLine(i: number): JournalRecord[] | undefined {
    const hit = this.cache.get(i);
    if (hit) return hit;
    if (this.fd < 0) this.fd = fs.openSync(this.file, 'r');
    const buf = Buffer.allocUnsafe(this.lineLength[i]);
    let off = 0;
    while (off < buf.length) {
      const n = fs.readSync(this.fd, buf, off, buf.length - off, this.lineOffset[i] + off);
      if (n === 0) return undefined;
      off += n;
    }
    const recs = this.parse(buf.toString('utf8'));
    if (!recs) return undefined;
    if (this.cache.size >= 4) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(i, recs);
    return recs;
  }

  close(): void {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
    this.cache.clear();
  }
}
