/**
 * The `accuracy` runs sim/nn/README.md's Results blocks quote (scripts/readme-nn.ts), run in this
 * process with the functions the command runs (`evaluateAccuracy`, `contextPerplexity`) and typed as
 * `accuracy --json` prints them (dse/commands/accuracy.ts `accuracyJson`, `contextJson`). Each run
 * is made once per process: several rows and sentences quote one run.
 */
import { accuracyJson, contextJson, parseAlgoSets, refuseInertAlgoSets } from '../dse/commands/accuracy.ts';
import { evaluateAccuracy } from '../sim/nn/api.ts';
import { contextPerplexity } from '../sim/nn/context.ts';
import { modelDirOf } from '../sim/nn/paths.ts';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { formatTrace } from '../sim/workload/trace.ts';
import { simulateTrace } from '../dse/simulate-point.ts';
import { ROOT } from './readme-commands.ts';

/** One `accuracy` command: its model, `--set algo.K=V` pairs (without the `algo.`), `--max-examples`, `--context`. */
export interface Run { model: string; set?: Record<string, string | number>; maxExamples?: number; context?: number | 'full' }

type FullAccuracyJson = ReturnType<typeof accuracyJson>;
/** The fields of `accuracy --json` the README's blocks read (not its timings, cache key or checkpoint path, which change from run to run or machine to machine). */
const QUOTED = ['metric', 'n', 'ci95', 'lsbRefetchFraction', 'tokenKeepPerLayer', 'tokenKeepOverall', 'headKeepOverall', 'meanKeptTokensPerLayer', 'meanKeptHeadsPerLayer'] as const;
export type AccuracyJson = Pick<FullAccuracyJson, (typeof QUOTED)[number]> & { accuracy?: number; perplexity?: number };
/** `accuracy --context N --json`'s perplexity, its CI and window count. */
export type ContextJson = Pick<ReturnType<typeof contextJson>, 'perplexity' | 'ci95' | 'n'>;
/** What a hardware model's result the token-policy rows read. */
export interface HwFigures { cycles: number; dram_bytes: number; energy_j: number }

function quoted(j: FullAccuracyJson): AccuracyJson {
  const out = Object.fromEntries(QUOTED.map((k) => [k, j[k]])) as AccuracyJson;
  return { ...out, [j.metric]: (j as unknown as Record<string, number>)[j.metric] };
}
const hw = (r: HwFigures): HwFigures => ({ cycles: r.cycles, dram_bytes: r.dram_bytes, energy_j: r.energy_j });

/** The bootstrap seed: the command's default (`--seed 1`). */
const SEED = 1;

const sets = (r: Run) => Object.entries(r.set ?? {}).map(([k, v]) => `algo.${k}=${v}`);

/** The command line a row is measured with, as a user types it. */
export function command(r: Run): string {
  return [
    `accuracy --model ${r.model}`,
    ...sets(r).map((s) => `--set ${s}`),
    ...(r.maxExamples === undefined ? [] : [`--max-examples ${r.maxExamples}`]),
    ...(r.context === undefined ? [] : [`--context ${r.context}`]),
    '--json',
  ].join(' ');
}

const ran = new Map<string, Promise<unknown>>();
/** Saved runs to replay instead of running the model (`replayRuns`), and the file they came from. */
let replay: { file: string; runs: Record<string, unknown> } | undefined;

function once<T>(r: Run, go: () => Promise<T>, key = command(r)): Promise<T> {
  if (replay && !ran.has(key)) {
    if (!(key in replay.runs)) throw new Error(`${replay.file}: no run "${key}" (npm run readme:nn reruns every run and saves them)`);
    ran.set(key, Promise.resolve(replay.runs[key]));
  }
  if (!ran.has(key)) {
    process.stderr.write(`  ${key}\n`);
    ran.set(key, go());
  }
  return ran.get(key) as Promise<T>;
}

