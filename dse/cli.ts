/**
 * `spatten-dse` command line. Core commands live here (run, simulate, schema); feature commands
 * (report, accuracy, train, reproduce, …) are modules in dse/commands/ that export
 * `register(program)` and are loaded automatically.
 *
 * Exit codes: 0 ok, 1 failure, 2 bad input (nothing written), 130 interrupted.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import { HARDWARE_PRESETS, MODEL_NAMES, STAGES, type DesignPoint } from '../sim/schema.ts';
import { evaluateHardware } from '../sim/index.ts';
import { FAST_FIDELITY, FIDELITIES, FIDELITY_NAMES, type FidelityName } from '../sim/fidelities.ts';
import { fmtSig, HW_METRICS, metricDef, pickMetrics } from '../sim/metrics.ts';
import { InputError } from './errors.ts';
import { writeFileAtomic } from '../core/atomic.ts';
import type { PointRow, RunJson } from '../core/results.ts';
import { applyParams, basePoint } from './evaluate.ts';
import { parseSets, SpaceSchema, spaceJsonSchema } from './space.ts';
import { packageVersion, runSpace } from './run.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

function intArg(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new InputError(`${name}: expected a positive integer, got "${v}"`);
    return n;
  };
}

function numArg(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new InputError(`${name}: expected a positive number, got "${v}"`);
    return n;
  };
}

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

const fmt = (x: number) => fmtSig(x);

/**
 * The report step of `run`, from the points the runner kept for it (the front and a sample: a
 * 10⁷-point points.csv is not read back). reports/ is loaded on use (vega + vega-lite take ~1 s).
 */
async function writeReport(dir: string, opts: { interactive: boolean }, input: { run: RunJson; points: PointRow[] }): Promise<void> {
  const rep = await import('../reports/index.ts');
  writeFileAtomic(path.join(dir, 'report.html'), await rep.renderReport(input, opts));
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('spatten-dse')
    .description('Design-space exploration for the SpAtten sparse-attention accelerator')
    .version(packageVersion())
    .showHelpAfterError()
    .exitOverride();
  registerRun(program);
  registerSimulate(program);
  program
    .command('schema')
    .description('print the JSON Schema of space files (for editor completion and validation)')
    .action(() => {
      process.stdout.write(JSON.stringify(spaceJsonSchema(), null, 2) + '\n');
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
      if (!Number.isInteger(n)) throw new InputError(`--seed: expected an integer, got "${v}"`);
      return n;
    })
    .option('--max-evals <n>', 'stop after n evaluations', intArg('--max-evals'))
    .option('--time-limit <seconds>', 'stop after this many seconds', numArg('--time-limit'))
    .addOption(new Option('--progress <mode>', 'progress display').choices(['auto', 'bar', 'lines', 'none']).default('auto'))
    .option('--interactive', 'interactive report (inlines the Vega bundles, ~800 KB)')
    .option('--no-report', 'skip report.html')
    .option('--resume', "continue an interrupted run from its folder's journal (re-evaluates nothing that finished)")
    .option('--reuse <dir>', "reuse evaluations journaled by another run folder (repeatable; only exact matches of params, model version and base config)", collect, [])
    .action(async (space: string, o) => {
      const r = await runSpace({
        spaceFile: space,
        outDir: o.out,
        jobs: o.jobs,
        seed: o.seed,
        maxEvals: o.maxEvals,
        timeLimit: o.timeLimit,
        progress: o.progress,
        interactive: o.interactive,
        report: o.report,
        writeReport,
        resume: o.resume,
        reuse: o.reuse,
      });
      const c = r.run.counts;
      process.stdout.write(
        `${r.run.name}: ${c.total} points (${c.ok} ok, ${c.failed} failed, ${c.feasible} feasible), ${c.pareto} on the Pareto front` +
          ` in ${r.run.wallSeconds.toFixed(1)} s${r.run.stopReason ? ` — stopped: ${r.run.stopReason}` : ''}\n` +
          `wrote ${['points.csv', 'pareto.csv', 'run.json', 'report.html'].map((f) => path.join(r.dir, f)).join(', ')}\n`,
      );
      if (r.run.stopReason === 'interrupted') process.exitCode = 130;
    });
}

