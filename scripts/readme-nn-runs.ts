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
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { formatTrace } from '../sim/workload/trace.ts';
import { simulateTrace } from '../dse/simulate-point.ts';
import type { HwResult } from '../sim/hw/types.ts';

/** One `accuracy` command: its model, `--set algo.K=V` pairs (without the `algo.`), `--max-examples`, `--context`. */
export interface Run { model: string; set?: Record<string, string | number>; maxExamples?: number; context?: number | 'full' }

export type AccuracyJson = ReturnType<typeof accuracyJson>;
export type ContextJson = ReturnType<typeof contextJson>;

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

function once<T>(r: Run, go: () => Promise<T>, key = command(r)): Promise<T> {
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
    return accuracyJson(r.model, res, algo);
  });
}

/** `accuracy --model M --context N --json`: the dense model's perplexity from the last N tokens only. */
export function context(r: Run): Promise<ContextJson> {
  return once(r, async () => {
    const N = r.context === 'full' || r.context === undefined ? Infinity : r.context;
    return contextJson(r.model, await contextPerplexity({ model: r.model, maxExamples: r.maxExamples, seed: SEED }, N, 'fresh'));
  });
}

/** The run's metric: accuracy (a fraction) or perplexity. */
export const value = (j: AccuracyJson): number => (j as unknown as Record<string, number>)[j.metric];

/** A run's `accuracy --json` and its measured trace priced by both hardware models. */
export interface Priced { j: AccuracyJson; analytical: HwResult; cycle: HwResult }

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
      return { j: accuracyJson(r.model, res, algo), analytical: simulateTrace(file, 'analytical').r, cycle: simulateTrace(file, 'cycle').r };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, `${command(r).replace(/ --json$/, '')} --trace-out T.csv --json`);
}
