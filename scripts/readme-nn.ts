/**
 * Regenerates the measured tables of sim/nn/README.md's "Results" (blocks `nn-spam-bert`,
 * `nn-sotu-gpt`, `nn-sotu-char`, `nn-alibi`, `nn-alibi-context`, the token-policy tables
 * `nn-policy-gpt` and `nn-policy-char`) from the `accuracy` runs each row names
 * (scripts/readme-nn-rows.ts), on the shipped checkpoints, and the sentences that quote them
 * (scripts/readme-nn-prose.ts, scripts/readme-nn-policy.ts); also the LMs' `--context N` tables of
 * "Models" and the evidence of "Why 4× stays above 3%" (scripts/readme-nn-context.ts); and, in place, the
 * figures of shipped checkpoints the passages outside the blocks quote (scripts/readme-nn-quotes.ts,
 * `npm run readme:nn -- nn-quote-NAME` for one). The runs go through the functions the
 * command runs, in this process (scripts/readme-nn-runs.ts); a token-policy row's measured trace is
 * priced by both hardware models as `simulate --trace FILE --json` prices it.
 *
 *   npm run readme:nn                                   (114 runs and 14 priced ones: about 5.5 CPU-minutes)
 *   node --import tsx scripts/readme-nn.ts nn-alibi …   (only the blocks named)
 *   npm run readme:nn -- --from scripts/readme-data/nn-runs.json   (no model run: the blocks from the saved runs)
 *
 * It saves the figures of every run it made in scripts/readme-data/nn-runs.json (one line a run, the
 * fields the blocks read), from which test/readme-nn.test.ts re-renders every block.
 *
 * A script of its own, not part of `npm run readme` (the glance table and sim/cycle/README.md:
 * 108 CPU-seconds, 158 s on the shared 2-core host), which it would make 2.5 times slower.
 * test/readme-nn.test.ts re-renders every block from the saved runs, reruns a subset of the rows
 * against them, and checks the tables and sentences against each other.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeGeneratedBlock } from '../bench/readme-block.ts';
import { ROOT } from './readme-commands.ts';
import { acc, ci, count, perLayer, reduction, row, vs } from './readme-nn-format.ts';
import { rule } from './readme-cycle-runs.ts';
import { accuracy, command, context, NN_RUNS_FILE, priced, replayRuns, saveRuns, value, type Run } from './readme-nn-runs.ts';
import { NN_PROSE_BLOCKS } from './readme-nn-prose.ts';
import { POLICY_PROSE_BLOCKS } from './readme-nn-policy.ts';
import { CONTEXT_BLOCKS } from './readme-nn-context.ts';
import { NN_QUOTES, NN_QUOTES_SCRIPT, nnQuotes } from './readme-nn-quotes.ts';
import { applyQuotes } from './readme-lm-diag-format.ts';
import { readFileSync, writeFileSync } from 'node:fs';
import {
  ALIBI_CONTEXT, ALIBI_CONTEXTS, ALIBI_DENSE, ALIBI_ROWS, CHAR_DENSE, CHAR_ROWS, FIG21_GPT, FIG21_HEADS, FIG21_TOKENS, floorOf, GPT, GPT_ROWS, keepOf, POLICY_CHAR, POLICY_GPT, SPAM_ROWS,
} from './readme-nn-rows.ts';
import { PAPER_FIG21 } from '../sim/paper.ts';

export const NN_README = path.join(ROOT, 'sim', 'nn', 'README.md');
export const NN_README_COMMAND = '`npm run readme:nn`';

/** A generated table: its heading lines and one line per row, each from the runs it names. */
export interface Table { name: string; head: string[]; rows: (() => Promise<string>)[] }

const heads = (j: { meanKeptHeadsPerLayer: number[] }) => j.meanKeptHeadsPerLayer.map((h) => Math.round(h)).join(' ');

const spamLine = ([label, run]: [string, Run]) => async () => {
  const j = await accuracy(run);
  return row([label, count(j.n), acc(value(j)), ci(j.ci95, 2, 100), perLayer(j.meanKeptTokensPerLayer), heads(j)]);
};

const gptLine = ([label, run]: [string, Run]) => async () => {
  const j = await accuracy(run);
  const dense = label.includes('DENSE32') ? value(await accuracy(GPT({}, undefined, run.maxExamples))).toFixed(2) : '';
  const refetch = run.set?.lsbBits ? j.lsbRefetchFraction.toFixed(3) : '–';
  return row([label.replace('DENSE32', dense), value(j).toFixed(2), ci(j.ci95, 2), perLayer(j.meanKeptTokensPerLayer), refetch]);
};

/** A perplexity row's figures: its value, CI, change against `dense` ('–' for dense itself) and kept tokens. */
async function pplCells(run: Run, dense: Run): Promise<string[]> {
  const [j, d] = [await accuracy(run), await accuracy(dense)];
  return [value(j).toFixed(3), ci(j.ci95, 2), command(run) === command(dense) ? '–' : vs(value(j), value(d)), perLayer(j.meanKeptTokensPerLayer)];
}

