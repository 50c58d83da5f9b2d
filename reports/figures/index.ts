/**
 * The report of `spatten-dse reproduce … --report FILE`: for each paper figure, charts on the
 * paper's own axes (ours next to the paper's values) and the table reproduce prints, in one
 * static, self-contained HTML page (Vega-Lite rendered to SVG in Node, no scripts).
 */
import type { ChartDef } from '../spec-base.ts';
import type { FigureJson } from '../../dse/reproduce/types.ts';
import { escapeHtml as esc } from '../escape.ts';
import { CSS } from '../page.ts';
import { renderCharts } from '../svg.ts';
import { fig19aCharts, fig20Charts, fig20gpuCharts, sramCharts } from './sweeps.ts';
import { fig14Charts, fig15Charts, fig18Charts, headlineCharts, table4Charts } from './suite.ts';

/** Charts of each figure, by its `reproduce` name, from what `reproduce <name> --json` prints (FigureJson). */
export const FIGURE_CHARTS: Record<string, (rows: never) => ChartDef[]> = {
  fig19a: fig19aCharts,
  fig20: fig20Charts,
  sram: sramCharts,
  headline: headlineCharts,
  fig14: fig14Charts,
  fig15: fig15Charts,
  fig18: fig18Charts,
  fig20gpu: fig20gpuCharts,
  table4: table4Charts,
};

/** A figure's run as `reproduce` hands it over: its name, description, `--json` envelope and text. */
export interface FigureResult {
  name: string;
  describe: string;
  rows: FigureJson;
  text: string;
}

/**
 * The charts of one figure's result (none for a figure without a chart builder). `rows` is the
 * figure's envelope, or any object with the keys its builder reads (e.g. fig19a's `configurations`).
 */
export function figureCharts(f: { name: string; rows: object }): ChartDef[] {
  const build = FIGURE_CHARTS[f.name];
  return build ? build(f.rows as never) : [];
}

/**
 * What a figure's gaps to the paper come from (its `why` lines, as the table prints them), shown
 * under its charts rather than only inside the folded table: a chart that puts ours next to the
 * paper's value names the cause of the difference where the reader sees it.
 */
function whyBlock(why: readonly string[] | undefined): string {
  if (!why?.length) return '';
  // the table's indentation, less what every line shares
  const indent = Math.min(...why.map((l) => /^ */.exec(l)![0].length));
  const lines = why.map((l) => l.slice(indent));
  return `<div class="why"><p><b>Where ours and the paper's differ, and why</b> (as <code>reproduce</code> prints it)</p><pre class="why">${esc(lines.join('\n'))}</pre></div>`;
}

/** One static HTML page with every figure's charts and printed table. `command` is shown in the header. */
export async function renderFigureReport(figures: FigureResult[], command: string): Promise<string> {
  const counter = { n: 0 };
  const sections: string[] = [];
  for (const f of figures) {
    const charts = figureCharts(f);
    const r = await renderCharts(charts.map((c) => ({ static: c })), counter);
    sections.push(
      `<section id="${esc(f.name)}"><h2>${esc(f.describe)}</h2>` +
        (charts.length ? `<div class="grid">${r.html}</div>` : '<p class="muted">No chart for this figure; its numbers are below.</p>') +
        whyBlock(f.rows.why) +
        `<details${charts.length ? '' : ' open'}><summary>the numbers, as <code>reproduce ${esc(f.name)}</code> prints them</summary><pre>${esc(f.text)}</pre></details></section>`,
    );
  }
  const title = `spatten-dse reproduce: ${figures.map((f) => f.name).join(', ')}`;
  return (
    `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">` +
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="generator" content="spatten-dse reproduce">` +
    `<title>${esc(title)}</title><style>${CSS}\npre.why{white-space:pre-wrap;margin-top:4px}div.why{margin:8px 0}div.why p{margin:0}</style></head>\n<body>` +
    `<header><h1>The paper's figures, reproduced</h1><p class="sub"><code>${esc(command)}</code> · ours next to the paper's values on the paper's axes</p>` +
    `<nav>${figures.map((f) => `<a href="#${esc(f.name)}">${esc(f.name)}</a>`).join('')}</nav></header>\n<main>\n${sections.join('\n')}\n</main>\n</body></html>\n`
  );
}
