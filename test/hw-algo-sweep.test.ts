/**
 * Sweeps over algorithm knobs on the analytical fast path. The fast path prepares a generated workload from its plan (sim/workload/build.ts
 * forEachRun: runs of identical head requests) without materialising the request list. Checked
 * here bit for bit against preparing the materialised list, over a few hundred random
 * (workload, algorithm, measured overrides, hardware) points: the same classes in the same order,
 * and every output of `evaluatePrepared` identical (Object.is, not a tolerance). The gather-cost rows
 * (sim/hw/gather-cache.ts) that price a new workload on the same DRAM design return
 * dram-cost.ts's costs bit for bit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createFastMetrics, evaluatePrepared, prepareWorkload } from '../sim/hw/analytical.ts';
import { buildWorkload, generationPlan, type WorkloadOverrides } from '../sim/workload/build.ts';
import { AlgoSchema, HardwareSchema, WorkloadSchema, type AlgoConfig, type WorkloadConfig } from '../sim/schema.ts';
import { MODEL_SHAPES } from '../sim/workload/models.ts';
import { mulberry32, type Rng } from '../sim/rng.ts';
import { randomHardware } from '../bench/analytical-sweeps.ts';
import type { FastMetrics } from '../sim/hw/finalize.ts';
import { dramProfileTiming, fuseFactor, gatherCost, newRequestDramCost, requestCostFrom, requestDramCostInto } from '../sim/hw/dram-cost.ts';
import { expectedGatherCost } from '../sim/hw/dram-expected.ts';
import { timingId, timingSightings } from '../sim/hw/timing-id.ts';
import { beginDesign, cachedGathers } from '../sim/hw/gather-cache.ts';
import { sortedOrder, stableOrder } from '../sim/hw/crossover-sort.ts';

function randomPoint(rng: Rng): { wl: WorkloadConfig; algo: AlgoConfig; ov: WorkloadOverrides } {
  const models = ['gpt2-medium', 'gpt2-small', 'bert-base', 'bert-large'] as const;
  const model = models[Math.floor(rng() * models.length)];
  const stage = model.startsWith('bert') || rng() < 0.3 ? 'summarization' : 'generation';
  const wl = WorkloadSchema.parse({ model, stage, seqLen: 1 + Math.floor(rng() * (stage === 'generation' ? 1100 : 300)), genTokens: 1 + Math.floor(rng() * 12) });
  const keep = () => (rng() < 0.2 ? 1 : 1 - rng() * 0.99);
  const algo = AlgoSchema.parse({
    tokenKeep: keep(), tokenSpread: rng(), tokenMinKeep: rng() < 0.5 ? 0.1 : 0.001 + rng() * 0.999,
    headKeep: keep(), headSpread: rng(), valueKeep: keep(),
    tokenFrontFrac: rng() < 0.5 ? 0.15 : rng(), headFrontFrac: rng() < 0.5 ? 0.3 : rng(),
    msbBits: 2 + Math.floor(rng() * 15), lsbBits: Math.floor(rng() * 9), lsbThreshold: rng(), lsbRefetchFraction: rng() < 0.3 ? 0 : rng(),
    valueBits: rng() < 0.5 ? 0 : 2 + Math.floor(rng() * 15), queryBits: 2 + Math.floor(rng() * 15),
  });
  const ov: WorkloadOverrides = {};
  if (rng() < 0.2) {
    const series = () => Array.from({ length: MODEL_SHAPES[model].layers }, () => (rng() < 0.3 ? 1 : rng()));
    if (rng() < 0.6) ov.tokenKeepPerLayer = series();
    if (rng() < 0.6) ov.headKeepPerLayer = series();
    if (rng() < 0.6) ov.valueKeepPerLayer = series();
    if (rng() < 0.6) ov.refetchPerLayer = series();
  }
  return { wl, algo, ov };
}

/** Every number of a result, in a fixed order (nested records flattened). */
function numbers(m: FastMetrics): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  const walk = (o: object, path: string) => {
    for (const [k, v] of Object.entries(o)) {
      if (typeof v === 'number') out.push([path + k, v]);
      else if (v && typeof v === 'object') walk(v, `${path}${k}.`);
    }
  };
  walk(m, '');
  return out;
}

