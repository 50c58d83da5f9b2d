/**
 * HbmChannel's serving loop (sim/cycle/dram.ts serveRange: state in locals, several runs in one
 * call) against a plain chunk-by-chunk statement of the same recurrence, kept here as the
 * reference: every burst's completion in an array instead of the channel's ring of chunks. The two
 * must agree bit for bit (the goldens and the cycle-identity fixture depend on the exact floats).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HbmChannel } from '../sim/cycle/dram.ts';
import { hbmTiming, subChannelTiming, type HbmTiming } from '../sim/cycle/hbm-timing.ts';
import { mulberry32 } from '../sim/rng.ts';

/** The recurrence as the model's header states it, one chunk at a time. */
class Reference {
  openRow: number[];
  lastAct: number[];
  busFree: number[];
  lastActPc: number[];
  lastActBg: number[];
  faw: number[];
  fawIdx: number[];
  done: number[] = []; // completion time of the burst at each position
  doneBy: number[] = []; // the latest completion of the bursts at positions ≤ each
  hits = 0;
  misses = 0;

  constructor(readonly t: HbmTiming, init: 'closed' | 'conflict') {
    const nb = t.pcs * t.banks;
    this.openRow = new Array(nb).fill(init === 'closed' ? -1 : -2);
    this.lastAct = new Array(nb).fill(-1e9);
    this.busFree = new Array(t.pcs).fill(-1e9);
    this.lastActPc = new Array(t.pcs).fill(-1e9);
    this.lastActBg = new Array(t.pcs * 4).fill(-1e9);
    this.faw = new Array(t.pcs * 4).fill(-1e9);
    this.fawIdx = new Array(t.pcs).fill(0);
  }

  /** A run of chunk ids (+ offset) with ns bursts, arriving at t0: its end, first data, hits, misses. */
  run(ids: number[], ns: number[], offset: number, t0: number): number[] {
    const { pcs: P, banks } = this.t;
    let end = -Infinity;
    let first = Infinity;
    const h0 = this.hits;
    const m0 = this.misses;
    for (let k = 0; k < ids.length; k++) {
      const id = ids[k] + offset;
      const [e, f] = this.chunk(id % P, Math.floor(id / P) % banks, Math.floor(id / (P * banks)), ns[k], t0);
      end = Math.max(end, e);
      first = Math.min(first, f);
    }
    return [Math.max(t0, end), first, this.hits - h0, this.misses - m0];
  }

  chunk(pc: number, bank: number, row: number, n: number, t0: number): number[] {
    const t = this.t;
    const bi = pc * t.banks + bank;
    const p = this.done.length;
    const Q = t.queueDepth;
    // in-order window: a burst enters when the burst Q before it and every earlier one have returned
    const vis = p >= Q ? Math.max(t0, this.doneBy[p - Q]) : t0;
    // a chunk longer than the window: groups of Q bursts, each tBurst + tCL after the one before
    // (when the bus would be faster); the mean spacing that ends where the groups do
    const bus = Math.max(t.tBurst, t.tCCDL);
    const groups = Math.floor((n - 1) / Q);
    const space = n > Q && Q * bus < t.tBurst + t.tCL ? (groups * (t.tBurst + t.tCL) + (n - 1 - groups * Q) * bus) / (n - 1) : bus;
    // burst jl (the last of the first Q) enters when the burst Q before it and every earlier one have returned
    const jl = Math.min(n, Q) - 1;
    const lastData = jl > 0 && p + jl >= Q ? this.doneBy[p + jl - Q] + t.tCL : -Infinity;
    let colReady = vis;
    if (this.openRow[bi] === row) this.hits += n;
    else {
      this.misses += 1;
      this.hits += n - 1;
      let act = this.openRow[bi] !== -1 ? Math.max(vis, this.lastAct[bi] + t.tRAS) + t.tRP : vis;
      const fi = pc * 4 + this.fawIdx[pc];
      const gi = pc * 4 + (bank & 3);
      act = Math.max(act, this.lastAct[bi] + t.tRC, this.lastActPc[pc] + t.tRRDS, this.lastActBg[gi] + t.tRRDL, this.faw[fi] + t.tFAW);
      this.faw[fi] = this.lastAct[bi] = this.lastActPc[pc] = this.lastActBg[gi] = act;
      this.fawIdx[pc] = (this.fawIdx[pc] + 1) & 3;
      this.openRow[bi] = row;
      colReady = act + t.tRCD;
    }
    const ds = Math.max(colReady + t.tCL, this.busFree[pc]);
    const sp = ds + jl * space < lastData ? (lastData - ds) / jl : space; // spread out to meet it
    this.busFree[pc] = ds + (n - 1) * sp + t.tBurst;
    for (let j = 0; j < n; j++) {
      this.done.push(ds + j * sp + t.tBurst);
      this.doneBy.push(Math.max(this.doneBy.length > 0 ? this.doneBy[this.doneBy.length - 1] : -1e9, ds + j * sp + t.tBurst));
    }
    return [this.busFree[pc], ds];
  }
}

