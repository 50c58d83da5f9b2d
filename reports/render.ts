/**
 * renderReport: one self-contained HTML page of a run (no network references; works from file://).
 * Static by default: every Vega-Lite spec is rendered to SVG on the server with `vega` (no DOM).
 * With `interactive`, the vega, vega-lite and vega-embed bundles are inlined once and each chart is
 * rendered in the browser (tooltips, zoom/pan, brushing, parameter filters); charts without a live
 * version keep their static SVG.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as vega from 'vega';
import * as vl from 'vega-lite';
import type { Params } from '../core/results.ts';
import type { Highlight, PointRow, RunJson } from '../core/results.ts';
import { escapeHtml, jsonForScript } from './escape.ts';
import { fmtDuration, fmtMetric, fmtNum, metricLabel, metricTitle, shortParam, sig4, unitFor } from './format.ts';
import { declaredChart, declaredCharts } from './declared.ts';
import { parallelChart } from './parallel.ts';
import { frontTable, highlightWhy, notesSection, sensitivitySection, wbr } from './sections.ts';
import { constraintCharts, explorerChart, sampleForInteractive } from './explore.ts';
import { commonObjectives, compareCharts, compareHypervolumes, compareTable, type NamedRun } from './compare.ts';
import { baseConfig, buildCharts, sharedPointRows, SHARED_POINTS, type ChartDef, type VlSpec } from './specs.ts';

export interface RenderOptions {
  /** Inline the vega bundles and render charts with vega-embed (tooltips, zoom). Default false. */
  interactive?: boolean;
  /** Most non-front points drawn per scatter; front points are always all drawn. Default 600 (keeps the static page under 600 KB). */
  maxOtherPoints?: number;
  /** Interactive page: most non-front points embedded (stratified sample). Default 1500. */
  maxInteractivePoints?: number;
}

export interface ReportInput {
  run: RunJson;
  points: PointRow[];
}

const esc = escapeHtml;

// ---------------------------------------------------------------- vega bundles (interactive)

const require = createRequire(import.meta.url);

/** Folder of an installed package, found by walking up from its resolved entry (the `exports` map hides build/). */
export function packageDir(name: string): string {
  let dir = path.dirname(require.resolve(name));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === name) return dir;
    } catch {
      // no package.json here
    }
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`cannot locate the folder of package ${name}`);
    dir = up;
  }
}

let bundleCache: string[] | undefined;

/** The three minified UMD bundles, source-map comments removed, safe inside <script>. */
export function vegaBundles(): string[] {
  if (!bundleCache) {
    bundleCache = [
      ['vega', 'build/vega.min.js'],
      ['vega-lite', 'build/vega-lite.min.js'],
      ['vega-embed', 'build/vega-embed.min.js'],
    ].map(([pkg, file]) =>
      readFileSync(path.join(packageDir(pkg), file), 'utf8')
        .replace(/\n?\/\/# sourceMappingURL=\S*\s*$/, '\n')
        .replace(/<\/(script)/gi, '<\\/$1'),
    );
  }
  return bundleCache;
}

// ---------------------------------------------------------------- static SVG

/**
 * Makes vega's SVG smaller without changing its look:
 * - coordinates in path data and transforms rounded to 2 decimals;
 * - a symbol path repeated many times (scatter points) defined once in <defs> and drawn with
 *   <use href="#…"> (fill/opacity on the <use> are inherited by the referenced path).
 */
export function compactSvg(svg: string, idPrefix: string): string {
  let out = svg.replace(/ (d|transform|points)="([^"]*)"/g, (_m, attr: string, val: string) => ` ${attr}="${val.replace(/(\d+\.\d\d)\d+/g, '$1')}"`);
  const SYMBOL = /<path transform="([^"]*)" d="([^"]*)"([^>]*)\/>/g;
  const counts = new Map<string, number>();
  for (const m of out.matchAll(SYMBOL)) counts.set(m[2], (counts.get(m[2]) ?? 0) + 1);
  const ids = new Map<string, string>();
  for (const [d, n] of counts) if (n >= 8 && d.length > 24) ids.set(d, `${idPrefix}-s${ids.size}`);
  if (ids.size === 0) return out;
  out = out.replace(SYMBOL, (m, tr: string, d: string, rest: string) => {
    const id = ids.get(d);
    return id ? `<use href="#${id}" transform="${tr}"${rest}/>` : m;
  });
  const defs = `<defs>${[...ids].map(([d, id]) => `<path id="${id}" d="${d}"/>`).join('')}</defs>`;
  return out.replace(/^(<svg[^>]*>)/, `$1${defs}`);
}

const quiet = vega.logger(vega.None);

async function toSvg(spec: VlSpec, idPrefix: string): Promise<string> {
  const compiled = vl.compile(spec as unknown as vl.TopLevelSpec, { logger: quiet }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.None });
  try {
    const svg = await view.toSVG();
    return compactSvg(svg, idPrefix);
  } finally {
    view.finalize();
  }
}

