/**
 * The paper's 30 benchmarks (§V-A, spec §4.2–4.4) as data: 11 tasks × BERT-Base/Large and
 * 4 corpora × GPT-2-Small/Medium, each with its workload (model, stage, sequence length) and the
 * pruning/quantization settings of its model family. The numbers and their sources are in
 * benchmarks.json (BERT lengths derived from the public dev-set sizes; settings derived from the
 * §5.3 averages — one setting per family, never per benchmark). Pure: no I/O.
 *
 * Names: `<model>-<task>`, e.g. `bert-base-cola`, `bert-large-squad-v1`, `gpt2-medium-wikitext2`.
 */
import data from './benchmarks.json' with { type: 'json' };
import type { AlgoConfig, ModelName, Stage } from '../schema.ts';

export interface Benchmark {
  name: string;
  /** Human-readable task / corpus name as in Fig. 14 (e.g. "SST-2", "WikiText-2"). */
  task: string;
  model: ModelName;
  stage: Stage;
  seqLen: number;
  genTokens: number;
  /** Algorithm settings of the benchmark (partial AlgoConfig; the rest are the schema defaults). */
  algo: Partial<AlgoConfig>;
  /** Where the sequence length comes from. */
  lengthSource: string;
}

export const BENCHMARK_DATA = data;

function build(): Benchmark[] {
  const out: Benchmark[] = [];
  for (const model of ['bert-base', 'bert-large'] as const) {
    for (const t of data.bertTasks) {
      out.push({
        name: `${model}-${t.id}`,
        task: t.name,
        model,
        stage: 'summarization',
        seqLen: t.seqLen,
        genTokens: 1,
        algo: { ...data.settings.bert.algo },
        lengthSource: `${t.source}; ${t.derivation}`,
      });
    }
  }
  const g = data.gpt2Workload;
  for (const model of ['gpt2-small', 'gpt2-medium'] as const) {
    for (const c of data.gpt2Corpora) {
      out.push({
        name: `${model}-${c.id}`,
        task: c.name,
        model,
        stage: g.stage as Stage,
        seqLen: g.seqLen,
        genTokens: g.genTokens,
        algo: { ...data.settings.gpt2.algo },
        lengthSource: g.source,
      });
    }
  }
  return out;
}

/** All 30 benchmarks in Fig. 14 order: BERT-Base tasks, BERT-Large tasks, GPT-2-Small, GPT-2-Medium. */
export const BENCHMARKS: readonly Benchmark[] = build();

export const BENCHMARK_NAMES: readonly string[] = BENCHMARKS.map((b) => b.name);

const byName = new Map(BENCHMARKS.map((b) => [b.name, b]));

/** The benchmark of a name; throws an Error listing the known names when it does not exist. */
export function benchmark(name: string): Benchmark {
  const b = byName.get(name);
  if (!b) throw new Error(`unknown benchmark "${name}" (known: ${BENCHMARK_NAMES.join(', ')})`);
  return b;
}

export function isBenchmark(name: string): boolean {
  return byName.has(name);
}

/** The workload fields of a benchmark (WorkloadConfig without `trace`). */
export function benchmarkWorkload(name: string): { model: ModelName; stage: Stage; seqLen: number; genTokens: number; benchmark: string } {
  const b = benchmark(name);
  return { model: b.model, stage: b.stage, seqLen: b.seqLen, genTokens: b.genTokens, benchmark: b.name };
}

/** Geometric mean of positive numbers. */
export function geomean(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  let s = 0;
  for (const x of xs) s += Math.log(x);
  return Math.exp(s / xs.length);
}
