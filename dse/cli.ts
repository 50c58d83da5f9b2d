/**
 * `spatten-dse` command line. Core commands live here (run, simulate, schema); feature commands
 * (report, accuracy, train, reproduce, …) are modules in dse/commands/ that export
 * `register(program)` and are loaded automatically.
 *
 * Exit codes: 0 ok (also a run stopped by its budget: it says so), 1 failure (every point failed,
 * or an unexpected error: rerun with --debug for the stack), 2 bad input (one line naming the
 * file/option/field; nothing written), 130 interrupted (SIGINT), 143 terminated (SIGTERM) — both
 * after writing the outputs of what finished.
 */
import { closeSync, openSync, readdirSync, readSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import { HARDWARE_PRESETS, MODEL_NAMES, STAGES, WorkloadSchema, type DesignPoint } from '../sim/schema.ts';
import { MODEL_SHAPES } from '../sim/workload/models.ts';
import { evaluateHardware } from '../sim/index.ts';
import { fsMessage, InputError, isUserFsError } from './errors.ts';
import { FAST_FIDELITY, FIDELITIES, FIDELITY_NAMES, type FidelityName } from '../sim/fidelities.ts';
import { fmtSig, HW_METRICS, metricDef, pickMetrics } from '../sim/metrics.ts';
import { BENCHMARK_NAMES, isBenchmark } from '../sim/workload/benchmarks.ts';
import { compareWithBaseline, type BaselineComparison } from '../sim/baselines/compare.ts';
import { isPlatform, PLATFORM_NAMES } from '../sim/baselines/platforms.ts';
import { resolveWorkload } from '../sim/index.ts';
import { writeFileAtomic } from '../core/atomic.ts';
import type { PointRow, RunJson } from '../core/results.ts';
import { applyParams, basePoint } from './evaluate.ts';
import { pointsCsv, runJsonText } from './outputs.ts';
import { parseSets, SpaceSchema, spaceJsonSchema } from './space.ts';
import { packageVersion, runSpace, type RunSummary } from './run.ts';
import { DEFAULT_MAX_POINTS } from './space-checks.ts';
import { exitCodeFor, stopText, type StopReason } from './stop.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

function intArg(name: string, max = Number.MAX_SAFE_INTEGER) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < 1) throw new InputError(`${name}: expected a positive integer, got "${v}"`);
    if (n > max) throw new InputError(`${name}: ${v} is too large (at most ${max})`);
    return n;
  };
}

function numArg(name: string, max = 1e9) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new InputError(`${name}: expected a positive number, got "${v}"`);
    if (n > max) throw new InputError(`${name}: ${v} is too large (at most ${max})`);
    return n;
  };
}

/** The bound of a zod number schema (for option messages): `.max()` of WorkloadSchema fields. */
function maxOf(field: 'seqLen' | 'genTokens'): number {
  const r = WorkloadSchema.shape[field].safeParse(Number.MAX_SAFE_INTEGER);
  const issue = r.success ? undefined : (r.error.issues[0] as { maximum?: number | bigint });
  return issue?.maximum !== undefined ? Number(issue.maximum) : Number.MAX_SAFE_INTEGER;
}