// ---------------------------------------------------------------- HTML pieces

const CSS = `
:root{--fg:#1b1f24;--mut:#5c6670;--bd:#d9dee3;--bg2:#f6f8fa;--accent:#d62728}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:var(--fg);margin:0 auto;max-width:1180px;padding:16px 24px 48px}
h1{font-size:22px;margin:8px 0 2px;word-break:break-word}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid var(--bd);padding-bottom:4px}
h3{font-size:14px;margin:16px 0 6px}
.sub{color:var(--mut);margin:0 0 12px}
nav{font-size:13px;margin:6px 0 10px}nav a{margin-right:12px;color:#0b62c4;text-decoration:none}
table{border-collapse:collapse;font-size:12.5px;margin:6px 0}
th,td{border:1px solid var(--bd);padding:3px 7px;text-align:left;vertical-align:top}
th{background:var(--bg2);font-weight:600}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
table.kv th{width:170px}
table.front th,table.sens th,table.why th,table.highlights th{white-space:normal;max-width:120px;vertical-align:bottom}
table.front td.num{white-space:normal}
pre.cmd{white-space:pre-wrap;word-break:break-all;max-width:560px;margin:4px 0;padding:4px 6px;font-size:11px}
details summary{cursor:pointer;color:#0b62c4;white-space:nowrap}
ul.notes{margin:4px 0 0 18px;padding:0}ul.notes li{margin:3px 0}
li.warn{color:#8a4b00;font-weight:600}
td.bar{position:relative;min-width:140px}td.bar span{position:absolute;left:0;top:3px;bottom:3px;background:#c6dbef}td.bar b{position:relative;font-weight:normal}
div.sens{flex:1 1 360px}
.scroll{overflow-x:auto;max-width:100%}
.grid{display:flex;flex-wrap:wrap;gap:18px 22px}
figure.chart{margin:0;display:table;max-width:100%}
figure.chart svg{max-width:100%;height:auto;display:block}
figcaption{display:table-caption;caption-side:bottom;color:var(--mut);font-size:12px;margin-top:4px}
figure.chart .title{display:table-caption;caption-side:top;font-weight:600;font-size:13px;margin-bottom:2px}
pre{background:var(--bg2);border:1px solid var(--bd);padding:10px;overflow:auto;font-size:12px;line-height:1.35;max-height:520px}
.tag{display:inline-block;white-space:nowrap;background:#fde8e8;color:#9b1c1c;border-radius:3px;padding:0 5px;font-size:11px}
.err{color:#9b1c1c}
pre.errmsg{margin:0;padding:4px 6px;max-height:160px;white-space:pre-wrap;word-break:break-word}
.muted{color:var(--mut)}
code{font-size:12px}
@media print{nav{display:none}pre{max-height:none}}
`;

