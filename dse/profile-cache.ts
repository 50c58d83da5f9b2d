/**
 * The cycle simulator's DRAM stream profiles (sim/cycle/profiles.ts), kept between CLI processes.
 *
 * A profile is a pure function of its memo key and of the DRAM model's code, and computing the
 * few hundred a trace needs is most of a cold `simulate --fidelity cycle` process (the JIT is cold:
 * ~100 ms of the first simulation, ~12 ms warm). So `simulate` seeds the memo tables from a file
 * and writes them back when it computed new ones. The file is named after a hash of the DRAM
 * model's sources (PROFILE_SOURCES in dse/profile-key.ts: every file the profile code runs), so an edit there starts a
 * new file; tables are matched by their full (channel count, timing) identity. The numbers are
 * stored as float64, bit for bit: a seeded run prints exactly what a cold one prints.
 *
 * The file starts with an index (each table's identity, entry count, byte length and CRC-32 of its
 * bytes), so a process reads the index and then only the tables its design point uses, on first
 * use: the load costs the same whatever the number of other points the file keeps. Saving copies
 * the other tables' bytes from the file as it is then (those that pass the checks below).
 *
 * Best effort: a missing, damaged or unwritable cache only costs the time, never changes an output
 * (a table whose bytes do not match its CRC-32 — a flipped bit inside a number — or that is short
 * or not exactly its count of well-formed records, or an index that is not well-formed, is
 * ignored: never used, its profiles computed afresh, and not copied into the file written next).
 * The CRC is node:zlib's (loaded on a table's first read, not at the load; a CRC-32 in TypeScript,
 * same values, where Node predates zlib.crc32). SPATTEN_PROFILE_CACHE=0 turns it off. Writes are atomic (a
 * private file renamed over the cache; concurrent writers: the last one wins). Bounded: at most
 * MAX_PROFILES profiles are written (this run's tables first, then the file's others in their
 * order, the most recently saved first, while they fit).
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { seedProfiles, takeProfiles, type ProfileSet } from '../sim/cycle/profiles.ts';
import type { StreamProfile } from '../sim/cycle/dram-profile.ts';
import { cacheDir } from './cache-dir.ts';
import { profileSourcesKey } from './profile-key.ts';

/** Set by dse/bundle.ts in the CLI bundle: profileSourcesKey() of the sources it was built from. */
declare const __SPATTEN_PROFILE_KEY__: string | undefined;

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

export const MAX_PROFILES = 10000;
/**
 * "SDP3": indexed tables, each with the CRC-32 of its bytes. ("SDP2", the same without the CRC, and
 * "SDP1", one JSON header and the records of every table, are ignored.)
 */
const MAGIC = 0x53445033;
/** Largest index read (bytes): ~300 bytes a table, so thousands of tables. */
const MAX_INDEX = 4 << 20;
/** Bytes read at once from the start of the file: the magic, the index length and (mostly) the index. */
const FIRST_READ = 16384;

const enabled = () => process.env.SPATTEN_PROFILE_CACHE !== '0';

/** The cache file for the current profile sources, in the cache folder (dse/cache-dir.ts) by default (undefined if they cannot be read). */
export function profileCacheFile(dir = cacheDir()): string | undefined {
  try {
    const key = typeof __SPATTEN_PROFILE_KEY__ === 'string' ? __SPATTEN_PROFILE_KEY__ : profileSourcesKey(ROOT);
    return path.join(dir, `profiles-${key}.bin`);
  } catch {
    return undefined;
  }
}

/** A table in the file: its records as raw float64 bytes, or decoded entries to encode. */
export type Table = { id: string; count: number; bytes: Uint8Array } | ProfileSet;

/** One index row: identity, entry count, byte length, CRC-32 of the bytes. */
type IndexRow = [id: string, count: number, length: number, crc: number];

/** CRC-32 (ISO-HDLC, zlib's) of bytes, in TypeScript: for a Node before zlib.crc32 (20.15), and to check it. */
export function crc32Ts(b: Uint8Array): number {
  const t = (crcTable ??= Int32Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
    return c;
  }));
  let c = -1;
  for (let i = 0; i < b.length; i++) c = t[(c ^ b[i]) & 255] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}
let crcTable: Int32Array | undefined;

let crcOf: ((b: Uint8Array) => number) | undefined;
/** CRC-32 of a table's bytes: node:zlib's, loaded on first use (a process that reads no table does not load it). */
export function tableCrc(b: Uint8Array): number {
  crcOf ??= (createRequire(import.meta.url)('node:zlib') as Partial<typeof import('node:zlib')>).crc32 ?? crc32Ts;
  return crcOf(b);
}