/** `accuracy … --json` of run `r` (no `--context`), as the command prints it (inert `--set`s refused as it refuses them). */
export function accuracy(r: Run): Promise<AccuracyJson> {
  return once(r, async () => {
    const algo = parseAlgoSets(sets(r));
    await refuseInertAlgoSets(sets(r), r.model, modelDirOf(r.model)!, algo);
    const res = await evaluateAccuracy({ model: r.model, maxExamples: r.maxExamples, seed: SEED }, algo);
    return quoted(accuracyJson(r.model, res, algo));
  });
}

/** `accuracy --model M --context N --json`: the dense model's perplexity from the last N tokens only. */
export function context(r: Run): Promise<ContextJson> {
  return once(r, async () => {
    const N = r.context === 'full' || r.context === undefined ? Infinity : r.context;
    const c = contextJson(r.model, await contextPerplexity({ model: r.model, maxExamples: r.maxExamples, seed: SEED }, N, 'fresh'));
    return { perplexity: c.perplexity, ci95: c.ci95, n: c.n };
  });
}

/** The run's metric: accuracy (a fraction) or perplexity. */
export const value = (j: AccuracyJson): number => (j as unknown as Record<string, number>)[j.metric];

/** A run's `accuracy --json` and its measured trace priced by both hardware models. */
export interface Priced { j: AccuracyJson; analytical: HwFigures; cycle: HwFigures }

/**
 * `accuracy … --trace-out T.csv --json` of run `r`, then `simulate --trace T.csv --json` and
 * `simulate --trace T.csv --fidelity cycle --json` (dse/simulate-point.ts `simulateTrace`, what the
 * command runs), the trace written to a temporary file as the command writes it.
 */
export function priced(r: Run): Promise<Priced> {
  return once(r, async () => {
    const algo = parseAlgoSets(sets(r));
    await refuseInertAlgoSets(sets(r), r.model, modelDirOf(r.model)!, algo);
    const res = await evaluateAccuracy({ model: r.model, maxExamples: r.maxExamples, seed: SEED }, algo);
    const dir = mkdtempSync(path.join(tmpdir(), 'readme-nn-'));
    try {
      const file = path.join(dir, 'trace.csv');
      writeFileSync(file, formatTrace(res.trace, res.trace.provenance));
      return { j: quoted(accuracyJson(r.model, res, algo)), analytical: hw(simulateTrace(file, 'analytical').r), cycle: hw(simulateTrace(file, 'cycle').r) };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, `${command(r).replace(/ --json$/, '')} --trace-out T.csv --json`);
}

// ---- the runs saved beside the README: its blocks re-rendered without the model ----

/** The figures of every run behind sim/nn/README.md's `npm run readme:nn` blocks, as the generator last made them. */
export const NN_RUNS_FILE = path.join(ROOT, 'scripts', 'readme-data', 'nn-runs.json');

/** From now on `accuracy`, `context` and `priced` return `file`'s saved figures, and a run it lacks stops the caller. */
export function replayRuns(file = NN_RUNS_FILE): void {
  replay = { file: path.relative(ROOT, file), runs: JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown> };
  ran.clear();
}

/** `build` with the runs replayed from `file` (`replayRuns`), the runs made or replayed before it restored after. */
export async function fromSaved<T>(build: () => Promise<T>, file = NN_RUNS_FILE): Promise<T> {
  const before = { ran: new Map(ran), replay };
  replayRuns(file);
  try {
    return await build();
  } finally {
    ran.clear();
    for (const [k, v] of before.ran) ran.set(k, v);
    replay = before.replay;
  }
}

/**
 * Writes the runs made in this process to `file`, one per line, sorted by command; with `merge`,
 * over the file's other runs (a generator run of some blocks only keeps the other blocks' runs).
 */
export async function saveRuns(file = NN_RUNS_FILE, merge = false): Promise<number> {
  const runs: Record<string, unknown> = merge && existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  for (const [key, p] of ran) runs[key] = await p;
  const keys = Object.keys(runs).sort();
  writeFileSync(file, `{\n${keys.map((k) => `  ${JSON.stringify(k)}: ${JSON.stringify(runs[k])}`).join(',\n')}\n}\n`);
  return keys.length;
}
