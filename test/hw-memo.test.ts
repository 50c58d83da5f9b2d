// HwMemo (sim/hw/memo.ts): one value per distinct combination of the listed fields, whatever
// their hashes do; bounded; `admit` keeps a value out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HwMemo, type HwFields } from '../sim/hw/memo.ts';
import type { HardwareConfig } from '../sim/schema.ts';

const FIELDS: HwFields = ['qkMultipliers', 'dramChannelGBps', 'dramMapping', 'dramRefresh'];
const hw = (qk: number, gbps: number, mapping: string, refresh: boolean) =>
  ({ qkMultipliers: qk, dramChannelGBps: gbps, dramMapping: mapping, dramRefresh: refresh, pvMultipliers: 7 }) as unknown as HardwareConfig;

/** A memo whose values count the calls of `make`. */
function counting(capacity?: number) {
  const m = new HwMemo<number>(FIELDS, capacity);
  let made = 0;
  return { get: (h: HardwareConfig, admit?: (v: number) => boolean) => m.get(h, () => ++made, admit), made: () => made };
}

test('equal field values share a value; any listed field that differs makes a new one; unlisted fields do not count', () => {
  const c = counting();
  const a = c.get(hw(512, 32, 'pc-interleaved', true));
  assert.equal(c.get(hw(512, 32, 'pc-interleaved', true)), a);
  assert.equal(c.get({ ...hw(512, 32, 'pc-interleaved', true), pvMultipliers: 9 } as HardwareConfig), a);
  const others = [hw(256, 32, 'pc-interleaved', true), hw(512, 32.5, 'pc-interleaved', true), hw(512, 32, 'pc-interleavex', true), hw(512, 32, 'pc-interleaved', false)];
  const vs = others.map((h) => c.get(h));
  assert.equal(new Set([a, ...vs]).size, 5);
  // every one is found again after the others (not only the last value)
  assert.deepEqual(others.map((h) => c.get(h)), vs);
  assert.equal(c.get(hw(512, 32, 'pc-interleaved', true)), a);
  assert.equal(c.made(), 5);
});

test('values whose hashes may coincide stay apart: strings of one length and the same end characters, doubles a bit apart', () => {
  const c = counting();
  const names = ['axxxb', 'ayyyb', 'azzzb', 'a---b'];
  const ids = names.map((s) => c.get(hw(64, 16, s, false)));
  assert.equal(new Set(ids).size, names.length);
  assert.deepEqual(names.map((s) => c.get(hw(64, 16, s, false))), ids);
  const x = 0.1 + 0.2;
  const d = [x, 0.3, x + Number.EPSILON, 1e300, 2 ** 31, 2 ** 31 + 0.5, -1].map((g) => c.get(hw(64, g, 'm', false)));
  assert.equal(new Set(d).size, 7);
});

test('capacity: a full table starts afresh; capacity 1 keeps the last value only', () => {
  const c = counting(3);
  for (const q of [1, 2, 3]) c.get(hw(q, 1, 'm', true));
  c.get(hw(1, 1, 'm', true)); // still there
  assert.equal(c.made(), 3);
  c.get(hw(4, 1, 'm', true)); // the fourth entry empties the table first
  c.get(hw(1, 1, 'm', true));
  assert.equal(c.made(), 5);
  const one = counting(1);
  one.get(hw(1, 1, 'm', true));
  one.get(hw(1, 1, 'm', true));
  one.get(hw(2, 1, 'm', true));
  one.get(hw(1, 1, 'm', true));
  assert.equal(one.made(), 3);
});

test('admit false: the value is used (and is the last value) but not kept', () => {
  const c = counting();
  const v = c.get(hw(8, 8, 'm', true), () => false);
  assert.equal(c.get(hw(8, 8, 'm', true), () => false), v); // the last value
  c.get(hw(9, 8, 'm', true));
  assert.notEqual(c.get(hw(8, 8, 'm', true)), v); // made again
  assert.equal(c.made(), 3);
});

test('a field name that is not an identifier is refused', () => {
  assert.throws(() => new HwMemo(['qk-multipliers' as keyof HardwareConfig]), /not an identifier/);
});