/** A table's entries → float64 records: key, the seven scalars, occ's length, occ. */
function encodeTable(entries: readonly (readonly [number, StreamProfile])[]): Uint8Array {
  let n = 0;
  for (const [, p] of entries) n += 9 + p.occ.length;
  const f = new Float64Array(n);
  let i = 0;
  for (const [key, p] of entries) {
    f[i++] = key;
    f[i++] = p.bursts;
    f[i++] = p.bytes;
    f[i++] = p.occupancy;
    f[i++] = p.meanOccupancy;
    f[i++] = p.firstLatency;
    f[i++] = p.hits;
    f[i++] = p.misses;
    f[i++] = p.occ.length;
    f.set(p.occ, i);
    i += p.occ.length;
  }
  return new Uint8Array(f.buffer);
}

/** Whether float64 records are exactly `count` well-formed records (each's occ length in range; none left over). */
function wellFormed(f: Float64Array, count: number): boolean {
  let i = 0;
  for (let e = 0; e < count; e++) {
    const len = f[i + 8];
    if (!(Number.isInteger(len) && len >= 0 && i + 9 + len <= f.length)) return false;
    i += 9 + len;
  }
  return i === f.length;
}

/** Float64 records → `count` entries (throws unless they are exactly that many well-formed records). */
function decodeTable(f: Float64Array, count: number): [number, StreamProfile][] {
  if (!wellFormed(f, count)) throw new Error('profile cache: damaged table');
  const entries: [number, StreamProfile][] = [];
  let i = 0;
  for (let e = 0; e < count; e++) {
    const len = f[i + 8];
    // same fields in the same order as dram-profile.ts profileStream builds them
    const p: StreamProfile = {
      bursts: f[i + 1],
      bytes: f[i + 2],
      occ: f.slice(i + 9, i + 9 + len),
      occupancy: f[i + 3],
      meanOccupancy: f[i + 4],
      firstLatency: f[i + 5],
      hits: f[i + 6],
      misses: f[i + 7],
    };
    entries.push([f[i], p]);
    i += 9 + len;
  }
  return entries;
}

/** Tables → file bytes: magic, index length, the index (JSON rows, each with its table's CRC-32), padding to 8, the tables' records in index order. */
export function encodeProfiles(tables: readonly Table[]): Buffer {
  const raw = tables.map((t) => ('bytes' in t ? t : { id: t.id, count: t.entries.length, bytes: encodeTable(t.entries) }));
  const index = Buffer.from(JSON.stringify(raw.map((t): IndexRow => [t.id, t.count, t.bytes.byteLength, tableCrc(t.bytes)])));
  const head = Buffer.alloc(8);
  head.writeUInt32LE(MAGIC, 0);
  head.writeUInt32LE(index.length, 4);
  return Buffer.concat([head, index, Buffer.alloc(pad(index.length)), ...raw.map((t) => t.bytes)]);
}

const pad = (indexLength: number) => (8 - ((8 + indexLength) % 8)) % 8;

/**
 * Checks an index (throws if it is not well-formed); each row's byte offset from the start of the
 * file. `size`: the file's, if known (a table past the end is found short when it is read).
 */
function checkIndex(rows: unknown, start: number, size?: number): Map<string, { row: IndexRow; offset: number }> {
  if (!Array.isArray(rows)) throw new Error('profile cache: bad index');
  const out = new Map<string, { row: IndexRow; offset: number }>();
  let offset = start;
  for (const row of rows as unknown[]) {
    if (!Array.isArray(row) || row.length !== 4) throw new Error('profile cache: bad index');
    const [id, count, length, crc] = row as unknown[];
    const ok =
      typeof id === 'string' &&
      Number.isSafeInteger(count) &&
      (count as number) >= 0 &&
      Number.isSafeInteger(length) &&
      (length as number) >= 0 &&
      (length as number) % 8 === 0 &&
      Number.isInteger(crc) &&
      (crc as number) >= 0 &&
      (crc as number) <= 0xffffffff &&
      !out.has(id);
    if (!ok) throw new Error('profile cache: bad index');
    out.set(id as string, { row: row as IndexRow, offset });
    offset += length as number;
  }
  if (size !== undefined && offset !== size) throw new Error('truncated profile cache');
  return out;
}

/** Bytes of a whole file → every table, decoded (throws on a damaged file). */
export function decodeProfiles(buf: Uint8Array): ProfileSet[] {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < 8 || b.readUInt32LE(0) !== MAGIC) throw new Error('not a profile cache');
  const il = b.readUInt32LE(4);
  const start = 8 + il + pad(il);
  if (start > b.length) throw new Error('truncated profile cache');
  const index = checkIndex(JSON.parse(b.subarray(8, 8 + il).toString('utf8')), start, b.length);
  return [...index.values()].map(({ row: [id, count, length, crc], offset }) => {
    const f = new Float64Array(length / 8);
    const bytes = new Uint8Array(f.buffer);
    bytes.set(b.subarray(offset, offset + length));
    if (tableCrc(bytes) !== crc) throw new Error('profile cache: damaged table (CRC)');
    return { id, entries: decodeTable(f, count) };
  });
}

