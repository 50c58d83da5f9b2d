import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ParamDomain } from '../dse/driver.ts';
import { LhsDriver } from '../dse/drivers/lhs.ts';

const SPACE: ParamDomain[] = [
  { key: 'x', kind: 'interval', low: -2, high: 3, integer: false },
  { key: 'n', kind: 'interval', low: 1, high: 40, integer: true },
  { key: 'kb', kind: 'choice', values: [512, 32, 64, 128] },
  { key: 'mode', kind: 'choice', values: ['a', 'b', 'c'] },
];
const ctx = (seed: number, space = SPACE) => ({ space, objectives: [{ metric: 'f', goal: 'min' as const }], seed });

test('continuous parameters: every one of the n strata is hit exactly once', () => {
  const n = 50;
  const d = new LhsDriver(ctx(1), { samples: n });
  const ts = d.ask(1000);
  assert.equal(ts.length, n);
  const strata = ts.map((t) => Math.floor((((t.params.x as number) + 2) / 5) * n)).sort((a, b) => a - b);
  assert.deepEqual(strata, Array.from({ length: n }, (_, i) => i));
});

test('discrete parameters: balanced counts, values inside their domains', () => {
  const d = new LhsDriver(ctx(2), { samples: 60 });
  const ts = d.ask(60);
  const counts = (key: string) => {
    const m = new Map<unknown, number>();
    for (const t of ts) m.set(t.params[key], (m.get(t.params[key]) ?? 0) + 1);
    return m;
  };
  assert.deepEqual([...counts('kb').values()].sort(), [15, 15, 15, 15]);
  assert.deepEqual([...counts('mode').values()].sort(), [20, 20, 20]);
  for (const t of ts) {
    assert.ok(Number.isInteger(t.params.n) && (t.params.n as number) >= 1 && (t.params.n as number) <= 40, 'Number.isInteger(t.params.n) && (t.params.n as number) >= 1 && (t.params.n as number) <= 40');
    assert.ok([512, 32, 64, 128].includes(t.params.kb as number), '[512, 32, 64, 128].includes(t.params.kb as number)');
  }
  // 40 integer values over 60 samples: each value 1 or 2 times
  for (const c of counts('n').values()) assert.ok(c === 1 || c === 2, 'c === 1 || c === 2');
});

test('reproducible from the seed; different seeds differ; asks hand the design out in order', () => {
  const a = new LhsDriver(ctx(7), { samples: 20 }).ask(20);
  const d = new LhsDriver(ctx(7), { samples: 20 });
  const b = [...d.ask(3), ...d.ask(0), ...d.ask(10), ...d.ask(100)];
  assert.deepEqual(b, a);
  assert.deepEqual(a.map((t) => t.id), Array.from({ length: 20 }, (_, i) => i));
  assert.ok(d.done(), 'd.done()');
  assert.deepEqual(d.ask(5), []);
  assert.notDeepEqual(new LhsDriver(ctx(8), { samples: 20 }).ask(20), a);
});

test('small discrete spaces: no duplicate points; capped at the space size', () => {
  const space: ParamDomain[] = [
    { key: 'a', kind: 'choice', values: [1, 2, 3, 4] },
    { key: 'b', kind: 'choice', values: ['x', 'y', 'z'] },
  ];
  const d8 = new LhsDriver(ctx(3, space), { samples: 12 }).ask(100);
  assert.equal(new Set(d8.map((t) => JSON.stringify(t.params))).size, 12);
  const big = new LhsDriver(ctx(3, space), { samples: 500 });
  assert.equal(big.total, 12);
  assert.equal(new Set(big.ask(500).map((t) => JSON.stringify(t.params))).size, 12);
});
