/** Per-request static quantities of the cycle simulator (sim/cycle/requests.ts), hand-computed. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hbmTiming } from '../sim/cycle/hbm-timing.ts';
import { bufferLines } from '../sim/cycle/geometry.ts';
import { footprint, headWork, prepareRequests, T_DRAM_BYTES, T_KEY_R, T_KEY_W, T_VAL_W, T_PV_MACS, T_QK_MACS, T_SOFTMAX, T_SPLITS, type RequestContext } from '../sim/cycle/requests.ts';
import { spillRegion } from '../sim/cycle/gather-layout.ts';
import { defaultHardware } from '../sim/schema.ts';
import type { HeadRequest } from '../sim/workload/types.ts';
import { oneHead } from './cycle-micro.test.ts';

const hw = defaultHardware();
const tim = hbmTiming(hw);
const b = bufferLines(hw);
const ctx = (over: Partial<RequestContext> = {}): RequestContext => ({ hw, tim, reuseKV: false, refetch: [], keyBufLines: b.key, valBufLines: b.value, keyLineBits: b.keyLineBits, valLineBits: b.valLineBits, ...over });
const head = (over: Partial<HeadRequest> = {}) => oneHead(over).requests[0];

test('work of a causal prompt head: query j sees K − q + j + 1 keys and a proportional share of values', () => {
  // K = q = 4, 2 values per query at full length; 8 keys per Q·K line, 8 softmax lanes
  const w = headWork(head({ keys: 4, queries: 4, valuesPerQuery: 2, causal: true }), { per: 8, cpl: 1 }, { per: 8, cpl: 1 }, 8);
  // seen 1, 2, 3, 4; values max(1, round(2·seen/4)) = 1, 1, 2, 2
  assert.deepEqual(w, { qkLines: 4, smCycles: 4, pvLines: 4, keysSeen: 10, values: 6, vpqFull: 2 });
  const nc = headWork(head({ keys: 100, queries: 3, valuesPerQuery: 20 }), { per: 8, cpl: 1 }, { per: 1, cpl: 2 }, 8);
  assert.deepEqual(nc, { qkLines: 3 * 13, smCycles: 3 * 13, pvLines: 3 * 20 * 2, keysSeen: 300, values: 60, vpqFull: 20 });
});

test('footprint: even line counts; a generation head larger than the buffer is split, a summarization head spills', () => {
  const qk = { per: 8, cpl: 1 };
  const small = footprint(head({ keys: 100, valuesFetched: 30 }), qk, qk, 30, ctx());
  assert.deepEqual([small.keyLines, small.valLines, small.split], [14, 4, false]); // ⌈100/8⌉ = 13 → 14; ⌈30/8⌉ = 4
  const big = footprint(head({ keys: 3000, valuesFetched: 3000 }), qk, qk, 3000, ctx());
  assert.deepEqual([big.keyLines, big.valLines, big.split, big.spillK], [256, 256, true, 0]);
  // summarization, 3000 queries over 3000 keys: half of the 256 lines (double buffering, §V-C) =
  // 1024 keys resident, 1976 fetched again for each other query
  const sum = footprint(head({ keys: 3000, queries: 3000, valuesFetched: 3000, valuesPerQuery: 3000 }), qk, qk, 3000, ctx({ reuseKV: true }));
  assert.equal(sum.keyLines, 128);
  assert.equal(sum.spillK, 1976);
  assert.equal(sum.spillKScale, 2999);
  assert.equal(sum.spillV, 1976);
  assert.equal(sum.spillVScale, 2999);
});

test('a summarization head writes its spilled lines again for every query that fetches them again (RTL stage 7: a line per fetch response)', () => {
  // 3000 queries over 3000 keys and values (D 64, 512 multipliers: 8 vectors a 6,144-bit line):
  // the head's ⌈3000/8⌉ = 375 lines once, then the 1976 spilled vectors' ⌈1976/8⌉ = 247 lines for
  // each of the 2999 other queries; the analytical model writes every fetched element likewise
  const r = head({ keys: 3000, queries: 3000, valuesFetched: 3000, valuesPerQuery: 3000 });
  const t = prepareRequests([r], ctx({ reuseKV: true, refetch: [false] })).tally;
  assert.equal(t[T_KEY_W], (375 + 247 * 2999) * 6144);
  assert.equal(t[T_VAL_W], (375 + 247 * 2999) * 6144);
  // without a spill (the default design's buffers hold 512 keys): the head's lines once
  const t0 = prepareRequests([head()], ctx({ reuseKV: true, refetch: [false] })).tally;
  assert.equal(t0[T_KEY_W], 64 * 6144);
});

test('activity of one head: MACs, softmax elements, key-buffer reads, DRAM bytes of K (8 b), Q (12 b) and V (8 b)', () => {
  const r = head(); // 512 keys and values, D 64, 1 query
  const tb = prepareRequests([r], ctx({ refetch: [false] }));
  const t = tb.tally;
  assert.equal(t[T_QK_MACS], 512 * 64);
  assert.equal(t[T_PV_MACS], 512 * 64);
  assert.equal(t[T_SOFTMAX], 512);
  assert.equal(t[T_KEY_R], 64 * 6144);
  assert.equal(t[T_DRAM_BYTES], 512 * 64 + 96 + 512 * 64);
  assert.equal(tb.keyLines[0], 64);
  assert.equal(tb.qkWork[0], 64);
  assert.equal(tb.lsbStream[0], null);
  // a refetch adds the LSB stream and a second pass of Q·K and softmax
  const rf = prepareRequests([head({ lsbBits: 4 })], ctx({ refetch: [true] })).tally;
  assert.equal(rf[T_QK_MACS], 2 * 512 * 64);
  assert.equal(rf[T_DRAM_BYTES], 512 * 64 + 96 + 512 * 32 + 512 * 64);
});

test('identical consecutive heads share entries and add the same totals as heads computed one by one', () => {
  const rs = [head(), head(), head({ keys: 3000, L: 3000, valuesFetched: 3000, valuesPerQuery: 3000 }), head({ keys: 3000, L: 3000, valuesFetched: 3000, valuesPerQuery: 3000 })];
  const all = prepareRequests(rs, ctx({ refetch: [false, false, false, false] }));
  assert.equal(all.kStream[1], all.kStream[0]);
  const sep = rs.map((r) => prepareRequests([r], ctx({ refetch: [false] })).tally);
  for (let k = 0; k < all.tally.length; k++) {
    const s = sep.reduce((a, t) => a + t[k], 0);
    assert.ok(Math.abs(all.tally[k] - s) <= 1e-9 * Math.abs(s), `tally[${k}] ${all.tally[k]} vs ${s}`);
  }
  assert.equal(all.tally[T_SPLITS], 2);
});

test('a spilled part spans its share of the region at the gather density: a dense spill stays dense', () => {
  // 320 keys, all kept, 128 resident: the 192 spilled ones are the region's last 192 tokens
  assert.equal(spillRegion(320, 320, 192), 192);
  // 160 of 320 kept (every other token), 40 spilled: the last 40 kept lie in the last 80 tokens
  assert.equal(spillRegion(320, 160, 40), 80);
  // rounding stays within [spill, region]: 3 of 7 kept in 10 tokens, 2 spilled → 10·2/7 = 2.86 → 3
  assert.equal(spillRegion(10, 7, 2), 3);
  assert.equal(spillRegion(10, 10, 10), 10);
});