/** A random timing: any clock and channel bandwidth (non-integer cycle counts), window, mapping, organisation. */
function randomTiming(rng: () => number): HbmTiming {
  const t = hbmTiming(
    { clockGHz: 0.2 + 3 * rng(), dramChannelGBps: 4 + 500 * rng() },
    { queueDepth: 1 + Math.floor(rng() * (rng() < 0.5 ? 40 : 400)), mapping: rng() < 0.5 ? 'RoBaRaCoCh' : 'RoBaCoRaCh' },
  );
  const u = rng() < 0.5 ? subChannelTiming(t) : t;
  // PCs and banks not powers of two take the division path of the chunk index
  return rng() < 0.2 ? { ...u, pcs: 3, banks: 12 } : u;
}

test('HbmChannel serves runs bit for bit as the chunk-by-chunk recurrence: serveIds, serveIdsEnd, serveFollowingEnd, serve', () => {
  const rng = mulberry32(20261206);
  let missesSeen = 0;
  let hitsSeen = 0;
  for (let it = 0; it < 600; it++) {
    const t = randomTiming(rng);
    const init = rng() < 0.5 ? 'closed' : 'conflict';
    const K = 1 + Math.floor(rng() * 30);
    const ids: number[] = [];
    const ns: number[] = [];
    for (let k = 0, id = 0; k < K; k++, id += Math.floor(rng() * 4)) {
      ids.push(id); // repeats: row hits within a run
      ns.push(Math.floor(rng() * 20)); // 0-burst chunks too
    }
    // ids past 31 bits take the floating-point path; rows stay below 2^31 (openRow is 32-bit)
    const big = rng() < 0.1;
    const off = Math.floor(rng() * 40) + (big ? 2 ** 31 : 0);
    const ref = new Reference(t, init);
    const ch = new HbmChannel(t, init);
    const fi = Float64Array.from(ids);
    const fn = Int32Array.from(ns);
    const r = ch.serveIds(fi, fn, 0, K, 0, 2.5);
    assert.deepEqual([r.end, r.firstData, r.hits, r.misses], ref.run(ids, ns, 0, 2.5));
    assert.equal(ch.serveIdsEnd(fi, fn, 0, K, off, 0), ref.run(ids, ns, off, 0)[0]);
    const regions = 1 + Math.floor(rng() * (big ? 6 : 33));
    let end = 0;
    for (let g = 1; g <= regions; g++) end = ref.run(ids, ns, g * off, 0)[0];
    assert.equal(ch.serveFollowingEnd(fi, fn, 0, K, off, regions), end);
    const list = { pc: [] as number[], bank: [] as number[], row: [] as number[], n: [] as number[] };
    for (let k = 0; k < K; k++) {
      list.pc.push(Math.floor(rng() * t.pcs));
      list.bank.push(Math.floor(rng() * t.banks));
      list.row.push(Math.floor(rng() * 3));
      list.n.push(ns[k]);
    }
    const s = ch.serve(list, 7);
    let e2 = -Infinity;
    let f2 = Infinity;
    const h0 = ref.hits;
    const m0 = ref.misses;
    for (let k = 0; k < K; k++) {
      const [e, f] = ref.chunk(list.pc[k], list.bank[k], list.row[k], list.n[k], 7);
      e2 = Math.max(e2, e);
      f2 = Math.min(f2, f);
    }
    assert.deepEqual([s.end, s.firstData, s.hits, s.misses], [Math.max(7, e2), f2, ref.hits - h0, ref.misses - m0]);
    assert.deepEqual([ch.hits, ch.misses, ch.bursts], [ref.hits, ref.misses, ref.done.length]);
    missesSeen += ref.misses;
    hitsSeen += ref.hits;
  }
  // the cases exercise both branches of the row test
  assert.ok(missesSeen > 1000 && hitsSeen > 1000, `${missesSeen} misses, ${hitsSeen} hits`);
});
