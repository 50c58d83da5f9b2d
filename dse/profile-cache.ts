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
 * Best effort: a missing, damaged or unwritable cache only costs the time. SPATTEN_PROFILE_CACHE=0
 * turns it off. Bounded: at most MAX_PROFILES profiles are written (tables of other design points
 * are dropped first).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { seedProfiles, takeProfiles, type ProfileSet } from '../sim/cycle/profiles.ts';
import type { StreamProfile } from '../sim/cycle/dram-profile.ts';
import { profileSourcesKey } from './profile-key.ts';

/** Set by dse/bundle.ts in the CLI bundle: profileSourcesKey() of the sources it was built from. */
declare const __SPATTEN_PROFILE_KEY__: string | undefined;

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const CACHE = path.join(ROOT, 'node_modules', '.cache', 'spatten-dse');

const MAX_PROFILES = 10000;
const MAGIC = 0x53445031; // "SDP1"

const enabled = () => process.env.SPATTEN_PROFILE_CACHE !== '0';

/** The cache file for the current profile sources (undefined if they cannot be read). */
export function profileCacheFile(cacheDir = CACHE): string | undefined {
  try {
    const key = typeof __SPATTEN_PROFILE_KEY__ === 'string' ? __SPATTEN_PROFILE_KEY__ : profileSourcesKey(ROOT);
    return path.join(cacheDir, `profiles-${key}.bin`);
  } catch {
    return undefined;
  }
}

/** Profile sets → bytes: a JSON header (table ids, entry counts) and float64 records. */
export function encodeProfiles(sets: readonly ProfileSet[]): Buffer {
  const header = Buffer.from(JSON.stringify(sets.map((s) => [s.id, s.entries.length])));
  let n = 0;
  for (const s of sets) for (const [, p] of s.entries) n += 9 + p.occ.length;
  const f = new Float64Array(n);
  let i = 0;
  for (const s of sets) {
    for (const [key, p] of s.entries) {
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
  }
  const pad = (8 - ((8 + header.length) % 8)) % 8;
  const head = Buffer.alloc(8);
  head.writeUInt32LE(MAGIC, 0);
  head.writeUInt32LE(header.length, 4);
  return Buffer.concat([head, header, Buffer.alloc(pad), Buffer.from(f.buffer, f.byteOffset, f.byteLength)]);
}

/** Bytes → profile sets (throws on a damaged file). */
export function decodeProfiles(buf: Buffer): ProfileSet[] {
  if (buf.length < 8 || buf.readUInt32LE(0) !== MAGIC) throw new Error('not a profile cache');
  const hl = buf.readUInt32LE(4);
  const header = JSON.parse(buf.subarray(8, 8 + hl).toString('utf8')) as [string, number][];
  const start = 8 + hl + ((8 - ((8 + hl) % 8)) % 8);
  if ((buf.length - start) % 8 !== 0) throw new Error('truncated profile cache');
  const f = new Float64Array(buf.length - start >> 3);
  new Uint8Array(f.buffer).set(buf.subarray(start));
  let i = 0;
  const sets: ProfileSet[] = [];
  for (const [id, count] of header) {
    const entries: [number, StreamProfile][] = [];
    for (let e = 0; e < count; e++) {
      const key = f[i];
      const len = f[i + 8];
      if (!(i + 9 + len <= f.length)) throw new Error('truncated profile cache');
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
      entries.push([key, p]);
      i += 9 + len;
    }
    sets.push({ id, entries });
  }
  if (i !== f.length) throw new Error('profile cache: trailing data');
  return sets;
}

/** Seeds the memo tables from the cache file; returns the file for `saveProfileCache` (undefined: off). */
export function loadProfileCache(cacheDir?: string): string | undefined {
  if (!enabled()) return undefined;
  const file = profileCacheFile(cacheDir);
  if (!file) return undefined;
  try {
    seedProfiles(decodeProfiles(fs.readFileSync(file)));
  } catch {
    /* none yet, or damaged: computed afresh and rewritten */
  }
  return file;
}

/** Writes the memo tables to `file` if this process computed new profiles (atomic rename; errors ignored). */
export function saveProfileCache(file: string | undefined): void {
  if (!file) return;
  const { sets, unclaimed, computed } = takeProfiles();
  if (computed === 0) return;
  const count = (a: ProfileSet[]) => a.reduce((n, s) => n + s.entries.length, 0);
  // other points' tables are kept while the file stays within the bound, else this run's only
  let all = [...sets, ...unclaimed];
  if (count(all) > MAX_PROFILES) all = sets;
  if (count(all) > MAX_PROFILES) return;
  const tmp = `${file}.${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(tmp, encodeProfiles(all));
    fs.renameSync(tmp, file);
  } catch {
    fs.rmSync(tmp, { force: true });
  }
}