test('prepared from the plan = prepared from the materialised request list, bit for bit (300 random points)', () => {
  const rng = mulberry32(20261202);
  const a = createFastMetrics();
  const b = createFastMetrics();
  let compared = 0;
  for (let i = 0; i < 300; i++) {
    const { wl, algo, ov } = randomPoint(rng);
    const fromPlan = buildWorkload(wl, algo, ov);
    const fromList = buildWorkload(wl, algo, ov);
    assert.ok(generationPlan(fromPlan) && generationPlan(fromList), 'a built workload has a plan until its requests are read');
    assert.ok(fromList.requests.length > 0, 'fromList.requests.length > 0');
    assert.equal(generationPlan(fromList), undefined, 'reading the requests drops the plan');
    const p = prepareWorkload(fromPlan);
    const q = prepareWorkload(fromList);
    assert.ok(generationPlan(fromPlan), 'preparing from the plan does not materialise the requests');
    assert.equal(p.requests, fromList.requests.length);
    assert.deepEqual(p.classes, q.classes);
    assert.deepEqual(p.headRuns, q.headRuns);
    assert.deepEqual(p.tokens, q.tokens);
    // generation keeps the token top-k apart from the classes: one per (iteration, layer) whose next layer keeps fewer keys
    if (wl.stage === 'generation') assert.ok(p.classes.every((c) => c.topk === -1) && p.tokens.length === 3 * fromList.requests.filter((r) => r.topk >= 0).length, 'generation: token top-k apart');
    assert.deepEqual([p.runCls, p.runLen], [q.runCls, q.runLen]);
    for (const hw of [randomHardware(rng), randomHardware(rng)]) {
      evaluatePrepared(p, hw, a);
      evaluatePrepared(q, hw, b);
      const na = numbers(a);
      const nb = numbers(b);
      assert.equal(na.length, nb.length);
      for (let j = 0; j < na.length; j++) assert.ok(Object.is(na[j][1], nb[j][1]), `point ${i} ${na[j][0]}: ${na[j][1]} vs ${nb[j][1]}`);
      compared += na.length;
    }
  }
  assert.ok(compared > 300 * 2 * 20, 'compared > 300 * 2 * 20');
});

test('the materialised request list is the plan run by run: heads 0 … h−1 per (iteration, layer), the last one with the token top-k', () => {
  const w = buildWorkload(WorkloadSchema.parse({ model: 'gpt2-small', seqLen: 100, genTokens: 2 }), AlgoSchema.parse({ tokenKeep: 0.5, headKeep: 0.5 }));
  const plan = generationPlan(w)!;
  const rs = w.requests;
  // heads per layer: 12 in the unpruned front 30% (4 layers), then the cascade schedule
  assert.equal(rs.length, 2 * plan.headsAt.reduce((s, h) => s + h, 0));
  assert.deepEqual(plan.headsAt.slice(0, 4), [12, 12, 12, 12]);
  let i = 0;
  for (let it = 0; it < 2; it++)
    for (let l = 0; l < 12; l++)
      for (let h = 0; h < plan.headsAt[l]; h++, i++) {
        assert.deepEqual([rs[i].iteration, rs[i].layer, rs[i].head, rs[i].L], [it, l, h, 101 + it]);
        if (h < plan.headsAt[l] - 1) assert.equal(rs[i].topk, -1);
      }
  // layer 1 (unpruned, 15% front = 2 layers) keeps all 101 keys; layer 2 keeps fewer: the last head of layer 1 runs the top-k
  const last1 = rs.find((r) => r.layer === 1 && r.head === 11)!;
  const l2 = rs.find((r) => r.layer === 2)!;
  assert.equal(last1.keys, 101);
  assert.ok(l2.keys < 101, 'l2.keys < 101');
  assert.equal(last1.topk, l2.keys);
});

test('a generation window order asked once (made in reused arrays, not kept), then kept, then read: the same numbers bit for bit, another workload evaluated in between', () => {
  const rng = mulberry32(20261205);
  const designs = [HardwareSchema.parse({}), HardwareSchema.parse({ keySramKB: 24, qkMultipliers: 256 })];
  const a = createFastMetrics();
  const orders = (p: ReturnType<typeof prepareWorkload>) => [...p.windows.values()].flatMap((byPorts) => [...byPorts.values()].flatMap((m) => [...m.values()]));
  let points = 0;
  for (const hw of designs) {
    // a second design with this DRAM timing: its DRAM entries are kept (fast.ts memoDram), so windowOf keeps orders
    for (let i = 0; i < 2; i++) evaluatePrepared(prepareWorkload(buildWorkload(WorkloadSchema.parse({}), AlgoSchema.parse({}))), hw, a);
    for (let i = 0; i < 80; i++) {
      const { wl, algo, ov } = randomPoint(rng);
      if (wl.stage !== 'generation') continue;
      const p = prepareWorkload(buildWorkload(wl, algo, ov));
      const other = prepareWorkload(buildWorkload(wl, { ...algo, tokenKeep: algo.tokenKeep * 0.5 }, ov));
      const runs: Array<Array<[string, number]>> = [];
      for (let k = 0; k < 3; k++) {
        runs.push(numbers(evaluatePrepared(p, hw, a)));
        if (k === 0) assert.ok(orders(p).length > 0 && orders(p).every((o) => o === null), `point ${i}: the first ask keeps no order`);
        if (k === 1) assert.ok(orders(p).some((o) => o !== null), `point ${i}: the second ask keeps one`);
        evaluatePrepared(other, hw, a); // its first ask overwrites the reused arrays
      }
      for (let k = 1; k < 3; k++) {
        for (let j = 0; j < runs[0].length; j++) assert.ok(Object.is(runs[k][j][1], runs[0][j][1]), `point ${i} evaluation ${k} ${runs[0][j][0]}: ${runs[k][j][1]} vs ${runs[0][j][1]}`);
      }
      points++;
    }
  }
  assert.ok(points >= 30, `${points} generation points compared`);
});

