/** The HTML report of a run: read a results folder, render it, write report.html atomically. */
import { writeFileAtomic } from '../core/atomic.ts';
import path from 'node:path';
import { readRun } from './read.ts';
import { renderReport, type RenderOptions } from './render.ts';
import { toSvg } from './svg.ts';
import type { VlSpec } from './specs.ts';

export { readRun, parsePointsCsv, reportStop, validateRunJson, RunFolderError, type LoadedRun } from './read.ts';
export { renderReport, renderComparison, vegaBundles, type RenderOptions, type ReportInput } from './render.ts';
export type { NamedRun } from './compare.ts';
export { PAPER_FIG21 } from '../sim/paper.ts';

export { writeFileAtomic } from '../core/atomic.ts';

/**
 * Loads the renderer (this module brings vega and vega-lite, ~1 s on a cold start) and renders one
 * two-point chart, so the first real chart of a report runs on compiled code. Runs call it while
 * their evaluations run on other threads (dse/run.ts `preloadReport`).
 */
export async function warmUp(): Promise<void> {
  await toSvg({ data: { values: [{ x: 0, y: 0 }, { x: 1, y: 1 }] }, mark: 'point', encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } } } as VlSpec, 'warm');
}

/** Regenerates `dir/report.html` from `dir/run.json` + `dir/points.csv`. Returns the path and size. */
export async function writeReport(dir: string, opts: RenderOptions = {}): Promise<{ path: string; bytes: number }> {
  const input = await readRun(dir, { sample: true });
  const html = await renderReport(input, opts);
  const out = path.join(dir, 'report.html');
  writeFileAtomic(out, html);
  return { path: out, bytes: Buffer.byteLength(html) };
}

/** Writes a comparison page of several results folders to `out`. Labels are the folder paths. */
export async function writeComparison(dirs: string[], out: string): Promise<{ path: string; bytes: number; notes: string[] }> {
  const { renderComparison } = await import('./render.ts');
  const { incomparable, readComparison } = await import('./compare.ts');
  const runs = await readComparison(dirs);
  const html = await renderComparison(runs);
  await writeFileAtomic(out, html);
  return { path: out, bytes: Buffer.byteLength(html), notes: incomparable(runs).map((a) => `the runs' hypervolumes are not comparable: ${a}`) };
}
