/** Hand-checked micro cases of the cycle simulator (sim/cycle). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HbmChannel, emptyChunks } from '../sim/cycle/dram.ts';
import { hbmTiming, availableBefore, timeForAvailable, rowConflictLatency } from '../sim/cycle/hbm-timing.ts';
import { gatherChunks } from '../sim/cycle/gather-layout.ts';
import { profileStream } from '../sim/cycle/dram-profile.ts';
import { gatherCost } from '../sim/hw/dram-cost.ts';
import { quickSelectRandom, quickSelectValues } from '../sim/cycle/topk.ts';
import { simulateCycle } from '../sim/cycle/index.ts';
import { mulberry32 } from '../sim/workload/trace.ts';
import { defaultHardware } from '../sim/schema.ts';
import { MODEL_SHAPES } from '../sim/workload/models.ts';
import type { HeadRequest, Workload } from '../sim/workload/types.ts';

const t = hbmTiming({ clockGHz: 1, dramChannelGBps: 32 });

export function oneHead(over: Partial<HeadRequest> = {}): Workload {
  const r: HeadRequest = {
    iteration: 0, layer: 0, head: 0, D: 64, L: 512, queries: 1, keys: 512, valuesFetched: 512, valuesPerQuery: 512,
    keyBits: 8, lsbBits: 0, refetch: 0, lsbThreshold: -1, valueBits: 8, queryBits: 12, topk: -1, causal: false, ...over,
  };
  return { name: 'one', model: MODEL_SHAPES['gpt2-small'], stage: 'generation', iterations: 1, reuseKV: false, requests: [r], source: 'generated', provenance: 'test' };
}

test('HBM2 timing: burst = 2 tCK per 32 B per pseudo-channel, scaled by GB/s and clock', () => {
  assert.equal(t.tBurst, 2);
  assert.equal(t.tCL + t.tRCD + t.tRP, 21);
  const fast = hbmTiming({ clockGHz: 1, dramChannelGBps: 64 });
  assert.equal(fast.tBurst, 1);
  assert.equal(fast.tRCD, 7); // core timings stay in ns
  const slowClock = hbmTiming({ clockGHz: 0.5, dramChannelGBps: 32 });
  assert.equal(slowClock.tBurst, 1);
  assert.equal(slowClock.tRCD, 3.5);
});

test('a row hit costs nCL + burst, a closed row + nRCD, a row conflict + nRP + nRCD', () => {
  const one = (init: 'closed' | 'conflict', openSame: boolean) => {
    const ch = new HbmChannel(t, init);
    if (openSame) ch.openRow[0] = 5;
    return ch.serve({ pc: [0], bank: [0], row: [5], n: [1] }, 100);
  };
  const hit = one('closed', true);
  const closed = one('closed', false);
  const conflict = one('conflict', false);
  assert.equal(hit.end - 100, t.tCL + t.tBurst); // 9
  assert.equal(closed.end - 100, t.tRCD + t.tCL + t.tBurst); // 16
  assert.equal(conflict.end - 100, t.tRP + t.tRCD + t.tCL + t.tBurst); // 23
  assert.equal(conflict.end - hit.end, 7 + 7); // nRP + nRCD
  assert.deepEqual([hit.hits, hit.misses, conflict.hits, conflict.misses], [1, 0, 0, 1]);
});

test('a stream\'s first data is a row conflict at any clock and interface speed (rowConflictLatency, which the analytical model charges)', () => {
  // nRP + nRCD + nCL = 21 ns × clock, + a burst of 2 ns × 32/GBps × clock
  const cases: Array<[number, number, number]> = [
    [1, 32, 23],
    [0.5, 32, 11.5],
    [2, 32, 46],
    [1, 16, 25],
    [2, 64, 44],
  ];
  for (const [clockGHz, gbps, want] of cases) {
    for (const mapping of ['RoBaRaCoCh', 'RoBaCoRaCh'] as const) {
      const t = hbmTiming({ clockGHz, dramChannelGBps: gbps }, { queueDepth: 16, mapping });
      assert.equal(rowConflictLatency(t), want, `${clockGHz} GHz ${gbps} GB/s`);
      for (const [L, n, B] of [[1024, 1024, 96], [993, 100, 48], [64, 64, 8]]) {
        assert.equal(profileStream(L, n, B, 16, t).firstLatency, want, `${clockGHz} GHz ${gbps} GB/s ${mapping} gather ${n}/${L} × ${B} B`);
      }
    }
  }
});

test('back-to-back conflicts in one bank are spaced by nRAS + nRP (≥ nRC)', () => {
  const ch = new HbmChannel(t, 'closed');
  const r = ch.serve({ pc: [0, 0, 0], bank: [0, 0, 0], row: [1, 2, 3], n: [1, 1, 1] }, 0);
  // ACTs at 0, 24, 48 → data of the last at 48 + 7 + 7, ends 2 cycles later.
  assert.equal(r.end, 48 + t.tRCD + t.tCL + t.tBurst);
  assert.equal(r.misses, 3);
});

test('a row-hit stream reaches the peak bandwidth (32 B/cycle per channel)', () => {
  // One open row per PC, read 16 bursts at a time alternately: the two 16 B/cycle buses stream
  // in parallel (the request window is in channel order, so the PCs must interleave).
  const ch = new HbmChannel(t, 'closed');
  const list = emptyChunks();
  for (let k = 0; k < 64; k++) {
    list.pc.push(k & 1);
    list.bank.push(0);
    list.row.push(0);
    list.n.push(16);
  }
  const r = ch.serve(list, 0);
  const bw = (r.bursts * 32) / (r.end - r.firstData);
  assert.ok(Math.abs(bw - 32) / 32 < 0.01, `bw ${bw}`);
  assert.equal(r.hits, 1024 - 2);
  // A single PC alone gets half: 16 B/cycle.
  const one = new HbmChannel(t, 'closed').serve({ pc: [0], bank: [0], row: [0], n: [500] }, 0);
  assert.equal(one.end, t.tRCD + t.tCL + 500 * t.tBurst);
  // A dense multi-row stream through the address mapping, 32-deep window. PC-interleaved, each PC is
  // a sub-channel with half the window (16): a chunk's 32 bus cycles cover the next row's PRE/ACT
  // (the window: 21 + 2 after the previous chunk's first burst; in order, 21 + 15 × 2 + 2 over 2
  // chunks), so the bus binds. Official mapping, chunks alternate PCs (bus 16 cycles a chunk), and
  // the first burst of chunk k waits for every burst up to the first of chunk k − 2, i.e. the end of
  // chunk k − 3: (21 + 15 × 2 + 2) / 3 = 17.67 cycles a chunk, 16 / 17.67 = 0.906 of the peak.
  for (const [mapping, want] of [['RoBaRaCoCh', 16 / (53 / 3)], ['RoBaCoRaCh', 1]] as const) {
    const tm = hbmTiming({ clockGHz: 1, dramChannelGBps: 32 }, { mapping });
    const p = profileStream(8192, 8192, 64, 1, tm);
    assert.equal(p.bursts, 16384);
    const eff = p.bursts / p.occupancy; // bursts per cycle per channel: the peak is one (32 B)
    assert.ok(Math.abs(eff / want - 1) < 2e-3, `${mapping} efficiency ${eff} vs ${want}`);
  }
  // With the official DPI's 16 outstanding requests the same stream loses ~30% (row switch every 512 B).
  const p16 = profileStream(8192, 8192, 64, 1, hbmTiming({ clockGHz: 1, dramChannelGBps: 32 }, { mapping: 'RoBaRaCoCh', queueDepth: 16 }));
  assert.ok(p16.bursts / p16.occupancy < 0.75, 'p16.bursts / p16.occupancy < 0.75');
});

test('32-B interleaving spreads a dense region evenly over the channels; gathers keep their byte count', () => {
  const lists = gatherChunks(1024, 1024, 64, 16, t);
  const per = lists.map((l) => l.n.reduce((a, b) => a + b, 0));
  assert.ok(per.every((x) => x === 128), String(per));
  for (const [L, n, B] of [[1000, 921, 96], [1000, 204, 96], [1024, 102, 32], [993, 993, 48]]) {
    const bursts = gatherChunks(L, n, B, 16, t).reduce((a, l) => a + l.n.reduce((x, y) => x + y, 0), 0);
    assert.equal(bursts, Math.ceil((n * B) / 32) + (B % 32 && n < L ? bursts - Math.ceil((n * B) / 32) : 0));
    if (B % 32 === 0) assert.equal(bursts, (n * B) / 32);
  }
  assert.deepEqual(emptyChunks(), { pc: [], bank: [], row: [], n: [] });
});

test('profileStream = each channel of gatherChunks served on a fresh channel, then again in the following regions (tFAW covered 6 times, the request window twice): their mean extra time', () => {
  // Independent reference: the chunk lists of gatherChunks, the shifted copies built by hand (a row
  // chunk's index in its channel is (row·banks + bank)·pcs + pc; the next regions start `span`, 2·`span`, … later).
  for (const [L, n, B, C, mapping, Q] of [
    [1024, 1024, 96, 16, 'RoBaCoRaCh', 16], [1000, 313, 64, 8, 'RoBaRaCoCh', 32], [257, 129, 40, 3, 'RoBaCoRaCh', 7], [4096, 77, 128, 32, 'RoBaRaCoCh', 16], [128, 128, 96, 24, 'RoBaRaCoCh', 32],
  ] as const) {
    const tm = hbmTiming({ clockGHz: 1.3, dramChannelGBps: 48 }, { mapping, queueDepth: Q });
    const sub = mapping === 'RoBaCoRaCh' ? { ...tm, pcs: 1, queueDepth: Math.floor(Q / 2) } : tm;
    const nSub = mapping === 'RoBaCoRaCh' ? 2 * C : C;
    const span = Math.max(1, Math.ceil((L * B) / (32 * nSub * 16)));
    const lists = gatherChunks(L, n, B, nSub, sub);
    let sum = 0;
    let bursts = 0;
    const shift = (list: (typeof lists)[number], by: number) => {
      const out = { pc: [] as number[], bank: [] as number[], row: [] as number[], n: list.n };
      for (let k = 0; k < list.n.length; k++) {
        const id = (list.row[k] * sub.banks + list.bank[k]) * sub.pcs + list.pc[k] + by;
        out.pc.push(id % sub.pcs);
        out.bank.push(Math.floor(id / sub.pcs) % sub.banks);
        out.row.push(Math.floor(id / (sub.pcs * sub.banks)));
      }
      return out;
    };
    for (const list of lists) {
      if (list.n.length === 0) continue;
      const ch = new HbmChannel(sub, 'conflict');
      const r1 = ch.serve(list, 0);
      // following regions: tFAW's 4·P chunks covered 6 times and the window's bursts twice, even, at least 2, at most 32
      const chunks = list.n.length;
      const b = list.n.reduce((x, y) => x + y, 0);
      let m = 2;
      while ((m * chunks < 24 * sub.pcs || m * b < 2 * sub.queueDepth) && m < 32) m += 2;
      let end = r1.end;
      for (let r = 1; r <= m; r++) end = ch.serve(shift(list, r * span), 0).end;
      sum += (end - r1.end) / m;
      bursts += r1.bursts;
    }
    const p = profileStream(L, n, B, C, tm);
    assert.equal(p.bursts, bursts, `bursts ${L} ${n} ${B}`);
    assert.ok(Math.abs(p.occ.reduce((a, b) => a + b, 0) - sum) < 1e-6 * sum, `occupancy ${L} ${n} ${B}: ${p.occ.reduce((a, b) => a + b, 0)} vs ${sum}`);
  }
});

test('a stream of one burst per pseudo-channel costs tFAW/4 per region, not the tRRD spacing of three regions', () => {
  // L 32 × 32 B on 16 channels, PC-interleaved (32 sub-channels of one PC each), 1 GHz, 32 GB/s, window
  // 32 (16 per sub-channel): one burst, one row chunk per sub-channel and region, each region's chunk
  // in the next bank, so every region activates a row. Per PC: tRRD 2–3 ns, bus 2 ns a burst, window
  // 16 bursts per tRP + tRCD + tCL + burst = 23 ns (1.4 ns a burst), tFAW 15 ns per 4 activations:
  // the steady state is tFAW / 4 = 3.75 cycles a region. Three regions hold three activations and
  // never meet tFAW (2.0 cycles: the old reading); the profile now serves 32 following regions
  // (twice the 16 bursts of window; tFAW's 4 activations 6 times would be 24), so the mean is 3.75
  // less the first region's transient over 32.
  const tm = hbmTiming({ clockGHz: 1, dramChannelGBps: 32 }, { mapping: 'RoBaCoRaCh', queueDepth: 32, refresh: false });
  const p = profileStream(32, 32, 32, 16, tm);
  assert.equal(p.bursts, 32);
  assert.ok(p.meanOccupancy > 3.6 && p.meanOccupancy <= 3.75, `occupancy ${p.meanOccupancy}`);
  // the analytical closed form runs the same regions (sim/hw/dram-dense.ts denseRun)
  const a = gatherCost(32, 32, 32, 16, tm, 1);
  assert.ok(Math.abs(a.cyclesPerByte * 32 * 32 - p.meanOccupancy) < 1e-9, `analytical ${a.cyclesPerByte * 32 * 32} vs ${p.meanOccupancy}`);
});

test('a dense stream of one row chunk per channel costs its bus time shared by the two PCs, not 0', () => {
  // L 128 × 96 B on 24 channels (RoBaRaCoCh, 1 GHz, 32 GB/s): 16 bursts a channel, one row chunk. The
  // next region's chunk is on the other PC, whose bus is free: alone it ends with the first (0 extra
  // cycles, the old single-region reading); the region after waits for the first PC. Steady state:
  // 16 bursts × tBurst 2 = 32 bus cycles a region per PC, two PCs: 16 cycles a region — but the
  // 32-deep window releases in order, so a region's first burst waits for the end of the region three
  // back: (tRP + tRCD + tCL 21 + 15 × 2 + 2) / 3 = 17.67 cycles a region. The profile's 32 following
  // regions carry the first one's start (3.4 cycles less over 32); a long run gives 53 / 3 (period 3).
  const tm = hbmTiming({ clockGHz: 1, dramChannelGBps: 32 }, { mapping: 'RoBaRaCoCh' });
  assert.equal(tm.tBurst, 2);
  const p = profileStream(128, 128, 96, 24, tm);
  assert.equal(p.bursts, 24 * 16);
  for (const o of p.occ) assert.ok(o > 17.5 && o <= 53 / 3, `occupancy ${o}`);
  const ch = new HbmChannel(tm, 'conflict');
  const ids = Float64Array.of(0);
  const ns = Int32Array.of(16);
  const e1 = ch.serveIdsEnd(ids, ns, 0, 1, 0, 0);
  const e402 = ch.serveFollowingEnd(ids, ns, 0, 1, 1, 402);
  const e201 = (() => {
    const c2 = new HbmChannel(tm, 'conflict');
    c2.serveIdsEnd(ids, ns, 0, 1, 0, 0);
    return c2.serveFollowingEnd(ids, ns, 0, 1, 1, 201);
  })();
  assert.ok(e402 > e1);
  assert.ok(Math.abs((e402 - e201) / 201 - 53 / 3) < 1e-9, `steady state ${(e402 - e201) / 201}`);
});

test('refresh: available time and its inverse', () => {
  assert.equal(availableBefore(3900, t), 3900);
  assert.equal(availableBefore(3900 + 350, t), 3900);
  assert.equal(availableBefore(3900 + 351, t), 3901);
  for (const a of [0, 10, 3899, 3900, 3901, 7450, 7451, 123456]) assert.equal(availableBefore(timeForAvailable(a, t), t), a);
  const noRef = hbmTiming({ clockGHz: 1, dramChannelGBps: 32 }, { refresh: false });
  assert.equal(availableBefore(1e6, noRef), 1e6);
});

test('top-k: known input and pivot sequence', () => {
  const values = [5, 1, 4, 2, 3, 9, 7, 8, 6, 0];
  const pivots = [0, 2, 0]; // 5, then 8 of [9,7,8,6], then 7 of [7,6]
  const r = quickSelectValues(values, 3, 4, (round) => pivots[round]);
  assert.equal(r.kth, 7);
  assert.equal(r.rounds, 3);
  assert.equal(r.cycles, Math.ceil(10 / 4) + 3 + (Math.ceil(4 / 4) + 3) + (Math.ceil(2 / 4) + 3)); // 14
  assert.equal(r.compares, 16);
  // Ties: the pivot's equal elements are counted, not moved.
  assert.equal(quickSelectValues([3, 3, 3, 1], 2, 16, () => 0).kth, 3);
});

test('top-k: random-pivot cost matches the official latency model statistics', () => {
  // spec §1.9 Monte-Carlo means (500 samples): (993, 204, 16) → 223, (102, 20, 16) → 44, (993, 204, 4) → 791.
  for (const [K, V, P, mean] of [[993, 204, 16, 223.2], [102, 20, 16, 44.0], [993, 204, 4, 790.6]]) {
    const rng = mulberry32(7);
    let s = 0;
    const n = 3000;
    for (let i = 0; i < n; i++) s += quickSelectRandom(K, V, P, rng).cycles;
    assert.ok(Math.abs(s / n / mean - 1) < 0.06, `K=${K} V=${V} P=${P}: ${s / n} vs ${mean}`);
  }
  // Same pivots (rank draws do not depend on P) ⇒ more comparators never cost more.
  for (let seed = 1; seed < 50; seed++) {
    const c = [1, 2, 4, 8, 16, 32].map((P) => quickSelectRandom(700, 140, P, mulberry32(seed)).cycles);
    for (let i = 1; i < c.length; i++) assert.ok(c[i] <= c[i - 1], 'c[i] <= c[i - 1]');
  }
});

test('one head on one channel: hand-computed timeline', () => {
  // full-rate DRAM set-up: pseudo-channels interleaved every 32 B, a 32-request window
  const fast = { dramMapping: 'RoBaCoRaCh', dramQueueDepth: 32 } as const;
  const hw = { ...defaultHardware(), ...fast, dramChannels: 1 };
  const r = simulateCycle(oneHead(), hw);
  // Q (3 bursts) + K 512×64 B (1024 bursts) then V (1024 bursts) at 1 burst/cycle, in series
  // through Q·K (64 lines), softmax (+87), decision (+2), V ids (+1), V allocation register (+1), prob·V.
  // admit 0 → K arrives 1 → K's last burst leaves the channel ≈ 1028 and reaches the accelerator
  // one access latency later, like its first (issue + activate + CAS + registers: first data at 1 + 31)
  // → K done ≈ 1059 → Q·K ends 1059+12 → softmax 1079 → decision 1168 → V arrives 1170 → V done
  // 1170 + 1024 + 31 = 2225 → prob·V ends 2237 → + latency 6 = 2243.
  assert.ok(Math.abs(r.cycles - 2243) <= 20, `cycles ${r.cycles}`);
  assert.equal(r.dram_bytes, (3 + 1024 + 1024) * 32);
  assert.equal(r.extra!.dram_bursts, 2051);
  assert.ok(r.stages.dram >= 2051 && r.stages.dram < 2051 * 1.02, `dram busy ${r.stages.dram}`);
  assert.equal(r.stages.qk, 64);
  assert.equal(r.stages.pv, 64);
  // (which fidelity produced a result is stamped by sim/fidelities.ts; test/space.test.ts checks it)
  // 16 channels: each stream ~16× shorter.
  const r16 = simulateCycle(oneHead(), { ...defaultHardware(), ...fast });
  assert.ok(r16.cycles < 450 && r16.cycles > 300, `cycles ${r16.cycles}`);
  // the official set-up (512-B pseudo-channel row chunks, 16 outstanding requests): the window
  // covers one chunk, so mostly one pseudo-channel streams — the same bursts take ≥ 1.3× longer
  const off = simulateCycle(oneHead(), { ...defaultHardware(), dramChannels: 1 });
  assert.equal(off.extra!.dram_bursts, 2051);
  assert.ok(off.stages.dram > 1.3 * r.stages.dram, `official ${off.stages.dram} vs ${r.stages.dram}`);
});

test('a refetch doubles the key-side SRAM reads and Q·K work of that head and adds its LSB bytes', () => {
  const hw = defaultHardware();
  const a = simulateCycle(oneHead({ lsbBits: 4, refetch: 0 }), hw);
  const b = simulateCycle(oneHead({ lsbBits: 4, refetch: 1 }), hw);
  assert.equal(b.activity.keySramReadBits, 2 * a.activity.keySramReadBits);
  assert.equal(b.activity.qkMacs, 2 * a.activity.qkMacs);
  assert.equal(b.activity.softmaxElems, 2 * a.activity.softmaxElems);
  assert.equal(b.dram_bytes - a.dram_bytes, (512 * 64 * 4) / 8);
  assert.equal(b.stages.qk, 2 * a.stages.qk);
  assert.equal(b.extra!.refetches, 1);
  assert.ok(b.cycles > a.cycles + 87, `${b.cycles} vs ${a.cycles}`);
  // A probability is drawn per head with the seed.
  const w = oneHead({ lsbBits: 4, refetch: 0.5 });
  w.requests = Array.from({ length: 64 }, (_, i) => ({ ...w.requests[0], head: i % 12, layer: Math.floor(i / 12) }));
  const n1 = simulateCycle(w, hw, { seed: 1 }).extra!.refetches;
  assert.ok(n1 > 16 && n1 < 48, `refetches ${n1}`);
  assert.equal(simulateCycle(w, hw, { seed: 1 }).cycles, simulateCycle(w, hw, { seed: 1 }).cycles);
});

test('buffers: an over-sized head is split (generation) or spills, re-streaming the rest per query (summarization)', () => {
  const small = { ...defaultHardware(), keySramKB: 24.5, valueSramKB: 24.5 }; // 24,576 B = 32 lines = 256 keys
  const r = simulateCycle(oneHead(), small);
  assert.equal(r.extra!.split_requests, 1);
  assert.equal(r.dram_bytes, simulateCycle(oneHead(), defaultHardware()).dram_bytes);
  const summ = (hw: typeof small) => {
    const w = oneHead({ queries: 8, valuesFetched: 512 });
    w.stage = 'summarization';
    w.reuseKV = true;
    return simulateCycle(w, hw);
  };
  const fits = summ(defaultHardware());
  const spills = summ(small);
  assert.equal(spills.extra!.split_requests, 1);
  // half of the 32 lines (double buffering, §V-C) = 128 of 512 keys (and values) resident: the
  // other 384 are fetched again by queries 2…8.
  const extra = 7 * 384 * 64 * 2; // keys + values, 8-bit, 64-dim
  assert.equal(spills.dram_bytes - fits.dram_bytes, extra);
  assert.ok(spills.cycles >= fits.cycles, 'spills.cycles >= fits.cycles');
});

test('sub-channels: with PCs interleaved (RoBaCoRaCh) each PC is a channel of one PC and its share of the request window, the same timing object each time; RoBaRaCoCh keeps the design timing', async () => {
  const { subChannels, subChannelTiming, subChannelCount } = await import('../sim/cycle/hbm-timing.ts');
  const hw = { clockGHz: 1, dramChannelGBps: 32 };
  const t = hbmTiming(hw, { mapping: 'RoBaCoRaCh', queueDepth: 64 });
  const s = subChannels(t, 16);
  assert.equal(s.channels, 16 * t.pcs);
  assert.equal(s.t.pcs, 1);
  assert.equal(s.t.queueDepth, Math.floor(64 / t.pcs));
  // one object per design timing: per-timing caches find it again (sim/hw/timing-id.ts)
  assert.equal(subChannelTiming(t), s.t);
  assert.equal(subChannels(t, 4).t, s.t);
  assert.equal(subChannelCount(t, 4), 4 * t.pcs);
  const flat = hbmTiming(hw, { mapping: 'RoBaRaCoCh' });
  assert.deepEqual(subChannels(flat, 16), { t: flat, channels: 16 });
  assert.equal(subChannelTiming(flat), flat);
});