test('gather-cost rows (sim/hw/gather-cache.ts) = dram-cost.ts requestDramCostInto, bit for bit, on repeated and new designs', () => {
  const rng = mulberry32(7);
  const fields = ['cyclesPerByte', 'activationsPerByte', 'spreadPerByte', 'leadPerByte'] as const;
  const streams = ['q', 'k', 'lsb', 'v'] as const;
  const a = newRequestDramCost();
  const b = newRequestDramCost();
  let cached = 0;
  for (let d = 0; d < 12; d++) {
    const hw = randomHardware(rng);
    const t1 = dramProfileTiming(hw);
    // each design priced twice in a row: the second time through the rows
    for (let pass = 0; pass < 2; pass++) {
      beginDesign(t1, hw.dramChannels, hw.clockGHz);
      for (let i = 0; i < 200; i++) {
        const L = 1 + Math.floor(rng() * (rng() < 0.1 ? 40000 : 1100));
        const keys = rng() < 0.1 ? L + Math.floor(rng() * 3) : Math.floor(rng() * (L + 1));
        const r = {
          L, keys, queries: rng() < 0.7 ? 1 : 1 + Math.floor(rng() * 300), valuesFetched: Math.floor(rng() * (keys + 1)),
          D: rng() < 0.9 ? 64 : 1 + Math.floor(rng() * 100), keyBits: 1 + Math.floor(rng() * 16), lsbBits: Math.floor(rng() * 9),
          valueBits: 1 + Math.floor(rng() * 16), queryBits: 1 + Math.floor(rng() * 16),
        };
        // V with K's shape (no local-V pruning, equal widths): priced once, copied (dram-cost.ts requestCostFrom)
        if (rng() < 0.3) Object.assign(r, { valuesFetched: r.keys, valueBits: r.keyBits });
        requestCostFrom(a, r, cachedGathers);
        requestDramCostInto(b, r, hw.dramChannels, t1, hw.clockGHz);
        for (const s of streams) for (const f of fields) assert.ok(Object.is(a[s][f], b[s][f]), `design ${d} ${JSON.stringify(r)} ${s}.${f}: ${a[s][f]} vs ${b[s][f]}`);
        // …and both equal the gathers priced one by one
        const v = gatherCost(Math.max(r.L, r.valuesFetched), r.valuesFetched, (r.D * r.valueBits) / 8, hw.dramChannels, t1, hw.clockGHz);
        const q = gatherCost(Math.max(1, r.queries), Math.max(1, r.queries), Math.ceil((r.D * r.queryBits) / 8), hw.dramChannels, t1, hw.clockGHz);
        for (const f of fields) assert.ok(Object.is(a.v[f], v[f]) && Object.is(a.q[f], q[f]), `design ${d} ${JSON.stringify(r)} v/q.${f}`);
        if (pass === 1) cached++;
      }
    }
  }
  assert.equal(cached, 12 * 200);
});

test('window crossover order: the radix sort (window.ts sortedOrder) gives the merge sort\'s stable order exactly, ties, zeros, infinities and clustered keys included', () => {
  const rng = mulberry32(41);
  const kinds: Array<(i: number) => number> = [
    () => rng() * 10,
    () => Math.floor(rng() * 5), // many ties
    () => (rng() < 0.1 ? Infinity : 1 + rng() * 1e-9), // keys closer than the radix resolution
    () => (rng() < 0.2 ? 0 : Math.exp(rng() * 40 - 20)), // zeros and a wide range
    (i) => 1 + (i % 48) * 0.1 + rng() * 1e-3, // layers × iterations, as a generation workload's
    () => (rng() < 0.5 ? -rng() : rng()), // negative keys: the merge sort fallback
    (i) => i + rng() * 3, // nearly in order (the insertion pass of small n)
    (i) => 5000 - i, // reversed (small n: too many moves for the insertion pass, the merge sort)
  ];
  let checked = 0;
  for (const n of [1, 2, 32, 63, 64, 65, 200, 1536, 4000]) {
    for (const kind of kinds) {
      const t = Float64Array.from({ length: n }, (_, i) => kind(i));
      const expected = Array.from(stableOrder(t));
      for (let j = 1; j < n; j++) assert.ok(t[expected[j - 1]] < t[expected[j]] || (t[expected[j - 1]] === t[expected[j]] && expected[j - 1] < expected[j]), 't[expected[j - 1]] < t[expected[j]] || (t[expected[j - 1]] === t[expected[j]] && expected[j - 1] …');
      assert.deepEqual(Array.from(sortedOrder(t, new Int32Array(n), new Int32Array(n))), expected, `n=${n}`);
      checked++;
    }
  }
  assert.equal(checked, 72);
  // a NaN key: ordered as the merge sort orders it, whatever the path
  for (const n of [5, 32, 200]) {
    const t = Float64Array.from({ length: n }, (_, i) => (i === 3 ? NaN : (i * 7919) % 13));
    assert.deepEqual(Array.from(sortedOrder(t, new Int32Array(n), new Int32Array(n))), Array.from(stableOrder(t)), `NaN, n=${n}`);
  }
});