/** A user-given file must exist, be a file and hold text (not e.g. `--trace /bin/ls`). */
function checkTextFile(file: string, option: string): void {
  let head: Buffer;
  try {
    const fd = openSync(file, 'r');
    try {
      head = Buffer.alloc(4096);
      head = head.subarray(0, readSync(fd, head, 0, head.length, 0));
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    if (isUserFsError(e)) throw new InputError(fsMessage(e, `${option} ${file}`));
    throw e;
  }
  if (head.includes(0)) throw new InputError(`${option} ${file}: not a text file (it contains NUL bytes); expected a CSV trace`);
}

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

const fmt = (x: number) => fmtSig(x);

/**
 * The report step of `run`, from the points the runner kept for it (the front and a sample: a
 * 10⁷-point points.csv is not read back). They are drawn as the files hold them (run.json's and
 * points.csv's precision), so `report DIR`, which draws the same points from the files, writes
 * the same page. reports/ is loaded on use (vega + vega-lite take ~1 s).
 */
async function writeReport(dir: string, opts: { interactive: boolean }, input: { run: RunJson; points: PointRow[] }): Promise<void> {
  const rep = await import('../reports/index.ts');
  const run = rep.validateRunJson(JSON.parse(runJsonText(input.run)), path.join(dir, 'run.json'));
  const points = rep.parsePointsCsv(pointsCsv(input.points, input.run.parameters, input.run.metrics), input.run);
  writeFileAtomic(path.join(dir, 'report.html'), await rep.renderReport({ run, points }, opts));
}

/** The lines printed at the end of a run: counts, stop reason, notes, the files written. */
export function runSummary(r: RunSummary): string {
  const c = r.run.counts;
  const files = ['points.csv', 'pareto.csv', 'run.json', ...(r.reportWritten === false ? [] : ['report.html'])];
  return (
    `${r.run.name}: ${c.total} points (${c.ok} ok, ${c.failed} failed, ${c.feasible} feasible), ${c.pareto} on the Pareto front` +
    ` in ${r.run.wallSeconds.toFixed(1)} s — ${stopText(r.run.stopReason as StopReason | undefined, r.run.stopDetail)}\n` +
    (r.run.notes ?? []).map((n) => `${n}\n`).join('') +
    (r.written === false ? '' : `wrote ${files.map((f) => path.join(r.dir, f)).join(', ')}\n`)
  );
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('spatten-dse')
    .description('Design-space exploration for the SpAtten sparse-attention accelerator')
    .version(packageVersion())
    .option('--debug', 'print the stack of an unexpected error')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();
  registerRun(program);
  registerSimulate(program);
  program
    .command('schema')
    .description('print the JSON Schema of space files (for editor completion and validation)')
    .option('--out <file>', 'write it to a file (e.g. space.schema.json) instead of stdout')
    .action(async (o: { out?: string }) => {
      const text = JSON.stringify(spaceJsonSchema(), null, 2) + '\n';
      if (!o.out) return void process.stdout.write(text);
      const { writeFileSync } = await import('node:fs');
      writeFileSync(o.out, text);
      process.stdout.write(`wrote ${o.out}\n`);
    });
  return program;
}

function registerRun(program: Command): void {
  program
    .command('run')
    .description('run a YAML sweep and write points.csv, pareto.csv, run.json and report.html')
    .argument('<space>', 'space file (YAML), e.g. spaces/default.yaml')
    .option('-o, --out <dir>', 'output folder (default results/<name>)')
    .option('-j, --jobs <n>', 'parallel evaluations', intArg('--jobs'))
    .option('--seed <s>', 'override search.seed', (v: string) => {
      const n = Number(v);
      if (!Number.isSafeInteger(n)) throw new InputError(`--seed: expected an integer (at most ${Number.MAX_SAFE_INTEGER}), got "${v}"`);
      return n;
    })
    .option('--max-evals <n>', 'stop after n evaluations', intArg('--max-evals'))
    .option('--time-limit <seconds>', 'stop after this many seconds', numArg('--time-limit'))
    .option('--max-points <n>', `refuse a grid with more points (or a driver asked for more evaluations) than this (default ${DEFAULT_MAX_POINTS})`, intArg('--max-points'))
    .addOption(new Option('--progress <mode>', 'progress display').choices(['auto', 'bar', 'lines', 'none']).default('auto'))
    .option('--interactive', 'interactive report (inlines the Vega bundles, ~830 KB, and a bounded sample of points: ~1.3 MB for the default run)')
    .option('--no-report', 'skip report.html')
    .option('--resume', "continue from the folder's journal (the default when the folder's journal belongs to this space; kept for clarity)")
    .option('--fresh', "discard the folder's journal and start over (the only way a journal is truncated)")
    .option('--force', 'write into a non-empty --out folder that is not a results folder of spatten-dse')
    .option('--reuse <dir>', "reuse evaluations journaled by another run folder (repeatable; only exact matches of params, model version and base config)", collect, [])
    .option('--queue <url>', 'evaluate on `spatten-dse worker` processes through a BullMQ queue on Redis, redis://HOST:PORT[/DB]')
    .action(async (space: string, o) => {
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
        resume: o.resume,
        fresh: o.fresh,
        force: o.force,
        reuse: o.reuse,
        argv: process.argv.slice(2),
        queue: o.queue,
      });
      process.stdout.write(runSummary(r));
      if (r.run.stopReason === 'failed') process.stderr.write(`error: ${printable(r.run.stopDetail ?? 'the run failed')}\n`);
      process.exitCode = exitCodeFor(r.run.stopReason as StopReason | undefined);
    });
}

