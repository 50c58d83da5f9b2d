/**
 * Gated layer boundaries in generation (hw.gateTokenTopk): what a gated layer leaves of its windows
 * to no other head — its last batch's empty slots and the paces by which its gated head decides
 * after the batch's first (sim/hw/gate-slots.ts gateSlots, gateStaggers, staggerCycles;
 * finalize.ts gatedGeneration), the records the fast path keeps of the gated heads
 * (sim/hw/gate-slots.ts), and the gate's cost against the simulator's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { batchDecisionExcess, gateSlots, gateStaggers, slotOrderExcess, staggerCycles } from '../sim/hw/gate-slots.ts';
import { prepareWorkload } from '../sim/hw/prepare.ts';
import { gatedLayerHeads } from '../sim/hw/request-core.ts';
import { analyticalModel } from '../sim/hw/analytical.ts';
import { buildWorkload } from '../sim/workload/build.ts';
import { AlgoSchema, WorkloadSchema } from '../sim/schema.ts';
import { auditGated, gateCost } from '../scripts/gate-bubble.ts';

test('a gated layer\'s last batch: its empty slots and the gated head\'s paces, by hand', () => {
  // 12 heads, 2 in flight: six full batches, the gated head second of the last (one pace)
  assert.equal(gateSlots(12, 2), 0);
  assert.equal(gateStaggers(12, 2), 1);
  // 12 heads, 8 in flight: the second batch holds heads 8–11, half empty; the gated head is its fourth
  assert.equal(gateSlots(12, 8), 0.5);
  assert.equal(gateStaggers(12, 8), 3);
  // 16 heads, 8 in flight: two full batches, the gated head last of the second (seven paces)
  assert.equal(gateSlots(16, 8), 0);
  assert.equal(gateStaggers(16, 8), 7);
  // one head in flight: nothing overlaps a window, gated or not
  assert.equal(gateSlots(5, 1), 0);
  assert.equal(gateStaggers(5, 1), 0);
  // the paces by heads in flight, each at most W/n: 1 at n = 2 and 3 at n = 8, W = 160
  const st = new Float64Array(17);
  st[2] = 1;
  st[8] = 3;
  assert.equal(staggerCycles(st, 160, 10), 1 * 10 + 3 * 10);
  assert.equal(staggerCycles(st, 160, 100), 1 * 80 + 3 * 20);
});

test('heads spaced evenly over the window (a pace of W/n) pay W·(1 − 1/n) a gated layer, whatever its heads', () => {
  // the term the model read for every run before (finalize.ts gatedGeneration's history)
  const W = 240;
  for (let n = 1; n <= 16; n++) {
    for (let H = 1; H <= 40; H++) {
      const st = new Float64Array(17);
      st[n] = gateStaggers(H, n);
      const paid = W * gateSlots(H, n) + staggerCycles(st, W, 1e9);
      assert.ok(Math.abs(paid - W * (1 - 1 / n)) < 1e-9, `H ${H}, n ${n}: ${paid} against ${W * (1 - 1 / n)}`);
    }
  }
});

test('a gated layer whose heads refetch waits for the slot its gated head needs and for its batch\'s latest decision: their excess over the mean', () => {
  // one head before in each of 2 slots, refetching with p = ½: the gated head second of its batch
  // takes the later slot, E[max] = 1 − ¼ = ¾ refetching heads against ½ on average; first, E[min] = ¼
  assert.equal(slotOrderExcess(1, 0.5, 2, 1), 0.25);
  assert.equal(slotOrderExcess(1, 0.5, 2, 0), -0.25);
  // 5 heads before in each of 2 slots, p = 0.3: E[max(X₁, X₂)] − 1.5 by enumerating both binomials
  const pmf = (k: number, p: number) => Array.from({ length: k + 1 }, (_, x) => {
    let c = 1;
    for (let i = 1; i <= x; i++) c = (c * (k - i + 1)) / i;
    return c * p ** x * (1 - p) ** (k - x);
  });
  const f = pmf(5, 0.3);
  let eMax = 0;
  for (let a = 0; a <= 5; a++) for (let b = 0; b <= 5; b++) eMax += f[a] * f[b] * Math.max(a, b);
  assert.ok(Math.abs(slotOrderExcess(5, 0.3, 2, 1) - (eMax - 1.5)) < 1e-12, `${slotOrderExcess(5, 0.3, 2, 1)} against ${eMax - 1.5}`);
  // no refetches, every head refetching, nothing before the batch, one slot: no excess
  assert.equal(slotOrderExcess(5, 0, 4, 3), 0);
  assert.equal(slotOrderExcess(3, 1, 4, 3), 0);
  assert.equal(slotOrderExcess(0, 0.5, 4, 3), 0);
  assert.equal(slotOrderExcess(4, 0.5, 1, 0), 0);
  // the gate opens at the latest decision of the gated head's batch: 12 heads 8 at a time leave 4
  // in it; with p = ½ one of them refetches with probability 1 − ½⁴, where the mean window holds ½
  assert.equal(batchDecisionExcess(12, 8, 0.5), 1 - 0.5 ** 4 - 0.5);
  // 16 heads 8 at a time: a full batch of 8; 12 heads 16 at a time: one batch of 12
  assert.equal(batchDecisionExcess(16, 8, 0.25), 1 - 0.75 ** 8 - 0.25);
  assert.equal(batchDecisionExcess(12, 16, 0.25), 1 - 0.75 ** 12 - 0.25);
  // the max of r Bernoulli(p) by enumeration, r = 3, p = 0.3: P(some refetch) = 1 − 0.7³
  let eMaxB = 0;
  for (let m = 0; m < 8; m++) {
    const bits = [0, 1, 2].map((b) => (m >> b) & 1);
    eMaxB += Math.max(...bits) * bits.reduce((pr, b) => pr * (b ? 0.3 : 0.7), 1);
  }
  assert.ok(Math.abs(batchDecisionExcess(11, 8, 0.3) - (eMaxB - 0.3)) < 1e-12);
  // a head alone in its batch, or no refetches: nothing
  assert.equal(batchDecisionExcess(9, 8, 0.5), 0);
  assert.equal(batchDecisionExcess(12, 8, 0), 0);
});

test('the gated heads\' records: prepared from a plan as from its request list, and as many as the list has', () => {
  const w = buildWorkload(WorkloadSchema.parse({ model: 'gpt2-small', stage: 'generation', seqLen: 256, genTokens: 3 }), AlgoSchema.parse({ tokenKeep: 0.3, headKeep: 0.6, valueKeep: 0.5 }));
  const fromPlan = prepareWorkload(w).gates;
  const gated = w.requests.filter((q) => q.topk >= 0).length;
  const fromList = prepareWorkload(w).gates;
  assert.deepEqual([...fromPlan.off], [...fromList.off]);
  assert.deepEqual([...fromPlan.H], [...fromList.H]);
  assert.deepEqual([...fromPlan.m], [...fromList.m]);
  // Σ heads = the gated heads; Σ heads × their layer's heads = gatedLayerHeads
  assert.ok(gated >= 20);
  assert.equal(fromList.m.reduce((s, m) => s + m, 0), gated);
  assert.equal(fromList.m.reduce((s, m, i) => s + m * fromList.H[i], 0), gatedLayerHeads(w.requests));
  // head pruning leaves layers of different head counts
  assert.ok(new Set(fromList.H).size > 1, `${[...new Set(fromList.H)]}`);
});

test('gated layer boundaries, two heads in flight, the window the front\'s largest term: the gate costs about its top-k and one pace; the simulator is the reference', () => {
  // The cycle audit's draw (scripts/monotone-audit.ts, seed 1), its first 60 rounds: the gated
  // generation points with two heads in flight where the heads-in-flight window is the front's
  // largest term and the front the latency. What the gate costs a gated head — the gated run's
  // latency less the ungated one's, over the gated heads (scripts/gate-bubble.ts gateCost). The
  // simulator's heads go in pairs: a gate admits the next two together, and heads whose window is
  // mostly fixed latency stay a short pace apart, so a layer of 12 heads pays its gated head's
  // top-k and one pace (round 173 point 4, sim/cycle/README.md "The gated layer's last batch":
  // 55.5 cycles a gated head). Read as heads a window apart over the two in flight, W·(1 − 1/n) =
  // W/2 more, the model gave 117.0 there, and +27.8 cycles a gated head over these points on
  // average (mean |analytical − simulator| 31.3); with the batch's pace, 57.3 there, −3.4 and 15.3,
  // with the slots of refetching heads (slotOrderExcess) +2.2 and 13.8, and with the batch's
  // latest decision too (batchDecisionExcess: the cycle audit's mean |ln| 0.01730 → 0.01716) +4.3 and 14.2.
  const pts = auditGated(60).filter((p) => {
    if (p.hw.inFlight !== 2) return false;
    const x = analyticalModel(p.w, p.hw).extra as Record<string, number>;
    return x.front_window_cycles > Math.max(x.front_dram_cycles, x.front_compute_cycles) && x.limit_front_cycles >= Math.max(x.limit_window_cycles, x.limit_chain_cycles, x.limit_in_order_cycles);
  });
  const rows = gateCost(pts).filter((r) => r.cycle > 0 || r.analytical > 0);
  assert.equal(rows.length, 46, 'the draw');
  const e = rows.map((r) => r.analytical - r.cycle);
  const bias = e.reduce((s, x) => s + x, 0) / e.length;
  const err = e.reduce((s, x) => s + Math.abs(x), 0) / e.length;
  assert.ok(Math.abs(bias) < 10, `mean analytical − simulator ${bias} cycles a gated head`);
  assert.ok(err < 20, `mean |analytical − simulator| ${err} cycles a gated head`);
  const one = gateCost(auditGated(174).filter((p) => p.round === 173 && p.point === 4 && p.workload.startsWith('gpt2-small')));
  assert.equal(one.length, 1);
  assert.ok(Math.abs(one[0].analytical - one[0].cycle) < 0.1 * one[0].cycle, `round 173 point 4: ${one[0].analytical} against ${one[0].cycle}`);
});
