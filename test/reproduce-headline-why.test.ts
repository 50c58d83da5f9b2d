/**
 * `reproduce headline`: the energy savings miss the paper by more than the speedups, and the
 * output says why (`--json`: `why`). The platforms' dynamic powers are Table II's 8.30 W × §5.1's
 * saving / speedup, so for every platform ours / paper (energy saving) = ours / paper (speedup) ×
 * 8.30 W / our SpAtten power (geomean); the why line states that product.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findFigure } from '../dse/reproduce/index.ts';
import type { HeadlineRow } from '../dse/reproduce/headline.ts';
import { renderFigureReport } from '../reports/figures/index.ts';

const f = findFigure('headline')!;
const run = f.run({ fidelity: 'analytical' });
const rows = run.rows.headline as HeadlineRow[];
const powerW = run.rows.spattenPowerGeomeanW as number;

test('headline: energy saving over paper = speedup over paper × 8.30 W / our SpAtten power, for every platform', () => {
  for (const p of new Set(rows.map((r) => r.platform))) {
    const s = rows.find((r) => r.platform === p && r.metric === 'speedup')!;
    const e = rows.find((r) => r.platform === p && r.metric === 'energy_saving')!;
    const want = (s.ours / s.paper) * (8.3 / powerW);
    assert.ok(Math.abs(e.ours / e.paper - want) < 1e-9 * want, `${p}: ${e.ours / e.paper} vs ${want}`);
  }
});

test('headline: --json carries the why lines the text prints, the energy gap worked out, and the page shows them', async () => {
  const why = run.rows.why ?? [];
  assert.ok(why.length > 0, 'headline --json has why');
  for (const l of why) assert.ok(run.text.split('\n').includes(l), `printed: ${l}`);
  const t = rows.find((r) => r.platform === 'titan-xp' && r.metric === 'speedup')!;
  const e = rows.find((r) => r.platform === 'titan-xp' && r.metric === 'energy_saving')!;
  const line = why.find((l) => /why energy saving/.test(l));
  assert.ok(line, 'a why line for the energy saving');
  // the factors it names: the speedup's ours / paper, 8.30 W over our power, their product = the energy saving's ours / paper
  const nums = [...line!.matchAll(/(\d+\.\d+)/g)].map((m) => Number(m[1]));
  const [speed, tableII, ours, ratio, product] = nums;
  assert.equal(tableII, 8.3);
  assert.ok(Math.abs(speed - t.ours / t.paper) < 0.006, `speedup factor ${speed} vs ${t.ours / t.paper}`);
  assert.ok(Math.abs(ours - powerW) < 0.006, `power ${ours} vs ${powerW}`);
  assert.ok(Math.abs(ratio - 8.3 / powerW) < 0.006, `8.30 / power ${ratio}`);
  assert.ok(Math.abs(product - e.ours / e.paper) < 0.006, `product ${product} vs energy saving ours / paper ${e.ours / e.paper}`);
  const html = await renderFigureReport([{ name: f.name, describe: f.describe, ...run }], 'npx spatten-dse reproduce headline');
  const visible = html.slice(0, html.indexOf('<details'));
  assert.ok(visible.includes('why energy saving'), 'the page shows it above the folded table');
});