function table(head: string[], rows: string[][], attrs = '', rowAttrs?: string[]): string {
  const thead = `<thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead>`;
  const tbody = rows.map((r, i) => `<tr${rowAttrs ? ' ' + rowAttrs[i] : ''}>${r.join('')}</tr>`).join('\n');
  return `<div class="scroll"><table${attrs ? ' ' + attrs : ''}>${thead}<tbody>\n${tbody}\n</tbody></table></div>`;
}

const td = (v: string) => `<td>${esc(v)}</td>`;
const tdNum = (v: number | string | undefined) => (typeof v === 'number' ? `<td class="num">${esc(fmtNum(v))}</td>` : `<td>${esc(v ?? '–')}</td>`);

function kvRow(k: string, vHtml: string): string {
  return `<tr><th>${esc(k)}</th><td>${vHtml}</td></tr>`;
}

/** Parameters that take more than one value among `points` (the rest are listed once as constants). */
function splitParams(run: RunJson, points: PointRow[]): { varying: string[]; constant: [string, string | number][] } {
  const varying: string[] = [];
  const constant: [string, string | number][] = [];
  for (const k of run.parameters) {
    const vals = new Set(points.map((p) => (k in p.params ? String(p.params[k]) : '')));
    if (vals.size > 1 || points.length === 0) varying.push(k);
    else {
      const v = points[0]?.params[k];
      if (v !== undefined) constant.push([k, v]);
    }
  }
  return { varying, constant };
}

function summarySection(run: RunJson, points: PointRow[]): string {
  const c = run.counts;
  const pick = (v: number, f: () => number) => (Number.isFinite(v) ? v : f());
  const counts = {
    total: pick(c.total, () => points.length),
    ok: pick(c.ok, () => points.filter((p) => p.status === 'ok').length),
    failed: pick(c.failed, () => points.filter((p) => p.status === 'failed').length),
    feasible: pick(c.feasible, () => points.filter((p) => p.feasible).length),
    pareto: pick(c.pareto, () => points.filter((p) => p.pareto).length),
  };
  const front = points.filter((p) => p.pareto);
  const extent = (m: string): string => {
    const vs = front.map((p) => p.metrics[m]).filter((v) => Number.isFinite(v));
    return vs.length ? ` — front spans ${esc(fmtMetric(m, Math.min(...vs)))} … ${esc(fmtMetric(m, Math.max(...vs)))}` : '';
  };
  const objectives = run.objectives
    .map((o) => `${esc(o.goal === 'min' ? 'minimise' : 'maximise')} <code>${esc(o.metric)}</code> <span class="muted">(${esc(metricLabel(o.metric))})${extent(o.metric)}</span>`)
    .join('<br>');
  const hv = run.hypervolume.filter((h) => Number.isFinite(h.hv));
  const lastHv = hv[hv.length - 1];
  const constraints = run.constraints.length ? run.constraints.map((s) => `<code>${esc(s)}</code>`).join('<br>') : '<span class="muted">none</span>';
  const rows = [
    kvRow('name', esc(run.name)),
    kvRow('model', esc(run.model || '–')),
    kvRow('driver', esc(run.driver || '–')),
    kvRow('seed', esc(fmtNum(run.seed))),
    kvRow('space file', run.spaceFile ? `<code>${esc(run.spaceFile)}</code>` : '–'),
    kvRow(
      'evaluations',
      `${esc(counts.total)} total · ${esc(counts.ok)} ok · ${esc(counts.failed)} failed · ${esc(counts.feasible)} feasible · <b>${esc(counts.pareto)}</b> on the Pareto front` +
        (points.length !== counts.total ? ` <span class="muted">(${esc(points.length)} rows in points.csv)</span>` : ''),
    ),
    kvRow('wall time', esc(fmtDuration(run.wallSeconds)) + (run.startedAt ? ` <span class="muted">(${esc(run.startedAt)} → ${esc(run.finishedAt || '?')})</span>` : '')),
    kvRow('stopped', run.stopReason ? `<span class="tag">early</span> ${esc(run.stopReason)}` : 'completed (driver exhausted)'),
    kvRow('objectives', objectives || '–'),
    kvRow('constraints', constraints),
    ...(lastHv ? [kvRow('hypervolume', `${esc(fmtNum(lastHv.hv))} after ${esc(lastHv.evals)} evaluations <span class="muted">(normalised objectives${run.hvReference ? `, reference [${esc(run.hvReference.map((v) => fmtNum(v)).join(', '))}]` : ''})</span>`)] : []),
    kvRow('parameters', run.parameters.map((p) => `<code>${esc(p)}</code>`).join(', ') || '–'),
    kvRow('metrics', run.metrics.map((m) => `<code>${esc(m)}</code>`).join(', ') || '–'),
  ];
  return `<section id="summary"><h2>Summary</h2><table class="kv">${rows.join('\n')}</table></section>`;
}

