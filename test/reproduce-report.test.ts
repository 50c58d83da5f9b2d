/**
 * `reproduce --report`: every paper figure is plotted on the paper's axes (the variable the figure
 * sweeps on x, ours next to the paper's values), and the static SVG draws one mark per data row.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { FIGURES } from '../dse/reproduce/index.ts';
import { fig19a, FIG19A_CONFIGS } from '../dse/reproduce/fig19a.ts';
import { fig20, FIG20_CONFIGS } from '../dse/reproduce/fig20.ts';
import { register } from '../dse/commands/reproduce.ts';
import { FIGURE_CHARTS, figureCharts, renderFigureReport } from '../reports/figures/index.ts';
import { baseConfig, type ChartDef, type VlSpec } from '../reports/spec-base.ts';
import { toSvg } from '../reports/svg.ts';

type Layer = { data?: { values: Record<string, unknown>[] }; mark: string | { type: string }; encoding: Record<string, Record<string, unknown>> };
const layers = (c: ChartDef) => (c.spec.layer as Layer[]).map((l) => ({ ...l, data: l.data ?? (c.spec.data as Layer['data']) }));
const markType = (l: Layer) => (typeof l.mark === 'string' ? l.mark : l.mark.type);

/** The marks vega drew in mark groups of `type` (rect = bars, symbol = points), as their tags. */
function drawn(svg: string, type: 'rect' | 'symbol'): string[] {
  const out: string[] = [];
  for (const g of svg.matchAll(new RegExp(`<g class="mark-${type} role-mark[^"]*"[^>]*>(.*?)</g>`, 'gs'))) out.push(...(g[1].match(/<(path|use)\b[^>]*>/g) ?? []));
  return out;
}
const countMarks = (svg: string, type: 'rect' | 'symbol') => drawn(svg, type).length;
/** Height of a bar drawn as `M x,y h w v H h -w Z`. */
const barHeight = (tag: string) => Number(/ d="M[^h]*h[-\d.]+v([-\d.]+)/.exec(tag)?.[1] ?? NaN);

/** Data rows the spec asks to draw as bars / points. */
function expectedMarks(c: ChartDef): { rect: number; symbol: number } {
  let rect = 0;
  let symbol = 0;
  for (const l of layers(c)) {
    const n = (l.data?.values ?? []).length;
    if (markType(l) === 'bar') rect += n;
    else if (markType(l) === 'point' || (markType(l) === 'line' && typeof l.mark === 'object' && 'point' in l.mark)) symbol += n;
  }
  return { rect, symbol };
}

const svgOf = (c: ChartDef) => toSvg({ config: baseConfig(false), ...c.spec } as VlSpec, 't');

const f19 = fig19a('analytical');
const f20 = FIG20_CONFIGS.map((c) => fig20('analytical', c));

test('every reproduce figure has charts', () => {
  assert.deepEqual(Object.keys(FIGURE_CHARTS).sort(), FIGURES.map((f) => f.name).sort());
});

test('Fig. 19a: GOP/s and relative throughput against the comparators (log2 x), the paper as a second series', async () => {
  const charts = figureCharts({ name: 'fig19a', rows: { configurations: f19 } });
  assert.equal(charts.length, 2);
  const [abs, rel] = charts;
  for (const c of charts) {
    const [ours, paper] = layers(c);
    const x = ours.encoding.x;
    assert.equal(x.field, 'x');
    assert.equal(x.title, 'top-k comparators per array');
    const { domain, ...scale } = x.scale as { domain: number[] };
    assert.deepEqual(scale, { type: 'log', base: 2, nice: false });
    assert.ok(domain[0] < 1 && domain[1] > 32, `x domain ${domain}: room around 1 and 32`);
    assert.deepEqual((x.axis as { values: number[] }).values, [1, 2, 4, 8, 16, 32]);
    assert.equal(ours.encoding.color.field, 'series');
    // one line per configuration, 6 points each; the paper's six bars as their own series
    assert.equal(ours.data!.values.length, FIG19A_CONFIGS.length * 6);
    assert.deepEqual(paper.data!.values.map((v) => v.x), [1, 2, 4, 8, 16, 32]);
    assert.deepEqual(new Set(paper.data!.values.map((v) => v.series)), new Set(['paper Fig. 19a']));
  }
  assert.equal(layers(abs)[0].encoding.y.title, 'executed GOP/s');
  // the paper's chart data (spec §5.9): 168.40 … 776.24 at 16, 770.87 at 32
  assert.deepEqual(layers(abs)[1].data!.values.map((v) => v.y), [168.4, 298.77, 485.42, 652.79, 776.24, 770.87]);
  assert.deepEqual(layers(rel)[1].data!.values.map((v) => v.y), [0.217, 0.385, 0.625, 0.841, 1, 0.993]);
  // ours: the rows' numbers at the comparator counts, not per evaluation
  const t1 = layers(abs)[0].data!.values.filter((v) => String(v.series).includes('table1 (Table I)'));
  assert.deepEqual(t1.map((v) => [v.x, v.y]), f19[0].P.map((P, i) => [P, f19[0].gops[i]]));
  const t1rel = layers(rel)[0].data!.values.filter((v) => String(v.series).includes('table1 (Table I)'));
  assert.equal(t1rel.find((v) => v.x === 16)!.y, 1);
  const sens = layers(abs)[0].data!.values.filter((v) => String(v.series).includes('sensitivity study'));
  assert.equal(sens.length, 6, 'the fitted configuration is labelled a sensitivity study');
  const svg = await svgOf(abs);
  assert.equal(countMarks(svg, 'symbol'), FIG19A_CONFIGS.length * 6 + 6);
});

test("Fig. 20: cumulative speed-up bars in the paper's step order, ours next to the paper's", async () => {
  const [c] = figureCharts({ name: 'fig20', rows: { configurations: f20 } });
  const [bars] = layers(c);
  assert.equal(markType(bars), 'bar');
  assert.equal(bars.encoding.x.type, 'nominal');
  assert.deepEqual(bars.encoding.x.sort, ['ASIC baseline', '+ cascade token pruning', '+ cascade head pruning', '+ 16-comparator top-k', '+ static quantization', '+ progressive quantization']);
  assert.equal(bars.encoding.xOffset.field, 'series');
  assert.equal(bars.encoding.y.field, 'value');
  const vals = bars.data!.values;
  // the paper's bars: the running product of its step factors 1.1, 1.1, 3, 1.6, 1.7
  const paper = vals.filter((v) => String(v.series).startsWith('paper')).map((v) => v.value as number);
  [1, 1.1, 1.21, 3.63, 5.808, 9.8736].forEach((p, i) => assert.ok(Math.abs(paper[i] - p) < 1e-9, `paper step ${i}`));
  // ours: latency of the baseline over the latency after the step
  const t1 = vals.filter((v) => String(v.series).includes('table1 (Table I)'));
  assert.deepEqual(t1.map((v) => v.value), f20[0].rows.map((r) => f20[0].rows[0].cycles / r.cycles));
  const svg = await svgOf(c);
  assert.equal(countMarks(svg, 'rect'), 6 * (FIG20_CONFIGS.length + 1));
});

test('every figure: one SVG mark per data row, on a page with the printed tables', async () => {
  const figs = FIGURES.map((f) => ({ name: f.name, describe: f.describe, ...f.run({ fidelity: 'analytical' }) }));
  for (const f of figs) {
    const charts = figureCharts(f);
    assert.ok(charts.length > 0, f.name);
    for (const c of charts) {
      const want = expectedMarks(c);
      assert.ok(want.rect + want.symbol > 0, `${f.name}: ${c.title}`);
      const svg = await svgOf(c);
      assert.equal(countMarks(svg, 'rect'), want.rect, `${f.name}: ${c.title} bars`);
      assert.equal(countMarks(svg, 'symbol'), want.symbol, `${f.name}: ${c.title} points`);
      // every bar is visible (a log axis has no zero to start from) and every mark is placed
      for (const b of drawn(svg, 'rect')) assert.ok(barHeight(b) > 0, `${f.name}: ${c.title}: bar ${b}`);
      assert.ok(!/NaN|Infinity/.test([...drawn(svg, 'rect'), ...drawn(svg, 'symbol')].join('')), `${f.name}: ${c.title}`);
    }
  }
  const html = await renderFigureReport(figs, 'npx spatten-dse reproduce all --fidelity analytical');
  for (const f of figs) assert.ok(html.includes(`<section id="${f.name}">`), f.name);
  assert.equal((html.match(/<figure class="chart/g) ?? []).length, figs.reduce((n, f) => n + figureCharts(f).length, 0));
  assert.ok(!/chart could not be rendered/.test(html), '!/chart could not be rendered/.test(html)');
  assert.ok(!/(src|href)="https?:/.test(html), 'offline page');
});

test('reproduce --report: writes the page; a missing folder is bad input (exit 2, nothing written)', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'repro-report-'));
  const make = () => {
    const program = new Command().exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
    register(program);
    return program;
  };
  try {
    const file = path.join(dir, 'fig.html');
    await make().parseAsync(['reproduce', 'sram', '--fidelity', 'analytical', '--report', file], { from: 'user' });
    const html = readFileSync(file, 'utf8');
    assert.ok(html.includes('<section id="sram">') && html.includes('Key/value SRAM size vs throughput'), 'html.includes(\'<section id="sram">\') && html.includes(\'Key/value SRAM size vs throughput\')');
    const missing = path.join(dir, 'no-such-folder', 'fig.html');
    await assert.rejects(make().parseAsync(['reproduce', 'sram', '--fidelity', 'analytical', '--report', missing], { from: 'user' }), (e: unknown) => (e as { exitCode?: number }).exitCode === 2 && /--report/.test((e as Error).message));
    assert.ok(!existsSync(missing), '!existsSync(missing)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('line charts keep their extreme points off the frame: the log2 x and a log y have room at both ends, a linear y above its top', async () => {
  const vega = await import('vega');
  const vl = await import('vega-lite');
  const { linesVsX } = await import('../reports/figures/kit.ts');
  /** The rendered x and y scale domains of a chart. */
  const domains = async (c: ChartDef) => {
    const view = new vega.View(vega.parse(vl.compile({ ...baseConfig, ...c.spec } as unknown as Parameters<typeof vl.compile>[0]).spec), { renderer: 'none' });
    await view.runAsync();
    const out = { x: (view.scale('x') as { domain(): number[] }).domain(), y: (view.scale('y') as { domain(): number[] }).domain() };
    view.finalize();
    return out;
  };
  const inside = (d: number[], vs: number[], what: string) => assert.ok(d[0] < Math.min(...vs) && d[1] > Math.max(...vs), `${what}: domain ${d} puts an extreme of ${Math.min(...vs)} … ${Math.max(...vs)} on the frame`);
  const charts = [...figureCharts({ name: 'fig19a', rows: { configurations: fig19a('analytical') } }), ...figureCharts({ name: 'sram', rows: FIGURES.find((f) => f.name === 'sram')!.run({ fidelity: 'analytical' }).rows })];
  // a log y over two decades, as linesVsX draws with logY
  charts.push(linesVsX({ title: 't', caption: 'c', xTitle: 'x', yTitle: 'y', ours: [1, 2, 4, 8].map((x) => ({ x, y: x * x * 7, series: 'ours' })), paper: [{ x: 8, y: 900, series: 'paper' }], log2x: true, logY: true }));
  for (const c of charts) {
    const rows = layers(c).flatMap((l) => (l.data?.values ?? []) as { x: number; y: number }[]);
    const d = await domains(c);
    inside(d.x, rows.map((r) => r.x), `${c.title} x`);
    if (d.y[0] === 0) assert.ok(d.y[1] > Math.max(...rows.map((r) => r.y)) * 1.05, `${c.title} y: top ${d.y[1]} too close to ${Math.max(...rows.map((r) => r.y))}`);
    else inside(d.y, rows.map((r) => r.y), `${c.title} y`);
  }
});

test("the page names each gap's cause under the figure's charts, not only in the folded table", async () => {
  const figs = FIGURES.filter((f) => ['fig19a', 'fig18', 'table4'].includes(f.name)).map((f) => ({ name: f.name, describe: f.describe, ...f.run({ fidelity: 'analytical' }) }));
  const html = await renderFigureReport(figs, 'npx spatten-dse reproduce all --fidelity analytical');
  const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
  for (const f of figs) {
    const why = f.rows.why ?? [];
    assert.ok(why.length > 0, `${f.name} prints why lines`);
    const section = html.slice(html.indexOf(`<section id="${f.name}">`));
    // what is shown before the folded table, as text
    const visible = unescape(section.slice(0, section.indexOf('<details')));
    for (const line of why) assert.ok(visible.includes(line.trim()), `${f.name}: "${line.trim()}" is shown above the folded table`);
  }
});

test("fig20gpu: the chart has the figure's headline final (the 8 benchmarks' own settings) next to the paper's 209× at the last step", () => {
  const f = FIGURES.find((x) => x.name === 'fig20gpu')!;
  const { rows } = f.run({ fidelity: 'analytical' });
  const suiteFinal = (rows.suiteFinal as { ours: number }).ours;
  const [c] = figureCharts({ name: 'fig20gpu', rows });
  const vals = layers(c)[0].data!.values as { x: string; series: string; value: number }[];
  const suite = vals.filter((v) => v.series.includes("benchmarks' own settings"));
  assert.deepEqual(suite.map((v) => [v.x, v.value]), [['+ progressive quantization', suiteFinal]]);
  const paper = vals.filter((v) => v.series.startsWith('paper') && v.x === '+ progressive quantization');
  assert.deepEqual(paper.map((v) => v.value), [209]);
  assert.ok(c.caption.includes(`${suiteFinal.toPrecision(3)}×`), c.caption);
});

test('log-axis bar charts label every power of ten inside their range (Fig. 15 labelled 10 … 90 and not 100 below its 146× bars)', async () => {
  // the y axis's labels vega shows (a label its overlap rule drops is drawn with opacity 0)
  const yLabels = (svg: string) =>
    [...svg.matchAll(/<text text-anchor="end" transform="translate\(-[\d.]+,[\d.]+\)"([^>]*)>([^<]*)<\/text>/g)].filter((m) => !/opacity="0"/.test(m[1])).map((m) => Number(m[2].replace(/,/g, '')));
  const figs = ['fig15', 'fig14', 'headline', 'fig20gpu', 'table4'].map((n) => FIGURES.find((f) => f.name === n)!).map((f) => ({ name: f.name, rows: f.run({ fidelity: 'analytical' }).rows }));
  let checked = 0;
  for (const f of figs) {
    for (const c of figureCharts(f)) {
      const y = layers(c)[0].encoding.y as { scale: { type?: string; domain: number[] } };
      if (y.scale.type !== 'log') continue;
      const [lo, hi] = y.scale.domain;
      const labels = yLabels(await svgOf(c));
      for (let k = Math.ceil(Math.log10(lo) - 1e-9); k <= Math.floor(Math.log10(hi) + 1e-9); k++) assert.ok(labels.some((l) => Math.abs(l - 10 ** k) < 1e-9 * 10 ** k), `${f.name}: ${c.title}: no label at ${10 ** k} on a ${lo} … ${hi} axis (labels ${labels})`);
      checked++;
    }
  }
  assert.ok(checked >= 8, `${checked} log charts checked`);
});

test("Fig. 18: the legend draws the paper's points as the chart does (open squares), and every log-axis label is shown, unformatted", async () => {
  const f = FIGURES.find((x) => x.name === 'fig18')!;
  const [c] = figureCharts({ name: 'fig18', rows: f.run({ fidelity: 'analytical' }).rows });
  const svg = await svgOf(c);
  const subpaths = (tag: string) => (/ d="([^"]*)"/.exec(tag)?.[1].match(/M/g) ?? []).length;
  // the legend's symbols: 4 benchmark-set colours (circles), then ours (a filled circle) and the paper's (a ring: two subpaths)
  const legendSymbols = [...svg.matchAll(/<g class="mark-symbol role-legend-symbol"[^>]*>(.*?)<\/g>/gs)].map((m) => m[1]);
  const rings = legendSymbols.filter((t) => subpaths(t) === 2);
  assert.equal(rings.length, 1, 'one legend entry, the paper, drawn as an open square');
  // the chart's paper points: the same ring, one per point
  const marks = drawn(svg, 'symbol');
  assert.equal(marks.filter((t) => subpaths(t) === 2).length, 4, "the 4 paper points drawn as rings");
  const labels = [...svg.matchAll(/<g class="mark-text role-axis-label"[^>]*>(.*?)<\/g>/gs)].flatMap((g) => [...g[1].matchAll(/<text([^>]*)>([^<]*)<\/text>/g)]);
  assert.ok(labels.length >= 10, `${labels.length} axis labels`);
  for (const l of labels) {
    assert.ok(!/opacity="0"/.test(l[1]), `axis label ${l[2]} hidden by overlap`);
    assert.ok(!/,/.test(l[2]), `axis label ${l[2]} with a thousands separator`);
  }
});

test('no label of a reproduce chart is cut short (the SRAM legend cut its dense trace to "…-per8-step1+…")', async () => {
  const figs = FIGURES.map((f) => ({ name: f.name, rows: f.run({ fidelity: 'analytical' }).rows }));
  for (const f of figs) {
    for (const c of figureCharts(f)) {
      const cut = [...(await svgOf(c)).matchAll(/<text[^>]*>([^<]*…)<\/text>/g)].map((m) => m[1]);
      assert.deepEqual(cut, [], `${f.name}: ${c.title}`);
    }
  }
  const [sram] = figureCharts(figs.find((f) => f.name === 'sram')!);
  const series = new Set(layers(sram)[0].data!.values.map((v) => v.series));
  assert.deepEqual([...series].sort(), ['ours: dense reference (per8-step1+dedic)', 'ours: pruned (per8)']);
  assert.ok(sram.caption.includes('summary-gpt2-small-wikitext2-per8-step1+dedic.csv'), 'the caption names the trace files');
});
