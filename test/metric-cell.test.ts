/**
 * dse/outputs.ts metricCell writes a metric's points.csv cell from the digits of toExponential
 * instead of printing the 6-digit rounding, parsing it back and printing the double: the cell must
 * be the one the long way gives, `csvCell(formatMetric(name, v))`, for every double.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csvCell, formatMetric, metricCell } from '../dse/outputs.ts';
import { mulberry32 } from '../sim/rng.ts';

const longWay = (name: string, v: number) => csvCell(formatMetric(name, v));

test('metricCell = csvCell(formatMetric(...)) at the edges: plain vs exponential forms, rounding up a decade, integers, counts, subnormals', () => {
  const edges = [
    0, -0, 1, -1, 0.1, 5.835, 0.0303831, 2.5e-8, -2.5e-8, 123456789.4, 999999.5, 999999.4999, 9.999995, 9.9999949,
    1e-6, 1.0000049e-6, 9.999996e-7, 9.9999949e-7, 1e-7, 1e21, 9.999995e20, 9.9999949e20, 1.23456789e25, 1.5e300, 1.7976931348623157e308,
    2.2250738585072014e-308, 1e-300, 9.99e-301, 5e-324, -5e-324, 4.9406564584124654e-322, 0.000001234565, 0.1 + 0.2, 18.709997119999997,
    NaN, Infinity, -Infinity,
  ];
  for (const v of edges) for (const name of ['latency_s', 'cycles', 'dram_bytes', 'gops']) assert.equal(metricCell(name, v), longWay(name, v), `${name} ${v}`);
  // the forms themselves, by hand
  assert.equal(metricCell('latency_s', 999999.5), '1000000');
  assert.equal(metricCell('latency_s', 1.23456789e-7), '1.23457e-7');
  assert.equal(metricCell('latency_s', 1.23456789e25), '1.23456789e+25'); // beyond 2^53 every double is an integer: kept whole, as formatMetric keeps integers
  assert.equal(metricCell('latency_s', 0.00000123456789), '0.00000123457');
  assert.equal(metricCell('area_mm2', 18.709997119999997), '18.71');
  assert.equal(metricCell('cycles', 15191535.40056203), '15191535');
  assert.equal(metricCell('latency_s', 5e-324), '5e-324'); // 4.94066e-324 reads back as the one subnormal
});

test('metricCell = csvCell(formatMetric(...)) on 300,000 random doubles: every bit pattern, and values over 40 decades', () => {
  const rng = mulberry32(11);
  const bits = new Float64Array(1);
  const words = new Uint32Array(bits.buffer);
  for (let i = 0; i < 100_000; i++) {
    words[0] = (rng() * 2 ** 32) >>> 0;
    words[1] = (rng() * 2 ** 32) >>> 0;
    const v = bits[0];
    assert.equal(metricCell('energy_j', v), longWay('energy_j', v), String(v));
    const w = (rng() - 0.5) * 10 ** Math.floor(rng() * 40 - 20);
    assert.equal(metricCell('energy_j', w), longWay('energy_j', w), String(w));
    const x = Math.round(rng() * 1e6) / 10 ** Math.floor(rng() * 9);
    assert.equal(metricCell('power_w', x), longWay('power_w', x), String(x));
  }
});
