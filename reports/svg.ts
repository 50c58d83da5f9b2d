/**
 * Charts to HTML: every Vega-Lite spec rendered to a static SVG in Node with `vega` (no DOM), each
 * wrapped in a <figure> with its title and caption; in interactive mode the live spec is kept for
 * vega-embed instead.
 */
import type * as Vega from 'vega';
import type * as VegaLite from 'vega-lite';
import { importEsm } from '../core/import-esm.ts';
import { escapeHtml } from './escape.ts';
import { vegaTextWidth } from './text-width.ts';
import { baseConfig, type ChartDef, type VlSpec } from './specs.ts';

const esc = escapeHtml;

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

/**
 * vega and vega-lite, imported on the first chart: a command that renders nothing does not load
 * them. Both are ES modules with top-level await, which `require` cannot load (core/import-esm.ts).
 */
let vegaModules: Promise<{ vega: typeof Vega; vl: typeof VegaLite; quiet: Vega.LoggerInterface }> | undefined;
const loadVega = () =>
  (vegaModules ??= Promise.all([importEsm<typeof Vega>('vega'), importEsm<typeof VegaLite>('vega-lite')]).then(([vega, vl]) => {
    // label widths from per-character font metrics, not vega's canvas-less 0.8 em per character (text-width.ts)
    (vega as unknown as { textMetrics: { width: unknown } }).textMetrics.width = vegaTextWidth;
    return { vega, vl, quiet: vega.logger(vega.None) };
  }));

export async function toSvg(spec: VlSpec, idPrefix: string): Promise<string> {
  const { vega, vl, quiet } = await loadVega();
  const compiled = vl.compile(spec as unknown as VegaLite.TopLevelSpec, { logger: quiet }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.None });
  try {
    const svg = await view.toSVG();
    return compactSvg(svg, idPrefix);
  } finally {
    view.finalize();
  }
}

export interface Rendered {
  html: string;
  specs: { id: string; spec: VlSpec }[];
}

/** A chart: its static spec (rendered to SVG here) and, in interactive mode, the spec for vega-embed. */
export interface ChartPair {
  static: ChartDef;
  live?: ChartDef;
}

export async function renderCharts(charts: ChartPair[], counter: { n: number }): Promise<Rendered> {
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

export function pairUp(a: ChartDef[], b: ChartDef[] | undefined): ChartPair[] {
  return a.map((c, i) => ({ static: c, live: b?.[i] }));
}