function paramCell(p: Params, k: string): string {
  const v = p[k];
  return v === undefined ? '<td class="muted">–</td>' : tdNum(v);
}

/** Longest front table; larger fronts are in pareto.csv. */
const MAX_FRONT_ROWS = 1000;

function frontSection(run: RunJson, points: PointRow[], varying: string[], constant: [string, string | number][]): string {
  const front = points.filter((p) => p.pareto);
  const o0 = run.objectives[0];
  if (o0) {
    const s = o0.goal === 'min' ? 1 : -1;
    front.sort((a, b) => s * ((a.metrics[o0.metric] ?? NaN) - (b.metrics[o0.metric] ?? NaN)) || a.id - b.id);
  }
  const hl = new Map<number, string[]>();
  for (const h of run.highlights ?? []) hl.set(h.id, [...(hl.get(h.id) ?? []), h.label]);
  const shown = front.slice(0, MAX_FRONT_ROWS);
  const constNote = constant.length
    ? `<p class="muted">Same in every point: ${constant.map(([k, v]) => `<code>${esc(k)}</code> = ${esc(typeof v === 'number' ? fmtNum(v) : v)}`).join(', ')}.</p>`
    : '';
  return (
    `<section id="front"><h2>Pareto front (${front.length} point${front.length === 1 ? '' : 's'})</h2>` +
    `<p class="muted">Non-dominated feasible points over all objectives, sorted by ${o0 ? esc(o0.metric) : 'id'}. Objective columns in the units of the header (hover a cell for the full number; all digits are in pareto.csv), with the 95% CI in brackets where measured. "cmd / YAML" opens the <code>simulate</code> command that re-evaluates the point and a space-file snippet of it.</p>` +
    constNote +
    (front.length ? frontTable(run, shown, varying, hl) : '<p>No point is on the front.</p>') +
    (shown.length < front.length ? `<p class="muted">Showing the first ${shown.length} of ${front.length} front points; all are in pareto.csv.</p>` : '') +
    '</section>'
  );
}

function highlightTable(run: RunJson, varying: string[]): string {
  const hs = run.highlights ?? [];
  const metrics = run.metrics.filter((m) => !/_ci_(low|high)$/.test(m) && hs.some((h) => typeof h.metrics?.[m] === 'number'));
  const units = metrics.map((m) => unitFor(m, hs.map((h) => h.metrics[m])));
  const head = ['point', ...varying.map((k) => `<span title="${esc(k)}">${wbr(esc(shortParam(k)))}</span>`), ...metrics.map((m, i) => `<span title="${esc(m)}">${esc(metricTitle(m, units[i].unit))}</span>`)];
  const rows = hs.map((h) => [
    `<td><span class="tag">${esc(h.label)}</span> <span class="muted">#${esc(h.id)}</span></td>`,
    ...varying.map((k) => paramCell(h.params ?? {}, k)),
    ...metrics.map((m, i) => (Number.isFinite(h.metrics[m]) ? `<td class="num" title="${esc(String(h.metrics[m]))}">${esc(sig4(h.metrics[m] * units[i].factor))}</td>` : '<td class="muted">–</td>')),
  ]);
  return table(head, rows, 'class="highlights"');
}