const charLine = (run: Run) => async () =>
  row([run.set!.tokenScore, floorOf(run), `${keepOf(run)} (${reduction(keepOf(run))})`, ...(await pplCells(run, CHAR_DENSE))]);

const alibiLine = (run: Run) => async () => row([`${keepOf(run)} (${reduction(keepOf(run))})`, floorOf(run), ...(await pplCells(run, ALIBI_DENSE))]);

/** Column N of the `--context N` table: the perplexity from the last N characters and its change against the full window. */
export async function alibiContextColumn(N: number | 'full'): Promise<[string, string]> {
  const [p, full] = [(await context(ALIBI_CONTEXT(N))).perplexity, (await context(ALIBI_CONTEXT('full'))).perplexity];
  return [p.toFixed(3), N === 'full' ? '–' : vs(p, full)];
}

/** The `--context N` table of sotu-char-alibi: perplexity from the last N characters, against the full window. */
export async function alibiContextLines(): Promise<string[]> {
  const cols: [string, string][] = [];
  for (const N of ALIBI_CONTEXTS) cols.push(await alibiContextColumn(N));
  return [
    row(['last N characters (`--context N`)', ...ALIBI_CONTEXTS]),
    `|---|${'---:|'.repeat(ALIBI_CONTEXTS.length)}`,
    row(['perplexity', ...cols.map((c) => c[0])]),
    row(['vs full', ...cols.map((c) => c[1])]),
  ];
}

/** A token-policy row: perplexity (`d` decimals), CI, KV keys per layer, then its trace priced by the analytical and the cycle model. */
export const policyLine = (label: string, run: Run, d: number) => async () => {
  const { j, analytical: a, cycle: c } = await priced(run);
  const kcycles = (r: { cycles: number }) => count(Math.round(r.cycles / 1e3));
  const mJ = (r: { energy_j: number }) => (r.energy_j * 1e3).toFixed(2);
  return row([label, value(j).toFixed(d), ci(j.ci95, 2), perLayer(j.meanKeptTokensPerLayer), kcycles(a), (a.dram_bytes / 1e6).toFixed(1), mJ(a), kcycles(c), mJ(c)]);
};
const POLICY_HEAD = '| perplexity | 95% CI | KV keys / layer (mean) | analytical kcycles | DRAM MB | energy mJ | cycle kcycles | energy mJ |';
const POLICY_RULE = '|---|---:|---|---|---:|---:|---:|---:|---:|';
/** A sotu-char token-policy row's label: its `--set`s (dense: "dense"). */
const charPolicyLabel = (run: Run) => (run === CHAR_DENSE ? 'dense' : Object.entries(run.set!).map(([k, v]) => `${k}=${v}`).join(' '));

/** Runs `runs` one after the other, `accuracy --json` each. */
async function all(runs: Run[]) {
  const out = [];
  for (const r of runs) out.push(await accuracy(r));
  return out;
}
const trim3 = (x: number) => String(Number(x.toFixed(3)));

/** Fig. 21's head sweep on spam-bert (spaces/fig21-heads.yaml): accuracy and the heads kept over all layers. */
export async function fig21HeadsLines(): Promise<string[]> {
  const j = await all(FIG21_HEADS);
  return [
    row(['headKeep (spam-bert, 500)', ...FIG21_HEADS.map((r) => r.set?.headKeep ?? 1)]),
    rule(FIG21_HEADS.length + 1),
    row(['accuracy', ...j.map((x) => `${(100 * value(x)).toFixed(1)}%`)]),
    row(['heads kept over all layers (`headKeepOverall`)', ...j.map((x) => trim3(x.headKeepOverall))]),
  ];
}

/** The same token sweep on sotu-gpt (its old `sum` score and 1% floor). */
export async function fig21GptLines(): Promise<string[]> {
  const j = await all(FIG21_GPT);
  return [
    row(['tokenKeep (sotu-gpt, 64, `tokenScore: sum`, `tokenMinKeep: 0.01`)', ...FIG21_GPT.map(keepOf)]),
    rule(FIG21_GPT.length + 1),
    row(['perplexity', ...j.map((x) => value(x).toFixed(2))]),
  ];
}

/** Fig. 21's token sweep on sotu-char (spaces/fig21-accuracy.yaml) beside the paper's GPT-2 points. */
export async function fig21TokensLines(): Promise<string[]> {
  const j = await all(FIG21_TOKENS);
  const paper = PAPER_FIG21.find((c) => c.kind === 'tokens')!.points;
  if (paper.length !== FIG21_TOKENS.length) throw new Error('Fig. 21: the sweep and the paper\'s points differ in number');
  const signed = (x: number) => (x === 0 ? '0' : `${x > 0 ? '+' : '−'}${Math.abs(x)}%`);
  return [
    row(['tokenKeep (sotu-char, 64, `tokenScore: mean`, `tokenMinKeep: 0.1`)', ...FIG21_TOKENS.map(keepOf)]),
    rule(FIG21_TOKENS.length + 1),
    row(['perplexity (per character)', ...j.map((x) => value(x).toFixed(3))]),
    row(['vs dense', '–', ...j.slice(1).map((x) => vs(value(x), value(j[0])))]),
    row(['paper (GPT-2-Small on PTB, "accuracy change")', ...paper.map(([, y]) => signed(y))]),
    row(['KV tokens kept over all layers (`tokenKeepOverall`)', ...j.map((x) => x.tokenKeepOverall.toFixed(3).replace(/^1\.000$/, '1'))]),
  ];
}

