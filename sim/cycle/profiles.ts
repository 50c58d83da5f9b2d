/**
 * Memo of DRAM stream profiles (dram-profile.ts `profileStream`): each distinct stream shape (context L,
 * tokens fetched, bytes per token) is simulated once per (channel count, timing) and reused.
 * Pure functions of their keys; the tables are bounded (cleared when they grow past a limit).
 */
import type { HbmTiming } from './dram.ts';
import { profileStream, type StreamProfile } from './dram-profile.ts';

type ProfileMap = Map<number, StreamProfile>;
const profileMemo = new Map<string, ProfileMap>();
let profileCount = 0;

/** The memo table of one (channel count, timing) combination. */
export function profileTable(ch: number, t: HbmTiming): ProfileMap {
  const k = `${ch}|${t.tBurst}|${t.tCCDL}|${t.tCL}|${t.tRCD}|${t.tRP}|${t.tRAS}|${t.tRC}|${t.tRRDS}|${t.tRRDL}|${t.tFAW}|${t.queueDepth}|${t.mapping}`;
  let m = profileMemo.get(k);
  if (!m) {
    m = new Map();
    profileMemo.set(k, m);
  }
  return m;
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
    table.set(key, p);
  }
  return p;
}

/** A stream made of profiles, each scaled (fused pairs: 1/g; spills: extra passes). */
export type Part = readonly [StreamProfile, number];

const combined = new Map<string, Float64Array>();
const profileIds = new WeakMap<StreamProfile, number>();
let nextProfileId = 0;
function profileId(p: StreamProfile): number {
  let id = profileIds.get(p);
  if (id === undefined) {
    id = nextProfileId++;
    profileIds.set(p, id);
  }
  return id;
}

/** Per-channel occupancy of a stream made of scaled parts: Σ part.occ × scale (memoised per part list; bounded). */
export function combineParts(parts: readonly Part[]): Float64Array {
  let key = '';
  for (const [p, sc] of parts) key += `${profileId(p)}*${sc};`;
  let o = combined.get(key);
  if (!o) {
    if (combined.size > 20000) combined.clear();
    o = new Float64Array(parts[0][0].occ.length);
    for (const [p, sc] of parts) for (let c = 0; c < o.length; c++) o[c] += p.occ[c] * sc;
    combined.set(key, o);
  }
  return o;
}
