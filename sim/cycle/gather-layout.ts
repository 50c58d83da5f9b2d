/** Where a gather's kept tokens lie in DRAM: one per stratum at a hashed offset, and the row chunks per channel they make. */
import { emptyChunks, type ChunkList } from './dram.ts';
import type { HbmTiming } from './hbm-timing.ts';

/**
 * Deterministic hash of (i, L, n) to [0, 1) (the gather positions must not depend on run order).
 * `salt` ≠ 0 draws another placement (for averaging over placements); salt 0 is the model's own.
 */
function jitter(i: number, L: number, n: number, salt: number): number {
  let h = Math.imul(i ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(L, 0xc2b2ae35) ^ Math.imul(n, 0x27d4eb2f) ^ Math.imul(salt, 0x165667b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  h = Math.imul(h, 0x297a2d39);
  h ^= h >>> 15;
  return (h >>> 0) / 4294967296;
}

/**
 * Row chunks per channel for a gather of `n` of `L` token vectors of `bytesPerToken` bytes,
 * laid out token-major from a region base aligned to a full row set. Kept tokens are spread over
 * the whole region (cascade token pruning and local V pruning keep tokens from the whole
 * context, so a pruned stream touches as many rows as a dense one): one token per stratum
 * [⌈iL/n⌉, ⌈(i+1)L/n⌉) at a hashed offset — a perfectly regular stride would alias with
 * the 32-B channel interleaving (e.g. every other 64-B token uses only half the channels).
 */
export function gatherChunks(L: number, n: number, bytesPerToken: number, channels: number, t: HbmTiming): ChunkList[] {
  const lists: ChunkList[] = [];
  const lastChunk = new Float64Array(channels).fill(-1);
  for (let c = 0; c < channels; c++) lists.push(emptyChunks());
  const B = bytesPerToken;
  const bb = t.burstBytes;
  let lastTx = -1;
  const perRowSet = t.burstsPerRow * t.pcs * t.banks;
  for (let i = 0; i < n; i++) {
    const idx = keptIndex(i, L, n);
    const a = Math.floor((idx * B) / bb);
    const b = Math.floor((idx * B + B - 1) / bb);
    for (let g = Math.max(a, lastTx + 1); g <= b; g++) {
      const ch = g % channels;
      const local = Math.floor(g / channels);
      const chunk = Math.floor(local / t.burstsPerRow);
      const list = lists[ch];
      if (chunk === lastChunk[ch]) {
        list.n[list.n.length - 1]++;
      } else {
        lastChunk[ch] = chunk;
        list.pc.push(chunk % t.pcs);
        list.bank.push(Math.floor(chunk / t.pcs) % t.banks);
        list.row.push(Math.floor((chunk * t.burstsPerRow) / perRowSet));
        list.n.push(1);
      }
    }
    lastTx = Math.max(lastTx, b);
  }
  return lists;
}

/** Position of the i-th of n tokens gathered from L (one per stratum, at a hashed offset; `salt`: see jitter). */
export function keptIndex(i: number, L: number, n: number, salt = 0): number {
  if (n >= L) return i;
  const lo = Math.ceil((i * L) / n);
  const hi = Math.ceil(((i + 1) * L) / n) - 1;
  return lo + Math.floor(jitter(i, L, n, salt) * (hi - lo + 1));
}

/**
 * The region a spilled part of a gather spans: `spill` of the `kept` vectors gathered from `region`
 * tokens, the spilled ones the last of them, lie in the last region·spill/kept tokens (at the
 * gather's density; a dense gather's spill is dense).
 */
export function spillRegion(region: number, kept: number, spill: number): number {
  return Math.max(spill, Math.min(region, Math.round((region * spill) / kept)));
}
