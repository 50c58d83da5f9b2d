/** The HTML report of a run: read a results folder, render it, write report.html atomically. */
import { writeFileAtomic } from '../core/atomic.ts';
import path from 'node:path';
import { readRun } from './read.ts';
import { renderReport, type RenderOptions } from './render.ts';

export { readRun, parsePointsCsv, validateRunJson, RunFolderError, type LoadedRun } from './read.ts';
export { renderReport, vegaBundles, type RenderOptions, type ReportInput } from './render.ts';
export { PAPER_FIG21 } from '../sim/paper.ts';

export { writeFileAtomic } from '../core/atomic.ts';

/** Regenerates `dir/report.html` from `dir/run.json` + `dir/points.csv`. Returns the path and size. */
export async function writeReport(dir: string, opts: RenderOptions = {}): Promise<{ path: string; bytes: number }> {
  const input = await readRun(dir);
  const html = await renderReport(input, opts);
  const out = path.join(dir, 'report.html');
  writeFileAtomic(out, html);
  return { path: out, bytes: Buffer.byteLength(html) };
}