function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description('evaluate one design point and print its metrics and breakdowns')
    .option('-w, --workload <name>', `model shape (${MODEL_NAMES.join(', ')}) or one of the paper's 30 benchmarks (e.g. bert-base-cola, gpt2-medium-wikitext2)`, 'gpt2-medium')
    .addOption(new Option('--stage <stage>', 'summarization or generation (default: generation for GPT-2, summarization for BERT)').choices(STAGES as unknown as string[]))
    .option('--seq-len <n>', 'sequence / prompt length', intArg('--seq-len', maxOf('seqLen')))
    .option('--gen-tokens <n>', 'tokens generated', intArg('--gen-tokens', maxOf('genTokens')))
    .addOption(new Option('--preset <name>', 'hardware preset').choices(Object.keys(HARDWARE_PRESETS)).default('spatten'))
    .option('-s, --set <key=value>', 'set a parameter (repeatable), e.g. --set hw.dramChannels=32', collect, [])
    .addOption(new Option('-f, --fidelity <name>', `hardware model: ${FIDELITY_NAMES.map((n) => `${n} (${FIDELITIES[n].description})`).join(', ')}`).choices(FIDELITY_NAMES))
    .addOption(new Option('-m, --model <name>', 'deprecated: the old name of --fidelity').choices(FIDELITY_NAMES).hideHelp())
    .option('--trace <file>', 'official 17-column workload CSV instead of a generated workload')
    .option('--json', 'print one JSON object (every metric is a top-level key)')
    .option('--baseline <name>', `compare with a CPU/GPU/edge platform running the same dense workload in PyTorch (${PLATFORM_NAMES.join(', ')}): adds speedup and energy_saving`)
    .option('--accuracy <model>', 'also run the accuracy engine (spam-bert, sotu-gpt, sotu-char, HF folder) and drive the hardware model with its measured pruning, as a sweep with an accuracy block does')
    .option('--accuracy-examples <n>', 'examples for --accuracy (the sweep\'s maxExamples)', intArg('--accuracy-examples'))
    .action(async (o) => {
      const name = String(o.workload);
      const bench = isBenchmark(name);
      if (!bench && !(MODEL_NAMES as readonly string[]).includes(name)) {
        throw new InputError(`--workload: unknown model or benchmark "${name}" (models: ${MODEL_NAMES.join(', ')}; benchmarks: ${BENCHMARK_NAMES.join(', ')})`);
      }
      if (bench && (o.stage || o.seqLen || o.genTokens || o.trace)) {
        throw new InputError(`--workload ${name}: a benchmark fixes the stage and lengths; use --workload <model> with --stage/--seq-len/--gen-tokens instead`);
      }
      const encoder = bench ? name.startsWith('bert') : MODEL_SHAPES[name as keyof typeof MODEL_SHAPES].kind === 'encoder';
      const stage = o.stage ?? (encoder ? 'summarization' : 'generation');
      if (encoder && stage === 'generation') throw new InputError(`--stage generation: ${o.workload} is an encoder, only the summarization stage applies`);
      if (o.trace) checkTextFile(o.trace, '--trace');
      const seqLen = o.seqLen ?? (stage === 'generation' ? 992 : encoder ? 128 : 992);
      if (o.model !== undefined && o.fidelity !== undefined) throw new InputError('give --fidelity only (--model is its deprecated old name)');
      if (o.model !== undefined) process.stderr.write('note: --model is deprecated; use --fidelity\n');
      const fid: FidelityName = o.fidelity ?? o.model ?? FAST_FIDELITY;
      const space = SpaceSchema.parse({
        name: 'simulate',
        objectives: [{ metric: 'latency_s', goal: 'min' }],
        workload: bench ? { benchmark: name } : { model: name, stage, seqLen, genTokens: o.genTokens ?? 32, ...(o.trace ? { trace: o.trace } : {}) },
        hardware: { preset: o.preset },
      });
      let point: DesignPoint;
      try {
        point = applyParams(basePoint(space), parseSets(o.set));
      } catch (e) {
        if (e instanceof InputError) throw e;
        throw new InputError((e as Error).message);
      }
      let acc: Awaited<ReturnType<typeof import('./evaluate.ts').runAccuracy>> | undefined;
      if (o.accuracy) {
        const { runAccuracy } = await import('./evaluate.ts');
        const { modelShape } = await import('../sim/workload/models.ts');
        acc = await runAccuracy({ model: o.accuracy, maxExamples: o.accuracyExamples }, point.algo, modelShape(point.workload.model).layers);
      }
      let r;
      try {
        r = evaluateHardware(point, { fidelity: fid, overrides: acc?.overrides });
      } catch (e) {
        if (point.workload.trace) throw new InputError(`--trace ${point.workload.trace}: ${(e as Error).message.split('\n')[0]}`);
        throw e;
      }
      if (o.baseline !== undefined && !isPlatform(o.baseline)) throw new InputError(`--baseline: unknown platform "${o.baseline}" (known: ${PLATFORM_NAMES.join(', ')})`);
      const cmp: BaselineComparison | undefined = o.baseline ? compareWithBaseline(point, r, o.baseline, point.workload.trace ? resolveWorkload(point) : undefined) : undefined;
      if (o.json) {
        const out = {
          ...(cmp ? { speedup: cmp.speedup, energy_saving: cmp.energy_saving, baseline: cmp } : {}),
          ...pickMetrics(r),
          ...(acc ? { [acc.metric]: acc.value, [`${acc.metric}_ci_low`]: acc.ci95[0], [`${acc.metric}_ci_high`]: acc.ci95[1], lsb_refetch_fraction: acc.lsbRefetchFraction } : {}),
          fidelity: r.model,
          model: r.model,
          stages: r.stages,
          energy_breakdown_j: r.energy,
          area_breakdown_mm2: r.area,
          activity: r.activity,
          extra: r.extra ?? {},
          config: point,
        };
        process.stdout.write(JSON.stringify(out, null, 2) + '\n');
        return;
      }
      const w = point.workload;
      const lines = [
        `workload  ${w.trace ? `trace ${w.trace}` : `${w.model} ${w.stage} seqLen=${w.seqLen}${w.stage === 'generation' ? ` genTokens=${w.genTokens}` : ''}`}   fidelity ${r.model} (at ${point.hw.clockGHz} GHz)`,
        ...HW_METRICS.map((m) => `${m.padEnd(11)} ${metricDef(m)!.format(r[m])}`),
        ...(acc ? [`${acc.metric.padEnd(11)} ${fmt(acc.value)}  (95% CI ${fmt(acc.ci95[0])} … ${fmt(acc.ci95[1])}, n=${acc.n}, ${o.accuracy})`] : []),
        `stage busy cycles: ${Object.entries(r.stages).map(([k, v]) => `${k} ${fmt(v)}`).join(', ')}`,
        `energy (mJ): ${Object.entries(r.energy).map(([k, v]) => `${k} ${fmt(v * 1e3)}`).join(', ')}`,
        `area (mm²): ${Object.entries(r.area).map(([k, v]) => `${k} ${fmt(v)}`).join(', ')}`,
        ...(cmp ? [`vs ${cmp.baseline} (${cmp.scope}): speedup ${fmt(cmp.speedup)}×, energy saving ${fmt(cmp.energy_saving)}×  (baseline ${fmtSig(cmp.baseline_latency_s * 1e3, 'ms')}, ${fmtSig(cmp.baseline_energy_j * 1e3, 'mJ')})`] : []),
      ];
      process.stdout.write(lines.join('\n') + '\n');
    });
}


