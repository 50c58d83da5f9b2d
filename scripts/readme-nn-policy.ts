/**
 * The sentences after sim/nn/README.md's token-policy tables (blocks `nn-policy-gpt`,
 * `nn-policy-char`, scripts/readme-nn.ts): their figures from the same runs, each measured trace
 * priced by both hardware models (scripts/readme-nn-runs.ts `priced`), and each qualitative word
 * ("slightly better", "much slower", "about as slow", "the fastest") checked against them (`claim`).
 */
import { claim, vs, wrap } from './readme-nn-format.ts';
import { accuracy, priced, value, type Priced } from './readme-nn-runs.ts';
import { CHAR, POLICY_CHAR, POLICY_GPT } from './readme-nn-rows.ts';
import { lmWindowTokens } from '../dse/llm-floor.ts';
import { llmBudget } from '../sim/nn/llm-budget.ts';
import type { Run } from './readme-nn-runs.ts';

const M = (r: { cycles: number }) => `${(r.cycles / 1e6).toFixed(2)} M`;
const MB = (p: Priced) => Math.round(p.analytical.dram_bytes / 1e6);
const mJ = (p: Priced) => (p.analytical.energy_j * 1e3).toFixed(1);
const ppl = (p: Priced) => value(p.j);
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
/** p's cycles against q's on both models: `p.a vs q.a M cycles analytical, p.c vs q.c M cycle`. */
const cyclesVs = (p: Priced, q: Priced, unit = ' cycles') => `${M(p.analytical)} vs ${M(q.analytical)}${unit} analytical, ${M(p.cycle)} vs ${M(q.cycle)} cycle`;
const slower = (p: Priced, q: Priced, f: number) => p.analytical.cycles > f * q.analytical.cycles && p.cycle.cycles > f * q.cycle.cycles;

async function all(runs: Parameters<typeof priced>[0][]): Promise<Priced[]> {
  const out: Priced[] = [];
  for (const r of runs) out.push(await priced(r));
  return out;
}

/**
 * An llm row's cache: its budget B (sim/nn/llm-budget.ts, for the model's T-token windows), the keys
 * a head holds when the cache overflows (B: the hardware models sort them all), and the middle ones
 * the official policy ranks (B − start − (recent − 1): sim/nn/generate.ts `llmPrune`). Stops when the
 * run's every layer did not keep B keys on average.
 */
export function llmCache(run: Run, p: Priced): { budget: number; ranked: number; topk: number } {
  const [tokenKeep, start, recent] = ['tokenKeep', 'startTokens', 'recentTokens'].map((k) => Number(run.set![k]));
  const budget = llmBudget(start, recent, tokenKeep, lmWindowTokens(run.model)!);
  claim(p.j.meanKeptTokensPerLayer.every((k) => k.toFixed(1) === budget.toFixed(1)), `${run.model}: llm ${tokenKeep} keeps its budget ${budget} in every layer (measured ${p.j.meanKeptTokensPerLayer.join(' ')})`);
  return { budget, ranked: budget - start - (recent - 1), topk: budget - start - recent };
}