/** The breakdown numbers behind the charts (collapsed): one table per kind, highlights as columns. */
function breakdownTables(run: RunJson): string {
  const hs = run.highlights ?? [];
  const kinds: [string, string, (h: Highlight) => Record<string, number> | undefined][] = [
    ['stage', 'busy cycles', (h) => h.stages],
    ['module', 'energy (J)', (h) => h.energy],
    ['module', 'area (mm²)', (h) => h.area],
  ];
  const parts = kinds.map(([rowName, unit, pick]) => {
    const keys: string[] = [];
    for (const h of hs) for (const k of Object.keys(pick(h) ?? {})) if (!keys.includes(k)) keys.push(k);
    if (keys.length === 0) return '';
    const totals = hs.map((h) => Object.values(pick(h) ?? {}).reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0));
    const rows = keys.map((k) => [
      td(k),
      ...hs.flatMap((h, i) => {
        const v = pick(h)?.[k];
        const pct = typeof v === 'number' && totals[i] > 0 ? `${((100 * v) / totals[i]).toFixed(1)}%` : '';
        return [tdNum(v), `<td class="num muted">${pct}</td>`];
      }),
    ]);
    return `<h3>${esc(unit)}</h3>` + table([esc(rowName), ...hs.flatMap((h) => [`${esc(h.label)} (#${esc(h.id)})`, '%'])], rows, 'class="breakdown"');
  });
  return `<details><summary>Breakdown numbers</summary>${parts.join('')}<p class="muted">Stage cycles overlap, so their percentages are shares of the sum of busy cycles, not of latency.</p></details>`;
}