export const TABLES: Table[] = [
  {
    name: 'nn-spam-bert',
    head: ['| setting | N | accuracy | 95% CI | kept tokens / layer | kept heads / layer |', '|---|---:|---:|---|---|---|'],
    rows: SPAM_ROWS.map(spamLine),
  },
  {
    name: 'nn-sotu-gpt',
    head: ['| setting | perplexity | 95% CI | kept KV tokens / layer | LSB refetch |', '|---|---:|---|---|---:|'],
    rows: GPT_ROWS.map(gptLine),
  },
  {
    name: 'nn-sotu-char',
    head: ['| score | floor (`tokenMinKeep`) | tokenKeep (reduction) | perplexity | 95% CI | vs dense | kept KV tokens / layer |', '|---|---:|---:|---:|---|---:|---|'],
    rows: CHAR_ROWS.map(charLine),
  },
  {
    name: 'nn-alibi',
    head: ['| tokenKeep (reduction) | floor | perplexity | 95% CI | vs dense | kept KV tokens / layer |', '|---:|---:|---:|---|---:|---|'],
    rows: ALIBI_ROWS.map(alibiLine),
  },
  {
    name: 'nn-policy-gpt',
    head: [`| policy, tokenKeep ${POLICY_HEAD}`, POLICY_RULE],
    rows: POLICY_GPT.map(([label, run]) => policyLine(label, run, 2)),
  },
  {
    name: 'nn-policy-char',
    head: [`| setting ${POLICY_HEAD}`, POLICY_RULE],
    rows: POLICY_CHAR.map((run) => policyLine(charPolicyLabel(run), run, 3)),
  },
];

/** A table's lines, its rows run one after the other (one engine per model, one run at a time). */
export async function tableLines(t: Table): Promise<string[]> {
  const lines = [...t.head];
  for (const line of t.rows) lines.push(await line());
  return lines;
}

/** Every block: the tables, the context table, the sentences. */
export const NN_BLOCKS: [string, () => Promise<string[]>][] = [
  ...TABLES.map((t): [string, () => Promise<string[]>] => [t.name, () => tableLines(t)]),
  ['nn-alibi-context', alibiContextLines],
  ...CONTEXT_BLOCKS,
  ['nn-fig21-heads', fig21HeadsLines],
  ['nn-fig21-gpt', fig21GptLines],
  ['nn-fig21-tokens', fig21TokensLines],
  ...NN_PROSE_BLOCKS,
  ...POLICY_PROSE_BLOCKS,
];

/** The arguments: the blocks named (all without a name) and `--from FILE`, saved runs to re-render from instead of running the model. */
export function nnArgs(args: string[]): { only: string[]; from?: string } {
  const i = args.indexOf('--from');
  if (i >= 0 && !args[i + 1]) throw new Error('--from: expected a file (scripts/readme-data/nn-runs.json, as npm run readme:nn saves it)');
  if (i < 0) return { only: args };
  return { only: args.filter((_, k) => k !== i && k !== i + 1), from: args[i + 1] };
}

// run as a script (npm run readme:nn); imported, only the definitions (test/readme-nn.test.ts)
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // `node --import tsx scripts/readme-nn.ts [BLOCK …] [--from FILE]`
  const { only, from } = nnArgs(process.argv.slice(2));
  if (from) replayRuns(from);
  const t0 = performance.now();
  // the passages outside the blocks that quote shipped checkpoints first: one no longer found stops before anything is written
  const qs = NN_QUOTES.filter((q) => only.length === 0 || only.includes(q.name));
  if (qs.length > 0) {
    process.stderr.write(`sim/nn/README.md: ${qs.map((q) => q.name).join(', ')}\n`);
    writeFileSync(NN_README, applyQuotes(readFileSync(NN_README, 'utf8'), await nnQuotes(qs.map((q) => q.name)), NN_QUOTES_SCRIPT));
  }
  for (const [name, build] of NN_BLOCKS.filter(([n]) => only.length === 0 || only.includes(n))) {
    process.stderr.write(`sim/nn/README.md: ${name}\n`);
    writeGeneratedBlock(NN_README, name, NN_README_COMMAND, await build());
  }
  // the runs saved beside the README (test/readme-nn.test.ts re-renders every block from them); some blocks only: over the others' runs
  if (!from) process.stderr.write(`scripts/readme-data/nn-runs.json: ${await saveRuns(NN_RUNS_FILE, only.length > 0)} runs\n`);
  process.stderr.write(`sim/nn/README.md: ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
}
