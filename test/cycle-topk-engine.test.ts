/** The top-k engine interface (sim/cycle/topk-engine.ts) and its use by the simulator. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { quickSelectEngine, type TopkEngine } from '../sim/cycle/topk-engine.ts';
import { quickSelectRandom } from '../sim/cycle/topk.ts';
import { simulateCycle } from '../sim/cycle/index.ts';
import { mulberry32 } from '../sim/workload/trace.ts';
import { defaultHardware } from '../sim/schema.ts';
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
  // default engine (topkModel 'paper'): the quick-select on the local-V pivot stream (seed 1) less
  // its first round, which runs as the scores arrive (16 comparators ≥ 8 scores per cycle: only its
  // 3-cycle turn-around remains); the ⌈512/16⌉-cycle filter is a stage of its own: the busier one
  const qs = quickSelectRandom(512, 128, 16, mulberry32(1 * 2654435761 + 17));
  assert.equal(base.extra!.topk_cycles_local, Math.max(qs.cycles - (32 + 3) + 3, 32));
  assert.equal(base.activity.topkCompares, qs.compares + 512);
  // the official RTL's dummy: all rounds, then the S = 8 wide drain
  const rtl = simulateCycle(w, { ...hw, topkModel: 'official-rtl' });
  assert.equal(rtl.extra!.topk_cycles_local, qs.cycles + 64);
  // with the token top-k after the head, the second engine is charged too
  const t = simulateCycle(oneHead({ valuesFetched: 128, valuesPerQuery: 128, topk: 100 }), hw, { topkEngine: () => fixed });
  assert.equal(t.extra!.topk_cycles_token, 110);
  assert.equal(t.activity.topkCompares, 1024);
});
