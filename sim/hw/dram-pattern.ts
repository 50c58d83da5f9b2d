/**
 * Runs of the representative chunk patterns that price a sparse channel's region-to-region transient
 * for the expected DRAM cost (sim/hw/dram-expected.ts `occOf`): a pattern of k ≤ 16 chunks stands
 * for the region's last k, its bursts as even as integers allow, one chunk per stretch of g slots
 * at golden-ratio offsets, the pseudo-channel split from its distribution (`pcMixture`). A run is
 * that pattern on a fresh channel (sim/hw/profile-channel.ts) and the following regions `span`
 * chunks on: their mean extra time.
 *
 * Memo tables per timing (by value, `timingId`: designs with equal DRAM timings share them),
 * bounded: pattern runs by the chunks' (PC, bank, size) hash, pattern occupancies by their inputs
 * (g, then k, bursts, dPc, offset). `usePatternTiming` names the current timing.
 */
import type { HbmTiming } from '../cycle/hbm-timing.ts';
import { followingRegions } from '../cycle/dram-profile.ts';
import { chunkArrays, profilingChannel } from './profile-channel.ts';
import { NumTable } from './num-table.ts';
import { timingEpoch } from './timing-id.ts';

const PATTERN_LIMIT = 40000;
const patternRuns = new NumTable(PATTERN_LIMIT);
const patternInputs = new NumTable(PATTERN_LIMIT);
let tablesEpoch = timingEpoch();
/** The id (`timingId`) of the current (sub-channel) timing. */
let tid = 0;

/** Makes the timing with id `id` the current one (the memo tables are emptied when the ids restart). */
export function usePatternTiming(id: number): void {
  if (tablesEpoch !== timingEpoch()) {
    patternRuns.clear();
    patternInputs.clear();
    tablesEpoch = timingEpoch();
  }
  tid = id;
}

/**
 * The pattern run over its pseudo-channel split: consecutive touched slots alternate PCs w.p. 1/(2 − pt),
 * so the PC-count difference D has variance k(1 − pt); 3-point quadrature over |D| (k's parity).
 */
export function pcMixture(k: number, b: number, g: number, span: number, t: HbmTiming, pt: number): number {
  if (t.pcs === 1) return patternOcc(k, b, g, span, t, 0);
  const par = k & 1;
  let dHi = Math.round(Math.sqrt(3 * k * (1 - pt)));
  if ((dHi & 1) !== par) dHi += dHi < k ? 1 : -1;
  dHi = Math.min(k, Math.max(par, dHi));
  const even = patternOcc(k, b, g, span, t, par);
  return dHi === par ? even : (2 / 3) * even + (1 / 3) * patternOcc(k, b, g, span, t, dHi);
}

/** Golden-ratio offsets: a deterministic, evenly spread stand-in for the placement's random slot offsets. */
const PHI = 0.6180339887498949;

/**
 * Run of a representative pattern: k chunks, `bursts` in all (as even as integers allow),
 * one per stretch of g slots at a quasi-random offset (so banks do not alias), dPc more of them on PC 0
 * than on PC 1 (spread evenly), the next region `span` chunks on (its PCs keep the parity of span).
 */
function patternOcc(k: number, bursts: number, g: number, span: number, t: HbmTiming, dPc: number): number {
  // memoised on its inputs first (the pattern build below is the cost once the runs are memoised)
  const inKey = bursts < 1024 && Math.abs(span) < 2097152 ? ((k * 1024 + bursts) * 32 + dPc) * 4194304 + span + 2097152 : -1;
  const b = tid * 2 ** 42 + inKey; // inKey < 2^42 (k ≤ 16, dPc ≤ k)
  if (inKey >= 0) {
    const v = patternInputs.get(g, b);
    if (v !== undefined) return v;
  }
  const occ = patternRun(k, bursts, g, span, t, dPc);
  if (inKey >= 0) patternInputs.set(g, b, occ);
  return occ;
}

function patternRun(k: number, bursts: number, g: number, span: number, t: HbmTiming, dPc: number): number {
  const { ids, ns } = chunkArrays(k);
  const total = Math.max(k, bursts);
  const on0 = (k + dPc) / 2;
  let prev = -1;
  for (let i = 0; i < k; i++) {
    let id = Math.max(prev + 1, Math.floor((i + ((i * PHI) % 1)) * g));
    if (t.pcs === 2) {
      const pc = Math.floor(((i + 1) * on0) / k) - Math.floor((i * on0) / k) === 1 ? 0 : 1;
      if ((id & 1) !== pc) id++;
    }
    ids[i] = prev = id;
    ns[i] = Math.floor(((i + 1) * total) / k) - Math.floor((i * total) / k);
  }
  let off = Math.max(span, prev + 1);
  if (t.pcs === 2 && (off & 1) !== (span & 1)) off++;
  // The run depends only on the sizes and each chunk's (PC, bank), i.e. ids mod banks·pcs (all chunks
  // are row misses on a fresh channel): memoised per timing on a 53-bit hash of those.
  const mod = t.banks * t.pcs;
  let h1 = 0x811c9dc5 ^ k;
  let h2 = Math.imul(0x9e3779b1, (off % mod) + 1);
  for (let i = 0; i < k; i++) {
    const v = (ids[i] % mod) * 4096 + ns[i];
    h1 = Math.imul(h1 ^ v, 0x01000193);
    h2 = Math.imul(h2 ^ (v + i), 0x85ebca6b) ^ (h2 >>> 13);
  }
  const key = (h1 >>> 0) * 2097152 + (h2 & 0x1fffff);
  const hit = patternRuns.get(tid, key);
  if (hit !== undefined) return hit;
  const ch = profilingChannel(t);
  const end1 = ch.serveIdsEnd(ids, ns, 0, k, 0, 0);
  const m = followingRegions(k, total, t);
  const occ = Math.max(0, (ch.serveFollowingEnd(ids, ns, 0, k, off, m) - end1) / m);
  patternRuns.set(tid, key, occ);
  return occ;
}
