/**
 * `spatten-dse run <space>`: a YAML sweep → points.csv, pareto.csv, run.json and report.html
 * (dse/run.ts does the work; this module is its command line).
 */
import path from 'node:path';
import { Option, type Command } from 'commander';
import { writeFileAtomic } from '../../core/atomic.ts';
import type { PointRow, RunJson } from '../../core/results.ts';
import { InputError } from '../errors.ts';
import { collect, intArg, numArg, printable, decimal } from '../cli-util.ts';
import { parseNamespace } from '../backends/redis.ts';
import { pointsCsv, runJsonText } from '../outputs.ts';
import { runSpace, type RunSummary } from '../run.ts';
import { DEFAULT_MAX_POINTS } from '../space-checks.ts';
import { exitCodeFor, stopText, type StopReason } from '../stop.ts';
import { distinctNote, distinctOutcomes } from '../../reports/front-groups.ts';
import { subsetFrontNote } from '../../reports/rung-notes.ts';
import { kneeLine } from '../../reports/recommend.ts';

/**
 * The report step of `run`, from the points the runner kept for it (the front and a sample: a
 * 10⁷-point points.csv is not read back). They are drawn as the files hold them (run.json's and
 * points.csv's precision), so `report DIR`, which draws the same points from the files, writes
 * the same page. reports/ is loaded on use (vega + vega-lite take ~1 s).
 */
let reports: Promise<typeof import('../../reports/index.ts')> | undefined;
const loadReports = () => (reports ??= import('../../reports/index.ts'));

/** Loads reports/ and warms its chart renderer ahead of the report (while the workers evaluate). */
function preloadReport(): void {
  loadReports()
    .then((rep) => rep.warmUp())
    .catch(() => {}); // a failure shows where the report is written
}

async function writeReport(dir: string, opts: { interactive: boolean }, input: { run: RunJson; points: PointRow[] }): Promise<void> {
  const rep = await loadReports();
  const run = rep.validateRunJson(JSON.parse(runJsonText(input.run)), path.join(dir, 'run.json'));
  const points = rep.parsePointsCsv(pointsCsv(input.points, input.run.parameters, input.run.metrics), input.run);
  writeFileAtomic(path.join(dir, 'report.html'), await rep.renderReport({ run, points }, opts));
}

/** The lines printed at the end of a run: counts, stop reason, notes, the recommended (knee) design, the files written. */
export function runSummary(r: RunSummary): string {
  const c = r.run.counts;
  const files = ['points.csv', 'pareto.csv', 'run.json', ...(r.reportWritten === false ? [] : ['report.html'])];
  // the runner keeps every front point in `rows`: how many distinct outcomes they hold (points with identical objective values count once)
  const front = r.rows.filter((p) => p.pareto);
  const distinct = front.length === c.pareto ? distinctNote(c.pareto, distinctOutcomes(r.run, front)) : '';
  // front points left at an accuracy subset rung (a run stopped during the refinement)
  const subset = subsetFrontNote(r.rows);
  const knee = kneeLine(r.run);
  return (
    `${r.run.name}: ${c.total} points (${c.ok} ok, ${c.failed} failed, ${c.feasible} feasible), ${c.pareto} on the Pareto front${distinct}` +
    ` in ${r.run.wallSeconds.toFixed(1)} s — ${stopText(r.run.stopReason as StopReason | undefined, r.run.stopDetail)}\n` +
    (r.run.notes ?? []).map((n) => `${n}\n`).join('') +
    (subset ? `note: ${subset}\n` : '') +
    (knee ? `${knee}\n` : '') +
    (r.written === false ? '' : `wrote ${files.map((f) => path.join(r.dir, f)).join(', ')}\n`) +
    (r.journalKept ? `kept ${r.journalKept}: its evaluations are what the same command in this folder continues from (--fresh starts over)\n` : '')
  );
}

export function register(program: Command): void {
  program
    .command('run')
    .description('run a YAML sweep and write points.csv, pareto.csv, run.json and report.html')
    .argument('<space>', 'space file (YAML), e.g. spaces/default.yaml')
    .option('-o, --out <dir>', 'output folder (default results/<name>)')
    .option('-j, --jobs <n>', 'parallel evaluations', intArg('--jobs'))
    .option('--seed <s>', 'override search.seed', (v: string) => {
      const n = decimal(v);
      if (!Number.isSafeInteger(n)) throw new InputError(`--seed: expected an integer (at most ${Number.MAX_SAFE_INTEGER}), got "${v}"`);
      return n;
    })
    .option('--max-evals <n>', 'stop after n evaluations', intArg('--max-evals'))
    .option('--time-limit <seconds>', 'stop after this many seconds', numArg('--time-limit'))
    .option('--max-points <n>', `refuse a grid with more points (or a driver asked for more evaluations) than this (default ${DEFAULT_MAX_POINTS})`, intArg('--max-points'))
    .addOption(new Option('--progress <mode>', 'progress display').choices(['auto', 'bar', 'lines', 'none']).default('auto'))
    .option('--interactive', 'interactive report (inlines the Vega bundles, ~830 KB, and a bounded sample of points: ~1.3 MB for the default run)')
    .option('--no-report', 'skip report.html')
    .option('--resume', "continue from the folder's journal (the default when it belongs to this space and model version; a default folder whose journal does not is otherwise moved aside to results/<name>.<time>, and with --resume refused)")
    .option('--fresh', "discard the folder's journal and start over (the only way a journal is truncated)")
    .option('--force', 'write into a non-empty --out folder that is not a results folder of spatten-dse')
    .option('--reuse <dir>', "reuse evaluations journaled by another run folder (repeatable; only exact matches of params, model version and base config)", collect, [])
    .option('--queue <url>', 'evaluate on `spatten-dse worker` processes through a BullMQ queue on Redis, redis://HOST:PORT[/DB]')
    .option('--namespace <name>', 'with --queue: only workers started with the same --namespace serve the run (e.g. to share one Redis between users)', (v: string) => parseNamespace(v))
    .option('--wait-workers <n>', 'with --queue: enqueue nothing until n workers are connected to the run (so that a short run is shared by all of them)', intArg('--wait-workers'))
    .action(async (space: string, o) => {
      if (o.interactive && o.report === false) throw new InputError('--interactive and --no-report contradict each other: --interactive is a kind of report.html, --no-report writes none');
      const r = await runSpace({
        spaceFile: space,
        outDir: o.out,
        jobs: o.jobs,
        seed: o.seed,
        maxEvals: o.maxEvals,
        timeLimit: o.timeLimit,
        maxPoints: o.maxPoints,
        progress: o.progress,
        interactive: o.interactive,
        report: o.report,
        writeReport,
        preloadReport,
        resume: o.resume,
        fresh: o.fresh,
        force: o.force,
        reuse: o.reuse,
        argv: process.argv.slice(2),
        queue: o.queue,
        namespace: o.namespace,
        waitWorkers: o.waitWorkers,
      });
      process.stdout.write(runSummary(r));
      if (r.run.stopReason === 'failed') process.stderr.write(`error: ${printable(r.run.stopDetail ?? 'the run failed')}\n`);
      process.exitCode = exitCodeFor(r.run.stopReason as StopReason | undefined);
    });
}