/** After the sotu-gpt token-policy table: accuracy and cost of `llm` against the cascade and dense. */
export async function policyGptBlock(): Promise<string[]> {
  const [dense, c4, c8, , l4, l8] = await all(POLICY_GPT.map(([, r]) => r));
  const [cache4, cache8] = [llmCache(POLICY_GPT[4][1], l4), llmCache(POLICY_GPT[5][1], l8)];
  claim(cache4.topk > 0 && cache8.topk === 0, 'sotu-gpt: llm 0.25 ranks keys (a top-k), llm 0.125 keeps start + recent only (no top-k)');
  const [lo, hi] = dense.j.ci95;
  claim(ppl(l8) < ppl(dense) && ppl(l8) > 0.99 * ppl(dense), 'sotu-gpt: llm 0.125 slightly better than dense');
  claim(ppl(l4) < ppl(c4) && ppl(l4) > 0.99 * ppl(c4), 'sotu-gpt: llm 0.25 slightly better than the cascade at 0.25');
  claim([c4, c8, l4, l8].every((p) => lo <= ppl(p) && ppl(p) <= hi), 'sotu-gpt: every pruned row within the dense CI');
  claim(sum(l4.j.meanKeptTokensPerLayer) < sum(c4.j.meanKeptTokensPerLayer), 'sotu-gpt: llm fetches fewer keys than the cascade at 0.25');
  claim([[l4, c4], [l8, c8]].every(([l, c]) => l.analytical.dram_bytes < c.analytical.dram_bytes && l.analytical.energy_j < c.analytical.energy_j && l.cycle.energy_j < c.cycle.energy_j), 'sotu-gpt: llm moves less DRAM and spends less energy than the cascade');
  claim(slower(l4, c4, 1.3), 'sotu-gpt: llm 0.25 much slower (> 1.3×) than the cascade at 0.25');
  claim([l4.analytical.cycles / dense.analytical.cycles, l4.cycle.cycles / dense.cycle.cycles].every((x) => Math.abs(x - 1) < 0.15), 'sotu-gpt: llm 0.25 about as slow as dense (within 15%)');
  const others = [dense, c4, c8, l4];
  claim(others.every((p) => !slower(l8, p, 1) && l8.analytical.cycles < p.analytical.cycles && l8.cycle.cycles < p.cycle.cycles), 'sotu-gpt: llm 0.125 the fastest row');
  return wrap(`Reading: on this LM, which only needs its last few tokens, keeping only the recent window (\`llm\` 0.125, ${ppl(l8).toFixed(2)}) is slightly *better* than the dense model (${ppl(dense).toFixed(2)}), and \`llm\` 0.25 (${ppl(l4).toFixed(2)}, ${vs(ppl(l4), ppl(dense))}) slightly better than the cascade's cumulative scores (${ppl(c4).toFixed(2)}; the cascade's last layer keeps ~${Math.round(c4.j.meanKeptTokensPerLayer.at(-1)!)} tokens by old accumulated importance; the recent ones start at 0); all within the dense CI. \`llm\` fetches fewer keys over all layers than the cascade at the same ratio, so it moves less DRAM and spends less energy (${MB(l4)} vs ${MB(c4)} MB, ${mJ(l4)} vs ${mJ(c4)} mJ at 0.25); but at budget ${cache4.budget} it runs a top-k on every head at every step (the cache overflows by one token per step), which both models price (the trace's \`topk\` per row) and which makes it much slower than the cascade at the same ratio (${cyclesVs(l4, c4)}) and about as slow as dense (${cyclesVs(l4, dense, '')}). The trace format names only k, so the hardware models sort all of a head's keys (${cache4.budget}) although the official policy ranks only the middle ones (${cache4.ranked}): an upper bound on that cost. At budget = start + recent no top-k runs (slices only) and \`llm\` is the fastest row.`);
}

/** After the sotu-char token-policy table: the cost at 4× and 8× of both policies. */
export async function policyCharBlock(): Promise<string[]> {
  const [dense, m4, , m8] = await all(POLICY_CHAR.slice(0, 4));
  const [l4, l8] = await all(POLICY_CHAR.slice(-2));
  const m8floor = value(await accuracy(CHAR('mean', 0.1, 0.125)));
  const d = ppl(dense);
  claim(ppl(l4) > ppl(m4), 'sotu-char: llm worse than the cascade at 4×');
  claim(l4.analytical.dram_bytes < m4.analytical.dram_bytes && l4.analytical.energy_j < m4.analytical.energy_j, 'sotu-char: llm moves less DRAM and energy than the cascade at 4×');
  claim(slower(l4, m4, 1), 'sotu-char: llm slower than the cascade at 4×');
  return wrap(`At 4× the cascade on the schedule the model was fine-tuned for (mean score, 10% floor) costs ${vs(ppl(m4), d)} and the official SpAtten-LLM cache (\`llm\`, which always keeps the 32 most recent tokens) ${vs(ppl(l4), d)}. \`llm\` moves less DRAM (${MB(l4)} MB vs ${MB(m4)} MB; energy ${mJ(l4)} vs ${mJ(m4)} mJ), but its per-head top-k on every step that overflows makes it slower than the cascade (${cyclesVs(l4, m4)}). At budget 36 (= start + recent) it loses ${vs(ppl(l8), d)}, the cascade at 8× ${vs(ppl(m8), d)} (1% floor) or ${vs(m8floor, d)} (10% floor).`);
}

export const POLICY_PROSE_BLOCKS: [string, () => Promise<string[]>][] = [
  ['nn-policy-gpt-reading', policyGptBlock],
  ['nn-policy-char-reading', policyCharBlock],
];
