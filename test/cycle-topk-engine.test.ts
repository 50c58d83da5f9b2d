/** The top-k engine interface (sim/cycle/topk-engine.ts) and its use by the simulator. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { quickSelectEngine, quickSelectReading, type TopkEngine } from '../sim/cycle/topk-engine.ts';
import { quickSelectRandom } from '../sim/cycle/topk.ts';
import { simulateCycle } from '../sim/cycle/index.ts';
import { mulberry32, readTraceFile } from '../sim/workload/trace.ts';
import { defaultHardware, softmaxLanes } from '../sim/schema.ts';
import { designEngines, type TopkEngineSpec } from '../sim/hw/topk.ts';
import { oneHead } from './cycle-micro.test.ts';

test('quick-select engine: the same pivot draws and cycles as quickSelectRandom, plus the filter pass', () => {
  const e = quickSelectEngine(16);
  assert.equal(e.parallelism, 16);
  assert.equal(e.outputLatency, 5); // log2 16 + 1
  const a = mulberry32(9);
  const b = mulberry32(9);
  for (const [n, k] of [
    [993, 204],
    [102, 20],
    [64, 1],
  ]) {
    const c = e.select(n, k, a);
    const q = quickSelectRandom(n, k, 16, b);
    assert.equal(c.select, q.cycles);
    assert.equal(c.filter, Math.ceil(n / 16));
    assert.equal(c.compares, q.compares + n);
  }
  assert.equal(a(), b(), 'both streams consumed the same draws');
  // filter at the Q·K rate: 8 keys per line → ⌈993/8⌉; 1 key per 2 cycles → 2·993
  assert.equal(e.select(993, 204, a, { per: 8, cpl: 1 }).filter, 125);
  assert.equal(e.select(993, 204, a, { per: 1, cpl: 2 }).filter, 1986);
});

test('a different engine plugs in through CycleOptions.topkEngine: fixed-cost engine, hand-counted totals', () => {
  const fixed: TopkEngine = { parallelism: 1, outputLatency: 0, pipelinedFilter: false, select: (n) => ({ select: 100, filter: 10, compares: n }) };
  const hw = defaultHardware();
  // one generation head, 512 keys, local-V keeps 128: one selection per query (1 query)
  const w = oneHead({ valuesFetched: 128, valuesPerQuery: 128 });
  const r = simulateCycle(w, hw, { topkEngine: () => fixed });
  assert.equal(r.extra!.topk_cycles_local, 110);
  assert.equal(r.extra!.topk_cycles_token, 0);
  assert.equal(r.activity.topkCompares, 512);
  const base = simulateCycle(w, hw);
  // default engine (topkModel 'paper'): the quick-select on the local-V pivot stream (seed 1), every
  // round busy (its first round runs as the scores arrive, which shortens the latency of an idle
  // engine, not its occupancy); the ⌈512/16⌉-cycle filter is a stage of its own: the busier one
  const qs = quickSelectRandom(512, 128, 16, mulberry32(1 * 2654435761 + 17));
  assert.equal(base.extra!.topk_cycles_local, Math.max(qs.cycles, 32));
  assert.equal(base.activity.topkCompares, qs.compares + 512);
  // the official RTL's dummy: all rounds, then the S = 8 wide drain
  const rtl = simulateCycle(w, { ...hw, topkModel: 'official-rtl' });
  assert.equal(rtl.extra!.topk_cycles_local, qs.cycles + 64);
  // with the token top-k after the head, the second engine is charged too
  const t = simulateCycle(oneHead({ valuesFetched: 128, valuesPerQuery: 128, topk: 100 }), hw, { topkEngine: () => fixed });
  assert.equal(t.extra!.topk_cycles_token, 110);
  assert.equal(t.activity.topkCompares, 1024);
});

test('CycleOptions.topkEngine is asked once per engine with its spec; the (3, on arrival) reading is the design engine on per8', () => {
  const hw = defaultHardware();
  const w = readTraceFile('sim/workload/traces/summary-gpt2-small-wikitext2-per8.csv');
  const specs: TopkEngineSpec[] = [];
  const r = simulateCycle(w, hw, {
    topkEngine: (_hw, spec) => {
      specs.push(spec);
      return quickSelectReading(spec, { turnaround: 3, firstRound: 'arrival' });
    },
  });
  const eng = designEngines(hw, 64, softmaxLanes(hw));
  assert.deepEqual(specs, [eng.localV, eng.tokenHead]);
  assert.equal(specs[1].inputRate, Infinity); // token/head scores are accumulated: a full first round
  const base = simulateCycle(w, hw);
  assert.equal(r.cycles, base.cycles);
  assert.deepEqual(r.stages, base.stages);
  assert.deepEqual(r.activity, base.activity);
  // one cycle of turn-around per round instead of 3: the local-V engine's rounds (4,608 top-ks,
  // each ≥ 1 round) cost at least 2 × 4,608 fewer cycles, and nothing else changes its work
  const one = simulateCycle(w, hw, { topkEngine: (_hw, spec) => quickSelectReading(spec, { turnaround: 1, firstRound: 'arrival' }) });
  assert.ok(one.extra!.topk_cycles_local <= base.extra!.topk_cycles_local - 2 * 4608, `${one.extra!.topk_cycles_local} vs ${base.extra!.topk_cycles_local}`);
  assert.equal(one.activity.topkCompares, base.activity.topkCompares);
});

test('the local-V engine takes the rows of a head as they are decided: the last row adds only its own selection', () => {
  // One head of 64 queries over 512 keys (Q·K: 64 cycles a row on Table I's 512 multipliers), local-V
  // keeping 128 per row, on an engine that takes 20 cycles a row and no filter. The rows are
  // decided one at a time over the head's softmax job (RTL stages 11–15 pass them one by one), so
  // the engine keeps up (20 < 64) and the head's V ids leave 20 cycles after its last row's
  // decision, not 64 × 20 = 1,280 after it as when the engine waited for the whole head.
  const engine = (select: number): TopkEngine => ({ parallelism: 1, outputLatency: 0, pipelinedFilter: false, select: (n) => ({ select, filter: 0, compares: n }) });
  const w = oneHead({ queries: 64, valuesFetched: 128, valuesPerQuery: 128 });
  // (refresh off: a refresh window the shifted V fetch may or may not meet would blur the differences)
  const hw = { ...defaultHardware(), dramRefresh: false };
  const zero = simulateCycle(w, hw, { topkEngine: () => engine(0) });
  const twenty = simulateCycle(w, hw, { topkEngine: () => engine(20) });
  assert.equal(twenty.extra!.topk_cycles_local, 64 * 20);
  assert.equal(twenty.cycles - zero.cycles, 20);
  // an engine slower than the rows arrive (100 > 64 cycles a row) is the bound: it starts at the first
  // row's decision, 63 rows × 64 cycles before the last one's, and works 64 × 100
  const slow = simulateCycle(w, hw, { topkEngine: () => engine(100) });
  assert.equal(slow.cycles - zero.cycles, 64 * 100 - 63 * 64);
});