function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description('evaluate one design point and print its metrics and breakdowns')
    .addOption(new Option('-w, --workload <model>', 'model shape').choices(MODEL_NAMES as unknown as string[]).default('gpt2-medium'))
    .addOption(new Option('--stage <stage>', 'summarization or generation (default: generation for GPT-2, summarization for BERT)').choices(STAGES as unknown as string[]))
    .option('--seq-len <n>', 'sequence / prompt length', intArg('--seq-len'))
    .option('--gen-tokens <n>', 'tokens generated', intArg('--gen-tokens'))
    .addOption(new Option('--preset <name>', 'hardware preset').choices(Object.keys(HARDWARE_PRESETS)).default('spatten'))
    .option('-s, --set <key=value>', 'set a parameter (repeatable), e.g. --set hw.dramChannels=32', collect, [])
    .addOption(new Option('-f, --fidelity <name>', `hardware model: ${FIDELITY_NAMES.map((n) => `${n} (${FIDELITIES[n].description})`).join(', ')}`).choices(FIDELITY_NAMES))
    .addOption(new Option('-m, --model <name>', 'deprecated: the old name of --fidelity').choices(FIDELITY_NAMES).hideHelp())
    .option('--trace <file>', 'official 17-column workload CSV instead of a generated workload')
    .option('--json', 'print one JSON object (every metric is a top-level key)')
    .action(async (o) => {
      const encoder = String(o.workload).startsWith('bert');
      const stage = o.stage ?? (encoder ? 'summarization' : 'generation');
      const seqLen = o.seqLen ?? (stage === 'generation' ? 992 : encoder ? 128 : 992);
      if (o.model !== undefined && o.fidelity !== undefined) throw new InputError('give --fidelity only (--model is its deprecated old name)');
      if (o.model !== undefined) process.stderr.write('note: --model is deprecated; use --fidelity\n');
      const fid: FidelityName = o.fidelity ?? o.model ?? FAST_FIDELITY;
      const space = SpaceSchema.parse({
        name: 'simulate',
        objectives: [{ metric: 'latency_s', goal: 'min' }],
        workload: { model: o.workload, stage, seqLen, genTokens: o.genTokens ?? 32, ...(o.trace ? { trace: o.trace } : {}) },
        hardware: { preset: o.preset },
      });
      let point: DesignPoint;
      try {
        point = applyParams(basePoint(space), parseSets(o.set));
      } catch (e) {
        if (e instanceof InputError) throw e;
        throw new InputError((e as Error).message);
      }
      let r;
      try {
        r = evaluateHardware(point, { fidelity: fid });
      } catch (e) {
        if (point.workload.trace) throw new InputError(`--trace ${point.workload.trace}: ${(e as Error).message}`);
        throw e;
      }
      if (o.json) {
        const out = {
          ...pickMetrics(r),
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
        `stage busy cycles: ${Object.entries(r.stages).map(([k, v]) => `${k} ${fmt(v)}`).join(', ')}`,
        `energy (mJ): ${Object.entries(r.energy).map(([k, v]) => `${k} ${fmt(v * 1e3)}`).join(', ')}`,
        `area (mm²): ${Object.entries(r.area).map(([k, v]) => `${k} ${fmt(v)}`).join(', ')}`,
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
    const mod = await import(pathToFileURL(path.join(dir, f)).href);
    if (typeof mod.register === 'function') mod.register(program);
  }
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  await loadCommandModules(program);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return 2;
    }
    if (e instanceof InputError) {
      process.stderr.write(`error: ${e.message}\n`);
      return 2;
    }
    const err = e as Error & { exitCode?: number };
    process.stderr.write(`error: ${err.message ?? String(e)}\n`);
    if (process.env.SPATTEN_DEBUG) process.stderr.write(`${err.stack}\n`);
    return typeof err.exitCode === 'number' ? err.exitCode : 1;
  }
}

// Run when executed directly (bin/spatten-dse.js → tsx dse/cli.ts).
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      process.stderr.write(`error: ${(e as Error).message}\n`);
      process.exit(1);
    },
  );
}
