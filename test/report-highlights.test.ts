/** The highlighted points table: the objectives the points were picked on come first, before the other metrics. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Highlight, RunJson } from '../core/results.ts';
import { highlightTable } from '../reports/run-sections.ts';

test('highlighted points table: objective columns first (perplexity before latency, energy and the rest), each metric once', () => {
  const h = { id: 5, label: 'knee', params: { a: 1 }, metrics: { latency_s: 1.2e-3, energy_j: 0.0183, area_mm2: 17.5, perplexity: 5.008, perplexity_ci_low: 4.6, perplexity_ci_high: 5.5 }, stages: {}, energy: {}, area: {} } as unknown as Highlight;
  // run.json lists the metrics hardware first, perplexity after them (as the default sweep's does)
  const run = {
    parameters: ['a'], metrics: ['latency_s', 'energy_j', 'area_mm2', 'perplexity', 'perplexity_ci_low', 'perplexity_ci_high'],
    objectives: [{ metric: 'perplexity', goal: 'min' }, { metric: 'latency_s', goal: 'min' }, { metric: 'energy_j', goal: 'min' }], highlights: [h],
  } as unknown as RunJson;
  const heads = [...highlightTable(run, ['a']).matchAll(/<span title="([^"]+)">/g)].map((m) => m[1]);
  assert.deepEqual(heads, ['a', 'perplexity', 'latency_s', 'energy_j', 'area_mm2']);
});

test('breakdown numbers: energy per module in the unit of the energy chart (mJ), not joules with exponents', async () => {
  const { breakdownTables } = await import('../reports/run-sections.ts');
  // the default sweep's knee: dram 0.0128 J, valueSram 5.498e-4 J, topk 2.449e-7 J; total 0.01335 J → mJ
  const h = { id: 1315, label: 'knee', params: {}, metrics: {}, stages: {}, energy: { dram: 0.0128, valueSram: 5.498e-4, topk: 2.449e-7 }, area: {} } as unknown as Highlight;
  const html = breakdownTables({ highlights: [h] } as unknown as RunJson);
  assert.match(html, /<h3>energy \(mJ\)<\/h3>/, html);
  const cells = [...html.slice(html.indexOf('energy (mJ)')).matchAll(/<td class="num" title="[^"]*">([^<]+)<\/td>/g)].map((m) => m[1]);
  assert.deepEqual(cells.slice(0, 2), ['12.8', '0.5498'], 'dram and value SRAM in mJ');
  assert.ok(Math.abs(Number(cells[2]) / 2.449e-4 - 1) < 1e-3, `topk: 2.449e-7 J = 2.449e-4 mJ, printed ${cells[2]}`);
});


test('energy and area breakdown charts give a module the same colour in both', async () => {
  const { stackedChart } = await import('../reports/breakdown-specs.ts');
  // module order differs between the charts, as on the default sweep (energy: dram first; area: qk first)
  const h = { id: 1, label: 'knee', params: {}, metrics: {}, stages: {}, energy: { dram: 0.0128, keySram: 0.0016, qk: 3.7e-4 }, area: { qk: 3.69, keySram: 3.43, pv: 1.9 } } as unknown as Highlight;
  type Colour = { encoding: { color: { scale: { domain: string[]; range: string[] } } } };
  const colours = (which: 'energy' | 'area') => {
    const sc = (stackedChart([h], which, { interactive: false } as never)!.spec as Colour).encoding.color.scale;
    return new Map(sc.domain.map((m, i) => [m, sc.range[i]]));
  };
  const e = colours('energy');
  const a = colours('area');
  assert.deepEqual([...e.keys()], ['dram', 'keySram', 'qk'], 'each chart lists its own modules only');
  assert.deepEqual([...a.keys()], ['qk', 'keySram', 'pv']);
  assert.equal(e.get('keySram'), a.get('keySram'));
  assert.equal(e.get('qk'), a.get('qk'));
  assert.equal(new Set([...e.values(), a.get('pv')]).size, 4, 'distinct modules, distinct colours');
});

test('highlight labels name the metric in words on the page ("best latency", not "best latency_s")', async () => {
  const { breakdownTables } = await import('../reports/run-sections.ts');
  const h = (id: number, label: string) => ({ id, label, params: {}, metrics: { latency_s: 1e-3 }, stages: {}, energy: { dram: 0.01 }, area: {} }) as unknown as Highlight;
  const run = { parameters: [], metrics: ['latency_s'], objectives: [{ metric: 'latency_s', goal: 'min' }], highlights: [h(3, 'knee, best latency_s'), h(7, 'best energy_j'), h(9, 'best perplexity')] } as unknown as RunJson;
  const tags = [...highlightTable(run, []).matchAll(/<span class="tag">([^<]+)<\/span>/g)].map((m) => m[1]);
  assert.deepEqual(tags, ['knee, best latency', 'best energy', 'best perplexity']);
  assert.match(breakdownTables(run), /<th>knee, best latency \(#3\)<\/th><th>%<\/th><th>best energy \(#7\)<\/th>/);
});

test('breakdown numbers: a stage\'s percentage is of the latency cycles, the bottleneck column\'s share (not of the stages\' sum)', async () => {
  const { breakdownTables } = await import('../reports/run-sections.ts');
  const { highlightWhy } = await import('../reports/sections.ts');
  // the default sweep's knee (#1315): 1,209,163 latency cycles, pv the busiest stage
  const stages = { dram: 846877, qk: 935633, softmax: 935633, topk: 118090, pv: 1069824, overhead: 139339 };
  const h = { id: 1315, label: 'knee', params: {}, metrics: { cycles: 1209163 }, stages, energy: { dram: 0.0128, qk: 3.7e-4 }, area: {} } as unknown as Highlight;
  const run = { parameters: [], metrics: ['cycles'], objectives: [], highlights: [h] } as unknown as RunJson;
  const html = breakdownTables(run);
  const stageTable = html.slice(html.indexOf('busy cycles'), html.indexOf('energy (mJ)'));
  assert.match(stageTable, /<th>knee \(#1315\)<\/th><th>% of latency<\/th>/);
  const pct = Object.fromEntries([...stageTable.matchAll(/<td>(\w+)<\/td><td class="num"[^>]*>[^<]*<\/td><td class="num muted">([\d.]+)%<\/td>/g)].map((m) => [m[1], Number(m[2])]));
  // 1,069,824 / 1,209,163 = 88.48%; 846,877 → 70.04%; 935,633 → 77.38%; 118,090 → 9.77%; 139,339 → 11.52%
  assert.deepEqual(pct, { dram: 70.0, qk: 77.4, softmax: 77.4, topk: 9.8, pv: 88.5, overhead: 11.5 });
  // the busiest stage and the overhead make up the latency
  assert.equal(pct.pv + pct.overhead, 100);
  // the same share as the bottleneck column (rounded to whole percent there)
  assert.match(highlightWhy(run), /<b>pv<\/b> 88%/);
  // energy shares stay shares of the total energy: 12.8 / 13.17 mJ
  const energyTable = html.slice(html.indexOf('energy (mJ)'));
  assert.match(energyTable, /<td>dram<\/td><td class="num"[^>]*>12\.8<\/td><td class="num muted">97\.2%<\/td>/);
});