/**
 * An open cache file: its index, read at open; a table's records are read when asked for. The
 * descriptor keeps the file that was opened, so the tables match the index even after another
 * process renames a new file over it.
 */
export class ProfileCacheReader {
  private constructor(
    private fd: number | undefined,
    readonly index: ReadonlyMap<string, { row: IndexRow; offset: number }>,
  ) {}

  /** Opens `file` and reads its index (undefined: no file, or not a well-formed one of this format). */
  static open(file: string): ProfileCacheReader | undefined {
    let fd: number | undefined;
    try {
      fd = fs.openSync(file, 'r');
      let head = Buffer.allocUnsafe(FIRST_READ);
      const got = fs.readSync(fd, head, 0, FIRST_READ, 0);
      if (got < 8 || head.readUInt32LE(0) !== MAGIC) throw new Error('not a profile cache');
      const il = head.readUInt32LE(4);
      if (il > MAX_INDEX) throw new Error('profile cache: bad index');
      if (8 + il > got) {
        head = Buffer.allocUnsafe(8 + il);
        if (fs.readSync(fd, head, 0, 8 + il, 0) !== 8 + il) throw new Error('truncated profile cache');
      }
      return new ProfileCacheReader(fd, checkIndex(JSON.parse(head.toString('utf8', 8, 8 + il)), 8 + il + pad(il)));
    } catch {
      if (fd !== undefined) fs.closeSync(fd);
      return undefined;
    }
  }

  /** A table's records as read (undefined: not in the file, closed, short, or not matching its CRC). */
  private read(id: string): { f: Float64Array; count: number } | undefined {
    const t = this.index.get(id);
    if (!t || this.fd === undefined) return undefined;
    const [, count, length, crc] = t.row;
    try {
      const f = new Float64Array(length / 8);
      const bytes = new Uint8Array(f.buffer);
      return fs.readSync(this.fd, bytes, 0, length, t.offset) === length && tableCrc(bytes) === crc ? { f, count } : undefined;
    } catch {
      return undefined;
    }
  }

  /** A table's records, exactly its count of well-formed ones (undefined: not in the file, closed, short or damaged: CRC or records). */
  records(id: string): Float64Array | undefined {
    const r = this.read(id);
    return r && wellFormed(r.f, r.count) ? r.f : undefined;
  }

  /** A table's entries (undefined: not in the file, closed, short or damaged: CRC or records). */
  entries(id: string): [number, StreamProfile][] | undefined {
    const r = this.read(id);
    try {
      return r && decodeTable(r.f, r.count);
    } catch {
      return undefined;
    }
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}

/** The reader that seeds this process's tables (closed by `saveProfileCache` or the next load). */
let seeding: ProfileCacheReader | undefined;

/**
 * Opens the cache file and reads its index; the memo tables then read their profiles from it on
 * first use (sim/cycle/profiles.ts seedProfiles). Returns the file for `saveProfileCache` (undefined: off).
 */
export function loadProfileCache(cacheDir?: string): string | undefined {
  if (!enabled()) return undefined;
  const file = profileCacheFile(cacheDir);
  if (!file) return undefined;
  seeding?.close();
  // none yet, or damaged: computed afresh and rewritten
  const reader = (seeding = ProfileCacheReader.open(file));
  seedProfiles(reader && ((id) => reader.entries(id)));
  return file;
}

/**
 * The tables to write: this run's, then the other tables of the file as it is now (the reader),
 * in its order, while the total stays within `max` profiles (none if this run's alone exceed it).
 */
export function tablesToSave(sets: readonly ProfileSet[], reader: ProfileCacheReader | undefined, max = MAX_PROFILES): Table[] | undefined {
  let n = sets.reduce((k, s) => k + s.entries.length, 0);
  if (n > max) return undefined;
  const out: Table[] = [...sets];
  const mine = new Set(sets.map((s) => s.id));
  for (const [id, { row }] of reader?.index ?? []) {
    if (mine.has(id) || n + row[1] > max) continue;
    const f = reader!.records(id);
    if (!f) continue; // short or damaged (CRC or records): dropped
    out.push({ id, count: row[1], bytes: new Uint8Array(f.buffer) });
    n += row[1];
  }
  return out;
}

/** Writes the memo tables to `file` if this process computed new profiles (atomic rename; errors ignored). */
export function saveProfileCache(file: string | undefined): void {
  seeding?.close();
  seeding = undefined;
  if (!file) return;
  const { sets, computed } = takeProfiles();
  if (computed === 0) return;
  const now = ProfileCacheReader.open(file); // the others as they are now (another process may have saved since the load)
  const tmp = `${file}.${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  try {
    const tables = tablesToSave(sets, now);
    if (!tables) return;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(tmp, encodeProfiles(tables));
    fs.renameSync(tmp, file);
  } catch {
    fs.rmSync(tmp, { force: true });
  } finally {
    now?.close();
  }
}
