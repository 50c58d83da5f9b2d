/**
 * sim/nn/README.md's "Does the LM use its context?" tables (blocks `nn-sotu-gpt-context`,
 * `nn-sotu-char-context`: `accuracy --model M --context N --json` for every N of `CONTEXTS`) and
 * the evidence list of "Why 4× stays above 3%" (block `nn-char-4x`): the last N characters, the
 * cascade's split, the even split and the official LLM cache at 4× and 8× on sotu-char, each from
 * its run (the cascade and `llm` rows are the sotu-char tables' own runs). The words the passages
 * put around the figures are checked against them (`claim`).
 */
import { claim, vs, wrap } from './readme-nn-format.ts';
import { accuracy, context, priced, value, type ContextJson } from './readme-nn-runs.ts';
import { CHAR, CHAR_DENSE, CHAR_EVEN_4X, CHAR_LLM, CONTEXT, CONTEXTS, LLM } from './readme-nn-rows.ts';
import { TARGET } from './readme-nn-prose.ts';
import { llmCache } from './readme-nn-policy.ts';
import { lmWindowTokens } from '../dse/llm-floor.ts';
import { GEN_TOKENS } from '../sim/nn/run-sizes.ts';

/** Every `--context N` run of `model`, in the order of `CONTEXTS`. */
async function contexts(model: string): Promise<ContextJson[]> {
  const out: ContextJson[] = [];
  for (const N of CONTEXTS) out.push(await context(CONTEXT(model, N)));
  return out;
}
const ciCell = ([lo, hi]: readonly number[], d: number) => `${lo.toFixed(d)}–${hi.toFixed(d)}`;
const CI_LABEL = '95% CI (bootstrap over windows)';

/** sotu-gpt from its last N BPE tokens; the full window's predictions see the prompt and 1…32 generated tokens. */
export async function gptContextLines(): Promise<string[]> {
  const c = await contexts('sotu-gpt');
  const T = lmWindowTokens('sotu-gpt')!;
  const full = c.at(-1)!.perplexity;
  // "Four BPE tokens (≈ 8 characters) already give the full-window perplexity" (the sentence after the table)
  claim(CONTEXTS.every((N, i) => N === 'full' || N < 4 || Math.abs(c[i].perplexity / full - 1) < 0.01), 'sotu-gpt: from 4 tokens on within 1% of the full window');
  return [
    `| last N tokens | ${CONTEXTS.map((N) => (N === 'full' ? `full (${T - GEN_TOKENS + 1}–${T})` : N)).join(' | ')} |`,
    `|---|${'---:|'.repeat(CONTEXTS.length)}`,
    `| sotu-gpt perplexity | ${c.map((x) => x.perplexity.toFixed(2)).join(' | ')} |`,
    `| ${CI_LABEL} | ${c.map((x) => ciCell(x.ci95, 1)).join(' | ')} |`,
  ];
}

/** sotu-char from its last N characters, and each against the full window. */
export async function charContextLines(): Promise<string[]> {
  const c = await contexts('sotu-char');
  const full = c.at(-1)!.perplexity;
  // "every longer context predicts better, up to the full window" (the sentence before the table)
  claim(c.every((x, i) => i === 0 || x.perplexity < c[i - 1].perplexity), 'sotu-char: every longer context predicts better, up to the full window');
  return [
    `| last N characters | ${CONTEXTS.join(' | ')} |`,
    `|---|${'---:|'.repeat(CONTEXTS.length)}`,
    `| sotu-char perplexity (per character) | ${c.map((x) => x.perplexity.toFixed(3)).join(' | ')} |`,
    `| ${CI_LABEL} | ${c.map((x) => ciCell(x.ci95, 2)).join(' | ')} |`,
    `| vs full | ${c.map((x) => `${(100 * (x.perplexity / full - 1)).toFixed(1)}%`).join(' | ')} |`,
  ];
}

const keptLayers = (k: readonly number[]) => k.slice(1).map((x) => Math.round(x)).join(' / ');

/** "Why 4× stays above 3%": the evidence on sotu-char at 4× (floor 0.1, mean score) against its dense run. */
export async function char4xLines(): Promise<string[]> {
  const T = lmWindowTokens('sotu-char')!;
  const quarter = T / 4;
  const ctx = async (N: number | 'full') => (await context(CONTEXT('sotu-char', N))).perplexity;
  const [c4, c2, full] = [await ctx(quarter), await ctx(quarter / 2), await ctx('full')];
  const dense = value(await accuracy(CHAR_DENSE));
  const cascade = await accuracy(CHAR('mean', 0.1, 0.25));
  const even = await accuracy(CHAR_EVEN_4X);
  const [l4, l8] = [await priced(CHAR_LLM(0.25)), await priced(CHAR_LLM(0.125))];
  const [cache4, cache8] = [llmCache(CHAR_LLM(0.25), l4), llmCache(CHAR_LLM(0.125), l8)];
  const rises = [value(cascade), value(even), value(l4.j)].map((p) => p / dense - 1);
  claim(rises.every((r) => r > TARGET.at4 && r > c4 / full - 1), 'sotu-char: at 4× the cascade, the even split and llm each cost more than 3% and more than the last quarter of the window');
  claim(even.meanKeptTokensPerLayer.slice(2).every((k) => Math.round(k) === Math.round(even.meanKeptTokensPerLayer[1])), 'sotu-char: tokenSpread 0 keeps as many tokens in every pruned layer');
  return [
    ...wrap(`the last ${quarter} characters (4× of ${T}) give ${vs(c4, full)} and the last ${quarter / 2} ${vs(c2, full)} (\`accuracy --model sotu-char --context N\`, table 1 below); this was read as the best any selection could do — it is not a bound for in-place pruning (the diagnostics of 121a48f, below: truncation moves the kept characters to positions 0..N−1, pruning does not);`, '- ', '  '),
    ...wrap(`the cascade at 4× keeps ${keptLayers(cascade.meanKeptTokensPerLayer)} tokens in layers 1–3 (${vs(value(cascade), dense)}); the even split (${keptLayers(even.meanKeptTokensPerLayer)}, \`tokenSpread 0\`) ${vs(value(even), dense)}; the official LLM cache (\`tokenPolicy llm\`, ${LLM.recentTokens} recent + ${LLM.startTokens} first + ${cache4.topk} by score = ${cache4.budget} per layer, all layers) ${vs(value(l4.j), dense)} (8× with ${cache8.budget} per layer: ${value(l8.j).toFixed(2)}, ${vs(value(l8.j), dense)}). (The prompt pass is dense: the kept tokens' keys and values are computed from the full prefix; only the ${GEN_TOKENS} generated tokens' own K/V above layer 1 come from a pruned context);`, '- ', '  '),
  ];
}

export const CONTEXT_BLOCKS: [string, () => Promise<string[]>][] = [
  ['nn-sotu-gpt-context', gptContextLines],
  ['nn-sotu-char-context', charContextLines],
  ['nn-char-4x', char4xLines],
];
