/**
 * `spatten-dse report <DIR> [--interactive]`: regenerates DIR/report.html from DIR/run.json and
 * DIR/points.csv. `report A B …` compares runs on one page (fronts overlaid, hypervolume of each
 * against a common reference), written to --out (default compare.html). A missing or malformed
 * folder is bad input: message on stderr, exit code 2.
 */
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { lockHolder } from '../lock.ts';
import { fsInputError, InputError } from '../errors.ts';
import { checkOutFile } from '../outputs.ts';
import { decimal } from '../cli-util.ts';

export function register(program: Command): void {
  program
    .command('report')
    .description('regenerate report.html of a results folder (from run.json + points.csv); with several folders, a comparison page')
    .argument('<dirs...>', 'results folder(s), e.g. results/default (two or more: compare them)')
    .option('--interactive', 'inline the Vega bundles (~830 KB; ~1.3 MB in all for the default run) for tooltips, zoom, brushing and parameter filters (one folder)')
    .option('--max-points <n>', 'most non-front points drawn per static scatter (default 600; one folder)')
    .option('--out <file>', 'comparison page to write (several folders; default compare.html)')
    .action(async (dirs: string[], o: { interactive?: boolean; maxPoints?: string; out?: string }) => {
      let maxOtherPoints: number | undefined;
      if (o.maxPoints !== undefined) {
        maxOtherPoints = decimal(o.maxPoints);
        if (!Number.isInteger(maxOtherPoints) || maxOtherPoints < 0) throw new InputError(`--max-points: expected a non-negative integer, got "${o.maxPoints}"`);
      }
      if (o.out !== undefined && dirs.length < 2) throw new InputError('--out: only for comparisons (give two or more results folders)');
      // a comparison page is static and draws each run's front only: these would change nothing
      if (dirs.length > 1 && o.interactive) throw new InputError("--interactive: only for one results folder's report.html (a comparison page has no interactive form); drop it, or give one folder");
      if (dirs.length > 1 && o.maxPoints !== undefined) throw new InputError("--max-points: only for one results folder's report.html (a comparison page draws each run's front, no other points); drop it, or give one folder");
      const out = o.out ?? 'compare.html';
      if (dirs.length > 1) checkOutFile(out, `--out ${out}`, 'compare.html', true);
      const twice = repeatedFolder(dirs);
      if (twice) throw new InputError(`${twice[1]}: the same results folder as ${twice[0]}; a comparison needs different runs`);
      for (const d of dirs) {
        // a first run still going has no run.json yet: say so rather than "is it a results folder?"
        const first = !existsSync(path.join(d, 'run.json'));
        // a rerun still going replaces run.json, points.csv and report.html when it ends: a page drawn
        // now from the earlier run's outputs could land beside the new ones (comparisons only read)
        const holder = first || dirs.length === 1 ? lockHolder(d) : undefined;
        if (holder && first) throw new InputError(`${d}: a run (${holder}) is still writing this folder; its run.json appears when that run ends`);
        if (holder) throw new InputError(`${d}: a run (${holder}) is still writing this folder; it replaces run.json, points.csv and report.html when it ends: run report after that`);
      }
      const t0 = performance.now();
      // Loaded on use: vega + vega-lite take ~1 s to import, which every other command would pay.
      const { RunFolderError, writeReport, writeComparison } = await import('../../reports/index.ts');
      let r: { path: string; bytes: number; notes?: string[] };
      try {
        r = dirs.length > 1 ? await writeComparison(dirs, out) : await writeReport(dirs[0], { interactive: o.interactive === true, maxOtherPoints });
      } catch (e) {
        if (e instanceof RunFolderError) throw new InputError(e.message);
        // the runs are read with RunFolderErrors: a filesystem error of a comparison is its write
        throw dirs.length > 1 ? fsInputError(e, `--out ${out}`) : e;
      }
      for (const n of r.notes ?? []) process.stderr.write(`note: ${n}\n`);
      process.stdout.write(`wrote ${r.path} (${(r.bytes / 1024).toFixed(0)} KiB, ${((performance.now() - t0) / 1000).toFixed(2)} s)\n`);
    });
}

/** The first two arguments that name one folder (the same path, or links to it), if any. */
function repeatedFolder(dirs: string[]): [string, string] | undefined {
  const seen = new Map<string, string>();
  for (const d of dirs) {
    let key = path.resolve(d);
    try {
      key = realpathSync(d);
    } catch {
      // a missing folder is reported by the checks that read it
    }
    const first = seen.get(key);
    if (first !== undefined) return [first, d];
    seen.set(key, d);
  }
  return undefined;
}