test('gather costs of a timing seen by one design (small direct-mapped table, more shapes than its 256 slots: evicted and priced again) = the same timing seen again (shared table) = the closed form, bit for bit', () => {
  const rng = mulberry32(43);
  type Shape = { L: number; n: number; bpt: number };
  for (let d = 0; d < 6; d++) {
    // a DRAM design no earlier test used (continuous bandwidth): its timing's first sighting
    const hw = { ...randomHardware(rng), dramChannelGBps: 20 + rng() * 40 };
    const first = dramProfileTiming(hw);
    assert.equal(timingSightings(timingId(first)), 1);
    const shapes: Shape[] = [];
    for (let s = 0; s < 300; s++) {
      const L = 1 + Math.floor(rng() * 3000);
      shapes.push({ L, n: rng() < 0.3 ? L : 1 + Math.floor(rng() * L), bpt: [8, 24, 32, 48, 96, 128][Math.floor(rng() * 6)] });
    }
    const price = (t: typeof first, sh: Shape) => gatherCost(sh.L, sh.n, sh.bpt, hw.dramChannels, t, hw.clockGHz);
    const small = shapes.map((sh) => price(first, sh));
    const smallHit = shapes.map((sh) => price(first, sh)); // found in the small table, or priced again where a later shape took its slot
    const again = dramProfileTiming(hw); // a second design object with the same timing: the shared table
    assert.equal(timingId(again), timingId(first));
    assert.equal(timingSightings(timingId(again)), 2);
    const shared = shapes.map((sh) => price(again, sh));
    shapes.forEach((sh, i) => {
      const e = expectedGatherCost(sh.L, sh.n, sh.bpt * fuseFactor(sh.bpt), hw.dramChannels, first);
      for (const k of ['cyclesPerByte', 'activationsPerByte', 'spreadPerByte', 'leadPerByte'] as const) {
        const want = k === 'activationsPerByte' ? e[k] : e[k] * hw.clockGHz;
        assert.ok(Object.is(small[i][k], want) && Object.is(smallHit[i][k], want) && Object.is(shared[i][k], want), `${k} L=${sh.L} n=${sh.n} bpt=${sh.bpt}`);
      }
    });
  }
});

test('distinct DRAM timings leave no memo entries behind; a timing asked about again is memoised; results the same either way', () => {
  const rng = mulberry32(44);
  const p = prepareWorkload(buildWorkload(WorkloadSchema.parse({ seqLen: 200, genTokens: 4 }), AlgoSchema.parse({ tokenKeep: 0.5, valueKeep: 0.6 })));
  const once = createFastMetrics();
  const twice = createFastMetrics();
  for (let i = 0; i < 30; i++) {
    const hw = { ...randomHardware(rng), dramChannelGBps: 20 + rng() * 40 }; // a timing of its own
    evaluatePrepared(p, hw, once);
    assert.equal(p.windowCount, 0, 'no window order kept for a timing seen once');
    evaluatePrepared(p, { ...hw, inFlight: hw.inFlight }, twice); // same design, a new object: the memo's last value
    assert.deepEqual(numbers(twice), numbers(once));
  }
  const hw = { ...randomHardware(rng), dramChannelGBps: 33.3 };
  evaluatePrepared(p, hw, once);
  evaluatePrepared(p, { ...randomHardware(rng), dramChannelGBps: 33.3, dramRefresh: hw.dramRefresh, dramQueueDepth: hw.dramQueueDepth, dramMapping: hw.dramMapping }, twice);
  evaluatePrepared(p, hw, twice); // its timing's second design: memoised, same numbers
  assert.ok(p.windowCount >= 1, 'p.windowCount >= 1');
  for (const [[k, a], [, b]] of numbers(once).map((e, i) => [e, numbers(twice)[i]] as const)) assert.ok(Object.is(a, b), k);
});
