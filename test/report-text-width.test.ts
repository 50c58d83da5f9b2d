/**
 * Static charts are laid out in Node, where vega has no canvas to measure text: reports/text-width.ts
 * gives it per-character widths (the larger of DejaVu Sans and Liberation Sans). Before, vega's
 * 0.8 em per character put ~80 px of blank space above Fig. 20's chart (its 46-character y title
 * "overflowed" the 260 px plot) and cut legend labels that fit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { textWidth, vegaTextWidth } from '../reports/text-width.ts';
import { FIGURES } from '../dse/reproduce/index.ts';
import { figureCharts } from '../reports/figures/index.ts';
import { toSvg } from '../reports/svg.ts';
import { baseConfig } from '../reports/spec-base.ts';

test('text widths: per character, no narrower than DejaVu Sans or Liberation Sans', () => {
  // digits: DejaVu 0.636 em, Liberation 0.556 em -> 0.64 em; at 10 px "100" is 19.2 px (vega's estimate: 24)
  assert.ok(Math.abs(textWidth('100', 10) - 19.2) < 1e-9);
  // "Il": I = max(0.295, 0.278) -> 0.30, l = max(0.278, 0.222) -> 0.28; a space 0.32; × is 1 em (any non-ASCII character)
  assert.ok(Math.abs(textWidth('Il', 10) - 5.8) < 1e-9);
  assert.ok(Math.abs(textWidth('1 ×', 10) - (6.4 + 3.2 + 10)) < 1e-9);
  // bold is 15% wider; vega's items: the given line, else the widest of the item's lines, at its font size (11 px by default)
  assert.ok(Math.abs(textWidth('100', 10, true) - 19.2 * 1.15) < 1e-9);
  assert.ok(Math.abs(vegaTextWidth({ text: ['1', '100'], fontSize: 10 }) - 19.2) < 1e-9);
  assert.ok(Math.abs(vegaTextWidth({ text: 'ignored' }, ' 10 ') - 2 * 0.64 * 11) < 1e-9);
});

test("Fig. 20's chart starts at its plot: no blank band above it from an over-estimated axis title", async () => {
  const f = FIGURES.find((x) => x.name === 'fig20')!;
  const [c] = figureCharts({ name: 'fig20', rows: f.run({ fidelity: 'analytical' }).rows });
  const svg = await toSvg({ config: baseConfig(false), ...c.spec }, 't');
  const [, , top] = /<g fill="none" stroke-miterlimit="4" transform="translate\(([\d.]+),([\d.]+)\)">/.exec(svg)!.map(Number);
  // the plot (260 px) and its 46-character y title (≈ 250 px at 11 px) fit; above the plot only the bar labels' room (the tallest bar's label, ≈ 25 px)
  assert.ok(top < 40, `the plot starts ${top} px below the chart's top`);
});
