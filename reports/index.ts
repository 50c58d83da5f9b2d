/** The HTML report of a run: read a results folder, render it, write report.html atomically. */
import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { readRun } from './read.ts';
import { renderReport, type RenderOptions } from './render.ts';

export { readRun, parsePointsCsv, validateRunJson, RunFolderError, type LoadedRun } from './read.ts';
export { renderReport, renderComparison, vegaBundles, type RenderOptions, type ReportInput } from './render.ts';
export type { NamedRun } from './compare.ts';
export { PAPER_FIG21 } from './paper.ts';

/** Writes `file` via a temporary sibling and a rename, so readers never see half a file. */
export async function writeFileAtomic(file: string, data: string): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, data, 'utf8');
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/** Regenerates `dir/report.html` from `dir/run.json` + `dir/points.csv`. Returns the path and size. */
export async function writeReport(dir: string, opts: RenderOptions = {}): Promise<{ path: string; bytes: number }> {
  const input = await readRun(dir);
  const html = await renderReport(input, opts);
  const out = path.join(dir, 'report.html');
  await writeFileAtomic(out, html);
  return { path: out, bytes: Buffer.byteLength(html) };
}

/** Writes a comparison page of several results folders to `out`. Labels are the folder paths. */
export async function writeComparison(dirs: string[], out: string): Promise<{ path: string; bytes: number }> {
  const { renderComparison } = await import('./render.ts');
  const runs = [];
  for (const d of dirs) runs.push({ label: d, ...(await readRun(d)) });
  const html = await renderComparison(runs);
  await writeFileAtomic(out, html);
  return { path: out, bytes: Buffer.byteLength(html) };
}