async function loadCommandModules(program: Command): Promise<void> {
  const dir = path.join(here, 'commands');
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.ts')).sort();
  } catch {
    return;
  }
  for (const f of files) {
    // a relative template import: esbuild bundles every file of ./commands/ (the CLI bundle, dse/bundle.ts)
    const mod = await import(`./commands/${f}`);
    if (typeof mod.register === 'function') mod.register(program);
  }
}

/** A message fit for a terminal: no control characters, each line at most ~400 characters. */
export function printable(message: string): string {
  return message
    .split('\n')
    .map((l) => {
      const clean = l.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\ufffd]/g, '?');
      return clean.length > 400 ? `${clean.slice(0, 400)}…` : clean;
    })
    .join('\n');
}

/**
 * The one error path: user-caused errors (InputError, errors with exitCode 2 such as a held lock or
 * a malformed results folder, filesystem errors on the user's paths) → one message, exit 2;
 * anything else is unexpected → a short message and a hint to rerun with --debug, exit 1.
 */
export function reportError(e: unknown, debug: boolean): number {
  const err = e as Error & { exitCode?: number };
  if (e instanceof InputError || err?.exitCode === 2) {
    process.stderr.write(`error: ${printable(err.message)}\n`);
    if (debug) process.stderr.write(`${err.stack}\n`);
    return 2;
  }
  if (isUserFsError(e)) {
    process.stderr.write(`error: ${printable(fsMessage(e))}\n`);
    if (debug) process.stderr.write(`${err.stack}\n`);
    return 2;
  }
  const first = printable(String(err?.message ?? e).split('\n')[0]);
  process.stderr.write(`error: ${first}\n`);
  if (debug) process.stderr.write(`${err?.stack ?? ''}\n`);
  else process.stderr.write('(an unexpected error: rerun with --debug for the stack trace, and please report it)\n');
  return typeof err?.exitCode === 'number' ? err.exitCode : 1;
}

export async function main(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug') || !!process.env.SPATTEN_DEBUG;
  process.exitCode = undefined;
  try {
    const program = buildProgram();
    await loadCommandModules(program);
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return 2;
    }
    return reportError(e, debug);
  } finally {
    process.exitCode = undefined;
  }
}

// Run when executed directly (bin/spatten-dse.js → tsx dse/cli.ts).
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => process.exit(reportError(e, process.argv.includes('--debug'))),
  );
}
