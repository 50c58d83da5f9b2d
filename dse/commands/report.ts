/**
 * `spatten-dse report <DIR> [--interactive]`: regenerates DIR/report.html from DIR/run.json and
 * DIR/points.csv. A missing or malformed folder is bad input: message on stderr, exit code 2.
 */
import type { Command } from 'commander';
import { InputError } from '../errors.ts';

export function register(program: Command): void {
  program
    .command('report')
    .description('regenerate report.html of a results folder (from run.json + points.csv)')
    .argument('<dir>', 'results folder, e.g. results/default')
    .option('--interactive', 'inline the Vega bundles (~800 KB) for tooltips and zoom')
    .option('--max-points <n>', 'most non-front points drawn per scatter (default 1000)')
    .action(async (dir: string, o: { interactive?: boolean; maxPoints?: string }) => {
      let maxOtherPoints: number | undefined;
      if (o.maxPoints !== undefined) {
        maxOtherPoints = Number(o.maxPoints);
        if (!Number.isInteger(maxOtherPoints) || maxOtherPoints < 0) throw new InputError(`--max-points: expected a non-negative integer, got "${o.maxPoints}"`);
      }
      const t0 = performance.now();
      // Loaded on use: vega + vega-lite take ~1 s to import, which every other command would pay.
      const { RunFolderError, writeReport } = await import('../../reports/index.ts');
      let r;
      try {
        r = await writeReport(dir, { interactive: o.interactive === true, maxOtherPoints });
      } catch (e) {
        if (e instanceof RunFolderError) throw new InputError(e.message);
        throw e;
      }
      process.stdout.write(`wrote ${r.path} (${(r.bytes / 1024).toFixed(0)} KiB, ${((performance.now() - t0) / 1000).toFixed(2)} s)\n`);
    });
}
