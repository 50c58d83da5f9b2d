// HwMemo (sim/hw/memo.ts): one value per distinct combination of the listed fields, whatever
// their hashes do; bounded; `admit` keeps a value out; `secondMaking` stores a value when it is made again.
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

test('secondMaking: a value is stored the second time it is made, then found; the last value is still returned at once', () => {
  const m = new HwMemo<string>(FIELDS, undefined, true);
  let made = 0;
  const get = (q: number) => m.get(hw(q, 1, 'm', true), () => (made++, `v${q}`));
  assert.equal(get(1), 'v1'); // made (first time: not stored)
  assert.equal(get(1), 'v1'); // the last value: not made again
  assert.equal(made, 1);
  assert.equal(get(2), 'v2');
  assert.equal(get(1), 'v1'); // made a second time: stored now
  assert.equal(made, 3);
  assert.equal(get(2), 'v2'); // second making of 2: stored
  assert.equal(made, 4);
  for (let i = 0; i < 3; i++) assert.deepEqual([get(1), get(2)], ['v1', 'v2']); // both found
  assert.equal(made, 4);
  // distinct values (a sweep of distinct points) are each made once and never stored
  for (let q = 100; q < 200; q++) get(q);
  assert.equal(made, 104);
  // two tables share the doorkeeper's slots, not their sightings: a value seen by one is new to the other
  const other = new HwMemo<string>(FIELDS, undefined, true);
  let otherMade = 0;
  const getOther = (q: number) => other.get(hw(q, 1, 'm', true), () => (otherMade++, `w${q}`));
  getOther(1);
  getOther(2);
  getOther(1); // second making in this table: stored
  getOther(2);
  getOther(1);
  getOther(2);
  assert.equal(otherMade, 4);
});

test('a field name that is not an identifier is refused', () => {
  assert.throws(() => new HwMemo(['qk-multipliers' as keyof HardwareConfig]), /not an identifier/);
});

test('NumTable grows from 256 slots to its full size and answers as a Map with the clear-at-capacity rule', async () => {
  const { NumTable } = await import('../sim/hw/num-table.ts');
  const capacity = 5000;
  const t = new NumTable(capacity, 2);
  assert.equal(t.slots.length, 256 * 5, 'starts small');
  const ref = new Map<string, [number, number]>();
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const keys: [number, number][] = [];
  const check = (a: number, b: number) => {
    const o = t.find(a, b);
    const want = ref.get(`${a}|${b}`);
    if (want === undefined) return assert.equal(o, -1, `no entry for ${a}|${b}`);
    assert.ok(o >= 0, `entry ${a}|${b} kept`);
    assert.deepEqual([t.slots[o], t.slots[o + 1]], want);
  };
  for (let k = 0; k < 3 * capacity; k++) {
    // every third step looks up a key inserted earlier (kept, or dropped by an emptying)
    if (k % 3 === 2 && keys.length > 0) {
      const [a, b] = keys[Math.floor(rnd() * keys.length)];
      check(a, b);
      continue;
    }
    const a = Math.floor(rnd() * 300);
    const b = rnd() < 0.5 ? Math.floor(rnd() * 1e6) : rnd() * 1e9;
    if (ref.has(`${a}|${b}`)) continue;
    check(a, b);
    if (ref.size >= capacity) ref.clear(); // the table empties itself at the next insert when full
    const w = t.insert(a, b);
    t.slots[w] = a + b;
    t.slots[w + 1] = k;
    ref.set(`${a}|${b}`, [a + b, k]);
    keys.push([a, b]);
  }
  for (const [a, b] of keys) check(a, b);
  assert.equal(t.slots.length, 16384 * 5, 'full size: the power of two ≥ 2 × capacity');
  t.set(-1, -2, 42);
  assert.equal(t.get(-1, -2), 42);
});

test('timing ids: equal values share an id, any field (mapping included) makes another; ids restart after 1,024 with a new epoch', async () => {
  const { timingEpoch, timingId, timingSightings } = await import('../sim/hw/timing-id.ts');
  const { hbmTiming } = await import('../sim/cycle/hbm-timing.ts');
  const t = (gbps: number, mapping: 'RoBaRaCoCh' | 'RoBaCoRaCh' = 'RoBaCoRaCh', queueDepth?: number) => hbmTiming({ clockGHz: 1, dramChannelGBps: gbps }, { mapping, queueDepth });
  const a = timingId(t(33.25));
  const e0 = timingEpoch();
  assert.equal(timingId(t(33.25)), a, 'a new object with equal values');
  assert.equal(timingSightings(a), 2);
  const others = [t(33.25, 'RoBaRaCoCh'), t(33.25, 'RoBaCoRaCh', 7), t(33.25 + 1e-9)].map(timingId);
  assert.equal(new Set([a, ...others]).size, 4);
  // 1,024 more distinct timings: the ids restart once, and the epoch says so
  for (let i = 0; i < 1024; i++) timingId(t(40 + i / 64));
  assert.equal(timingEpoch(), e0 + 1);
  const b = timingId(t(33.25));
  assert.equal(timingSightings(b), 1, 'counted afresh in the new epoch');
  assert.equal(timingId(t(33.25)), b);
});
