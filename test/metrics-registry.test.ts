/**
 * The metric registry's derived metrics (sim/metrics.ts): each is stored by `deriveMetrics`, the
 * one place both models take them from. A registry entry whose store was forgotten used to read 0
 * on the analytical fast path and be missing from the cycle model's result, without any error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { derivationProblems, derivedMetrics, type BaseQuantities } from '../sim/metrics.ts';

test('derived metrics from base quantities worked out by hand', () => {
  // 2 s, 3 J, 5 GOP, 7 mm²
  const m = derivedMetrics({ latency_s: 2, energy_j: 3, ops: 5e9, area_mm2: 7 });
  assert.deepEqual(Object.keys(m).sort(), ['edp_js', 'gop_per_j', 'gops', 'gops_per_mm2', 'power_w']);
  assert.equal(m.power_w, 1.5);
  assert.equal(m.gops, 2.5);
  assert.equal(m.edp_js, 6);
  assert.ok(Math.abs(m.gop_per_j - 5 / 3) < 1e-12, `gop_per_j ${m.gop_per_j}`);
  assert.ok(Math.abs(m.gops_per_mm2 - 2.5 / 7) < 1e-12, `gops_per_mm2 ${m.gops_per_mm2}`);
});

test('every derived metric of the registry is stored by deriveMetrics', () => {
  assert.deepEqual(derivationProblems(), []);
});

test('a deriver that forgets a metric, or stores another value, is named', () => {
  const forgets = (b: BaseQuantities, out: Record<string, number>) => {
    Object.assign(out, derivedMetrics(b));
    delete out.gops_per_mm2;
    out.edp_js = 0;
  };
  const p = derivationProblems(forgets);
  assert.equal(p.length, 2, p.join('\n'));
  assert.match(p[0], /derived metric edp_js: deriveMetrics stores 0, its formula gives 6/);
  assert.match(p[1], /derived metric gops_per_mm2 is in the registry but deriveMetrics does not store it \(add `o\.gops_per_mm2 = FORMULA\.gops_per_mm2\(b\);`/);
});