function failuresSection(points: PointRow[]): string {
  const failed = points.filter((p) => p.status === 'failed');
  if (failed.length === 0) return '';
  const groups = new Map<string, PointRow[]>();
  for (const p of failed) {
    const key = p.error || '(no message)';
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  const rows = [...groups]
    .sort((a, b) => b[1].length - a[1].length)
    .map(([msg, ps]) => [`<td class="num">${ps.length}</td>`, `<td><pre class="errmsg">${esc(msg)}</pre></td>`, td(ps.slice(0, 12).map((p) => p.id).join(', ') + (ps.length > 12 ? ', …' : ''))]);
  return `<section id="failures"><h2>Failed evaluations (${failed.length})</h2>${table(['count', 'error', 'ids'], rows, 'class="failures"')}</section>`;
}

interface Rendered {
  html: string;
  specs: { id: string; spec: VlSpec }[];
}

/** A chart: its static spec (rendered to SVG here) and, in interactive mode, the spec for vega-embed. */
interface ChartPair {
  static: ChartDef;
  live?: ChartDef;
}

async function renderCharts(charts: ChartPair[], counter: { n: number }): Promise<Rendered> {
  const parts: string[] = [];
  const specs: { id: string; spec: VlSpec }[] = [];
  // Rendering is CPU-bound in one thread; doing it in sequence keeps memory flat.
  for (const { static: c, live } of charts) {
    const id = `chart-${counter.n++}`;
    // The static SVG never carries per-mark ARIA labels (size); the interactive one may.
    let svg: string;
    try {
      // Interactive pages draw live charts in the browser: no static copy (it would double the
      // page), just a line for readers without scripts.
      svg = live ? '<p class="muted noscript">(drawn by the page\'s scripts: enable JavaScript, or open the static report.html)</p>' : await toSvg({ background: 'white', config: baseConfig(false), ...c.spec }, id);
    } catch (e) {
      // One broken chart must not cost the whole report.
      svg = `<p class="err">chart could not be rendered: ${esc((e as Error).message)}</p>`;
    }
    if (live) specs.push({ id, spec: { background: 'white', config: baseConfig(true), ...live.spec } });
    parts.push(
      `<figure class="chart${c.kind === 'accuracy' ? ' wide' : ''}" data-chart="${esc(c.kind)}" id="${id}">` +
        `<div class="title">${esc(c.title)}</div>` +
        `<div class="vis"${live ? ` data-spec="${id}-spec"` : ''}>${svg}</div>` +
        `<figcaption>${esc((live ?? c).caption)}</figcaption></figure>`,
    );
  }
  return { html: parts.join('\n'), specs };
}

function pairUp(a: ChartDef[], b: ChartDef[] | undefined): ChartPair[] {
  return a.map((c, i) => ({ static: c, live: b?.[i] }));
}

const BOOT = `
(function(){
  var shared=document.getElementById('shared-points');
  var rows=shared?JSON.parse(shared.textContent):[];
  var renderer=rows.length>3000?'canvas':'svg';
  var els=document.querySelectorAll('[data-spec]');
  for(var i=0;i<els.length;i++){(function(el){
    var src=document.getElementById(el.getAttribute('data-spec'));
    if(!src||typeof vegaEmbed!=='function')return;
    var text=src.textContent;
    var spec=JSON.parse(text);
    if(text.indexOf('"name":"${SHARED_POINTS}"')>=0)spec.datasets={${SHARED_POINTS}:rows};
    vegaEmbed(el,spec,{actions:false,renderer:renderer}).catch(function(e){
      var p=document.createElement('p');p.className='err';p.textContent='interactive chart failed: '+e;el.appendChild(p);
    });
  })(els[i]);}
  document.documentElement.setAttribute('data-interactive','ready');
})();`;

/** Renders the report of a run as one self-contained HTML string. */
export async function renderReport(input: ReportInput, opts: RenderOptions = {}): Promise<string> {
  const { run, points } = input;
  const interactive = opts.interactive === true;
  const maxOtherPoints = opts.maxOtherPoints ?? 600;
  const charts = buildCharts(run, points, { interactive: false, maxOtherPoints });
  const live = interactive ? buildCharts(run, points, { interactive: true, maxOtherPoints }) : undefined;
  const { varying, constant } = splitParams(run, points);
  const counter = { n: 0 };

  const sections: string[] = [];
  sections.push(summarySection(run, points));
  sections.push(notesSection(run, points));

  // charts the space declares (a paper figure) come first: they are what the space is for
  const declared = declaredCharts(run, points)
    .map((d) => ({ static: declaredChart(run, points, d, { interactive: false, maxOtherPoints }), live: interactive ? declaredChart(run, points, d, { interactive: true, maxOtherPoints }) : undefined }))
    .filter((c) => c.static !== undefined) as ChartPair[];
  const decl = await renderCharts(declared, counter);
  if (declared.length) sections.push(`<section id="declared"><h2>${declared.length > 1 ? 'Figures' : 'Figure'} declared by the space</h2><div class="grid">${decl.html}</div></section>`);

  // interactive: the explorer over every front point and a bounded stratified sample of the others
  const sample = interactive ? sampleForInteractive(run, points, opts.maxInteractivePoints) : [];
  const explorer = interactive ? explorerChart(run, points, varying, sample.length, points.filter((p) => p.status === 'ok').length) : undefined;
  const expl = explorer ? await renderCharts([{ static: { ...explorer, spec: { mark: 'point', data: { values: [] } } }, live: explorer }], counter) : undefined;

  const pareto = await renderCharts(pairUp(charts.pareto, live?.pareto), counter);
  const cons = await renderCharts(pairUp(constraintCharts(run, points, { interactive: false, maxOtherPoints }), undefined), counter);
  sections.push(
    `<section id="pareto"><h2>${run.objectives.length > 1 ? 'Pareto fronts, one chart per objective pair' : 'Objective'}</h2>` +
      (charts.pareto.length ? `<div class="grid">${pareto.html}${cons.html}</div>` : '<p>No objectives.</p>') +
      (expl ? `<h3>Explorer</h3>${expl.html}` : '') +
      '</section>',
  );
  sections.push(frontSection(run, points, varying, constant));
  const par = parallelChart(run, points, varying, { interactive: false, maxOtherPoints });
  const parR = par ? await renderCharts([{ static: par, live: interactive ? parallelChart(run, points, varying, { interactive: true, maxOtherPoints }) : undefined }], counter) : undefined;
  const sens = sensitivitySection(run, points);
  if (sens || parR) sections.push(sens.replace(/<\/section>$/, '') + (parR ? `<h3>The front, parameter by parameter</h3>${parR.html}` : '') + (sens ? '</section>' : ''));

  const hl = await renderCharts(pairUp(charts.highlights, live?.highlights), counter);
  if ((run.highlights ?? []).length > 0) {
    sections.push(
      `<section id="highlights"><h2>Highlighted points: latency, energy and area breakdowns</h2>` +
        `<p class="muted">Knee and per-objective best points chosen by the runner.</p>` +
        highlightTable(run, varying) +
        highlightWhy(run) +
        (hl.html ? `<div class="grid">${hl.html}</div>` + breakdownTables(run) : '<p class="muted">No breakdowns recorded.</p>') +
        '</section>',
    );
  } else {
    sections.push('<section id="highlights"><h2>Highlighted points</h2><p class="muted">The run recorded no highlighted points.</p></section>');
  }

  const extra: Rendered[] = [];
  if (charts.hypervolume) {
    const r = await renderCharts([{ static: charts.hypervolume, live: live?.hypervolume }], counter);
    extra.push(r);
    sections.push(`<section id="hypervolume"><h2>Search progress</h2>${r.html}</section>`);
  }
  if (charts.accuracy) {
    const r = await renderCharts([{ static: charts.accuracy, live: live?.accuracy }], counter);
    extra.push(r);
    sections.push(`<section id="accuracy"><h2>Accuracy under pruning</h2>${r.html}</section>`);
  }
  sections.push(failuresSection(points));
  sections.push(...spaceAndProvenance(run));

  const allSpecs = [...decl.specs, ...pareto.specs, ...(expl?.specs ?? []), ...(parR?.specs ?? []), ...hl.specs, ...extra.flatMap((r) => r.specs)];
  const toc = [
    ['summary', 'Summary'],
    ...(declared.length ? [['declared', 'Figure']] : []),
    ['pareto', 'Pareto'],
    ['front', 'Front table'],
    ...(sens || parR ? [['sensitivity', 'Sensitivity']] : []),
    ['highlights', 'Breakdowns'],
    ...(charts.hypervolume ? [['hypervolume', 'Hypervolume']] : []),
    ...(charts.accuracy ? [['accuracy', 'Accuracy']] : []),
    ...(points.some((p) => p.status === 'failed') ? [['failures', 'Failures']] : []),
    ['space', 'Space file'],
    ['provenance', 'Provenance'],
  ];
  return page(run, points, { interactive, toc, sample, specs: allSpecs, sections });
}

/** The space file and provenance sections. */
function spaceAndProvenance(run: RunJson): string[] {
  const versions = Object.entries(run.versions ?? {});
  return [
    `<section id="space"><h2>Space file</h2>` +
      (run.spaceFile ? `<p class="muted"><code>${esc(run.spaceFile)}</code></p>` : '') +
      `<pre class="yaml">${esc(run.yaml || '(not recorded)')}</pre></section>`,
    `<section id="provenance"><h2>Provenance</h2>` +
      (versions.length ? table(['component', 'version'], versions.map(([k, v]) => [td(k), td(String(v))])) : '') +
      (run.provenance && Object.keys(run.provenance).length ? `<details><summary>energy/area tables</summary><pre>${esc(JSON.stringify(run.provenance, null, 2))}</pre></details>` : '') +
      '</section>',
  ];
}

/** The whole page around the sections: head (with its content security policy), header and navigation, and for interactive reports the Vega bundles and chart specs. */
function page(run: RunJson, points: PointRow[], o: { interactive: boolean; toc: string[][]; sample: PointRow[]; specs: { id: string; spec: unknown }[]; sections: string[] }): string {
  const { interactive, toc, sample, sections } = o;
  const allSpecs = o.specs;
  const csp = interactive
    ? "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline' 'unsafe-eval'; img-src data:; font-src data:"
    : "default-src 'none'; style-src 'unsafe-inline'; img-src data:";
  const head =
    `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">` +
    `<meta http-equiv="Content-Security-Policy" content="${csp}">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<meta name="generator" content="spatten-dse report">` +
    `<title>${esc(`spatten-dse: ${run.name}`)}</title><style>${CSS}</style></head>\n<body>`;
  const header =
    `<header><h1>${esc(run.name)}</h1><p class="sub">spatten-dse run · model ${esc(run.model || '?')} · driver ${esc(run.driver || '?')} · ` +
    `${esc(points.length)} points${interactive ? ' · interactive (hover for details, drag/scroll to zoom scatters, double-click to reset)' : ''}</p>` +
    `<nav>${toc.map(([id, label]) => `<a href="#${id}">${label}</a>`).join('')}</nav></header>`;
  let scripts = '';
  if (interactive) {
    scripts =
      vegaBundles()
        .map((b) => `<script>${b}</script>`)
        .join('\n') +
      '\n' +
      `<script type="application/json" id="shared-points">${jsonForScript(sharedPointRows(run, sample))}</script>\n` +
      allSpecs.map((s) => `<script type="application/json" id="${s.id}-spec">${jsonForScript(s.spec)}</script>`).join('\n') +
      `\n<script>${BOOT}</script>`;
  }
  return `${head}\n${header}\n<main>\n${sections.filter(Boolean).join('\n')}\n</main>\n${scripts}\n</body></html>\n`;
}

/** One static page comparing runs: fronts overlaid per common objective pair, hypervolume against one reference. */
export async function renderComparison(runs: NamedRun[]): Promise<string> {
  const objectives = commonObjectives(runs);
  const hvs = compareHypervolumes(runs, objectives);
  const charts = await renderCharts(pairUp(compareCharts(runs, objectives, hvs), undefined), { n: 0 });
  const title = `comparison: ${runs.map((r) => r.label).join(' vs ')}`;
  const body =
    `<header><h1>${esc(title)}</h1><p class="sub">spatten-dse report · ${runs.length} runs · common objectives: ${objectives.map((o) => `<code>${esc(o.metric)}</code> (${o.goal})`).join(', ') || 'none'}</p></header>\n<main>` +
    `<section id="runs"><h2>Runs</h2>${compareTable(runs, objectives, hvs)}` +
    `<p class="muted">Hypervolume of each run's front over the common objectives, every objective normalised by the bounds of the union of all runs' feasible points (0 = best, 1 = worst) with reference point 1.1 in each: larger is better, and the numbers are comparable across the runs on this page (the hypervolume in each run.json uses that run's own bounds).</p></section>` +
    `<section id="fronts"><h2>Fronts overlaid</h2>${objectives.length >= 2 ? `<div class="grid">${charts.html}</div>` : '<p class="muted">Fewer than two common objectives: nothing to overlay.</p>'}</section></main>`;
  return (
    `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">` +
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="generator" content="spatten-dse report">` +
    `<title>${esc(`spatten-dse: ${title}`)}</title><style>${CSS}</style></head>\n<body>${body}</body></html>\n`
  );
}
