/**
 * Memo of DRAM stream profiles (dram-profile.ts `profileStream`): each distinct stream shape (context L,
 * tokens fetched, bytes per token) is simulated once per (channel count, timing) and reused.
 * Pure functions of their keys; the tables are bounded (cleared when they grow past a limit).
 */
import type { HbmTiming } from './hbm-timing.ts';
import { profileStream, type StreamProfile } from './dram-profile.ts';

type ProfileMap = Map<number, StreamProfile>;
const profileMemo = new Map<string, ProfileMap>();
let profileCount = 0;
/** Full identity (channel count and every timing field) of the combination that created each table. */
const tableIds = new Map<ProfileMap, string>();
/** Where a new table looks up the profiles of an earlier run (`seedProfiles`). */
let seeds: ProfileSeeds | undefined;
/** Profiles computed (not seeded) since the last `takeProfiles`. */
let computed = 0;

const fullId = (ch: number, t: HbmTiming) => `${ch}|${JSON.stringify(t)}`;

/** The memo table of one (channel count, timing) combination. */
export function profileTable(ch: number, t: HbmTiming): ProfileMap {
  const k = `${ch}|${t.tBurst}|${t.tCCDL}|${t.tCL}|${t.tRCD}|${t.tRP}|${t.tRAS}|${t.tRC}|${t.tRRDS}|${t.tRRDL}|${t.tFAW}|${t.queueDepth}|${t.mapping}`;
  let m = profileMemo.get(k);
  if (!m) {
    m = new Map();
    profileMemo.set(k, m);
    const id = fullId(ch, t);
    tableIds.set(m, id);
    const seeded = seeds?.(id);
    if (seeded) {
      for (const [key, p] of seeded) m.set(key, p);
      profileCount += seeded.length;
    }
  }
  return m;
}

/** One table of profiles: its full (channel count, timing) identity and its entries by memo key. */
export interface ProfileSet {
  id: string;
  entries: [number, StreamProfile][];
}

/** The profiles an earlier run computed for one full identity (its table's entries), or undefined. */
export type ProfileSeeds = (id: string) => readonly (readonly [number, StreamProfile])[] | undefined;

/**
 * Profiles computed by an earlier run (e.g. kept by the CLI between processes, dse/profile-cache.ts):
 * each new table asks `lookup` once, by its full identity, for its entries (so only the tables a run
 * uses are looked up; undefined: none). The caller vouches that they were computed by this same
 * `profileStream` (same sources): a profile is a pure function of its key.
 */
export function seedProfiles(lookup: ProfileSeeds | undefined): void {
  seeds = lookup;
}

/** Every memo table with its entries (`sets`) and how many profiles were computed since the last call. */
export function takeProfiles(): { sets: ProfileSet[]; computed: number } {
  const sets: ProfileSet[] = [];
  for (const m of profileMemo.values()) if (m.size > 0) sets.push({ id: tableIds.get(m)!, entries: [...m] });
  const n = computed;
  computed = 0;
  return { sets, computed: n };
}

/** Profile of a gather of n of L vectors of B bytes on `ch` channels (memoised in `table`). */
export function memoProfile(table: ProfileMap, L: number, n: number, B: number, ch: number, t: HbmTiming): StreamProfile {
  // L, n < 2^21 and B < 2^11 (schema: seqLen ≤ 16384 + genTokens ≤ 4096, D·32 bits / 8).
  const key = (B * 2097152 + L) * 2097152 + n;
  let p = table.get(key);
  if (!p) {
    if (++profileCount > 40000) {
      for (const m of profileMemo.values()) m.clear();
      profileCount = 0;
    }
    p = profileStream(L, n, B, ch, t);
    computed++;
    table.set(key, p);
  }
  return p;
}

/** A stream made of profiles, each scaled (fused pairs: 1/g; spills: extra passes). */
export type Part = readonly [StreamProfile, number];

/** A stream's per-channel occupancy (Σ part.occ × scale) and its totals (requests.ts occTotals). */
export interface Combined {
  occ: Float64Array;
  work: number;
  maxOcc: number;
}

/** Trie of part lists: profile → scale → node (Map keys compare numbers by value, objects by identity). */
interface PartNode {
  next?: Map<StreamProfile, Map<number, PartNode>>;
  value?: Combined;
}
let partRoot: PartNode = {};
let partCount = 0;

/** Per-channel occupancy of a stream made of scaled parts, with its totals (memoised per part list; bounded). */
export function combineParts(parts: readonly Part[]): Combined {
  let node = partRoot;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i][0];
    const sc = parts[i][1];
    const next = (node.next ??= new Map());
    let bySc = next.get(p);
    if (bySc === undefined) next.set(p, (bySc = new Map()));
    let nx = bySc.get(sc);
    if (nx === undefined) bySc.set(sc, (nx = {}));
    node = nx;
  }
  if (node.value === undefined) {
    if (++partCount > 20000) {
      partRoot = {}; // bounded: start again (the node below stays valid for this call)
      partCount = 0;
    }
    const o = new Float64Array(parts[0][0].occ.length);
    for (const [p, sc] of parts) for (let c = 0; c < o.length; c++) o[c] += p.occ[c] * sc;
    node.value = { occ: o, ...occTotals(o) };
  }
  return node.value;
}

/** Total and largest per-channel occupancy of a stream (Σ over the channels that carry data, in channel order). */
export function occTotals(occ: Float64Array): { work: number; maxOcc: number } {
  let work = 0;
  let maxOcc = 0;
  for (let c = 0; c < occ.length; c++) {
    const o = occ[c];
    if (o <= 0) continue;
    work += o;
    if (o > maxOcc) maxOcc = o;
  }
  return { work, maxOcc };
}
