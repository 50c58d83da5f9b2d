/**
 * `simulate --json`'s area breakdown names the key and value SRAM as their own entries, as the
 * text output, run.json's highlights and the report do: it printed the model's internal grouping,
 * where each SRAM is booked under its array (qk 7.12 mm² = 3.69 of multipliers + 3.43 of key SRAM
 * on the default design), so the JSON and the text of the same point disagreed on "qk".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const BIN = path.join(import.meta.dirname, '..', 'bin', 'spatten-dse.js');
const simulate = (...args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, 'simulate', ...args], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
};

/** The text output's `area (mm²): k v, …` line as a map. */
function textArea(out: string): Record<string, number> {
  const line = out.split('\n').find((l) => l.startsWith('area (mm²): '));
  assert.ok(line, out);
  return Object.fromEntries(line.slice('area (mm²): '.length).split(', ').map((kv) => kv.split(' ')).map(([k, v]) => [k, Number(v)]));
}

test('simulate --json: area_breakdown_mm2 has the text output\'s entries and numbers, and sums to area_mm2', () => {
  const j = JSON.parse(simulate('--json'));
  const text = textArea(simulate());
  assert.deepEqual(Object.keys(j.area_breakdown_mm2).sort(), Object.keys(text).sort());
  for (const [k, v] of Object.entries(text)) assert.ok(Math.abs(j.area_breakdown_mm2[k] - v) <= 1e-4 * Math.max(1, v), `${k}: json ${j.area_breakdown_mm2[k]}, text ${v}`);
  const sum = Object.values(j.area_breakdown_mm2 as Record<string, number>).reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(sum - j.area_mm2) <= 1e-9 * j.area_mm2, `sum ${sum} vs area_mm2 ${j.area_mm2}`);
});

test('simulate --json: halving the key SRAM changes keySram only (the Q·K array keeps its area), by half of it (area ∝ capacity)', () => {
  const full = JSON.parse(simulate('--json')).area_breakdown_mm2;
  const half = JSON.parse(simulate('--json', '--set', 'hw.keySramKB=98')).area_breakdown_mm2;
  // (the arrays' areas are the model's totals less the SRAM: equal to rounding)
  assert.ok(Math.abs(half.qk - full.qk) <= 1e-9, `qk ${half.qk} vs ${full.qk}`);
  assert.ok(Math.abs(half.pv - full.pv) <= 1e-9, `pv ${half.pv} vs ${full.pv}`);
  assert.ok(Math.abs(half.keySram - full.keySram / 2) <= 1e-12, `${half.keySram} vs ${full.keySram} / 2`);
});
