/**
 * The runs behind sim/nn/README.md's generated Results blocks, as data: each table row's label and
 * `accuracy` run (`--model`, `--set algo.*`, `--max-examples`, `--context`). scripts/readme-nn.ts
 * formats the tables, scripts/readme-nn-prose.ts the sentences.
 */
import { TOKEN_MIN_KEEP } from '../sim/workload/schedule.ts';
import type { Run } from './readme-nn-runs.ts';

// ---- spam-bert: accuracy on the first N test emails (all 1 209 without --max-examples) ----
const SPAM = (set: Run['set'], maxExamples?: number): Run => ({ model: 'spam-bert', set, maxExamples });
export const SPAM_ROWS: [string, Run][] = [
  ['dense', SPAM({})],
  ['dense', SPAM({}, 500)],
  ['tokenKeep 0.5', SPAM({ tokenKeep: 0.5 }, 500)],
  ['headKeep 0.5', SPAM({ headKeep: 0.5 }, 500)],
  ['tokenKeep 0.3 + headKeep 0.75', SPAM({ tokenKeep: 0.3, headKeep: 0.75 }, 500)],
  ['tokenKeep 0.3 + headKeep 0.75, tokenMinKeep 0.01 (the 1% floor, the default before 0ab36ad)', SPAM({ tokenKeep: 0.3, headKeep: 0.75, tokenMinKeep: 0.01 }, 500)],
  ['tokenKeep 0.5, tokenFrontFrac 0 (layer 0 pruned too)', SPAM({ tokenKeep: 0.5, tokenFrontFrac: 0 })],
];
export const SPAM_FRONT_FRAC = SPAM_ROWS.at(-1)![1];

// ---- sotu-gpt: Alg. 2's plain sum and the 1% floor (the defaults before a655d25 and 0ab36ad) ----
export const GPT_OLD = { tokenScore: 'sum', tokenMinKeep: 0.01 } as const;
/** 12-bit Q and V with the keys' own widths (algo.msbBits is also the value width unless valueBits is set). */
const KEYS = (msbBits: number, lsbBits = 0) => ({ msbBits, valueBits: 12, ...(lsbBits ? { lsbBits } : {}) });
const COMBINED = { tokenKeep: 0.25, headKeep: 0.75, valueKeep: 0.5, ...KEYS(6, 4) };
/** sotu-gpt with `set` over the base settings `base` (the table's old defaults, or today's: none). */
export const GPT = (set: Run['set'], base: Run['set'] = GPT_OLD, maxExamples?: number): Run => ({ model: 'sotu-gpt', set: { ...base, ...set }, maxExamples });
/** The table's rows; DENSE32 in a label is the dense perplexity on the row's 32 windows. */
export const GPT_ROWS: [string, Run][] = [
  ['dense (12-bit K/Q/V)', GPT({})],
  ['tokenKeep 0.5', GPT({ tokenKeep: 0.5 })],
  ['tokenKeep 0.25', GPT({ tokenKeep: 0.25 })],
  ['tokenKeep 0.125', GPT({ tokenKeep: 0.125 })],
  ['tokenKeep 0.1', GPT({ tokenKeep: 0.1 })],
  ['tokenKeep 0.1, no unpruned front layer', GPT({ tokenKeep: 0.1, tokenFrontFrac: 0 })],
  ['tokenKeep 0.01, no front layer (32 windows; dense: DENSE32)', GPT({ tokenKeep: 0.01, tokenFrontFrac: 0 }, GPT_OLD, 32)],
  ['static 4-bit K (msbBits 4, valueBits 12)', GPT(KEYS(4))],
  ['6+4 progressive, threshold 0.1 (msbBits 6, lsbBits 4, valueBits 12)', GPT(KEYS(6, 4))],
  ['tokenKeep 0.25, headKeep 0.75, valueKeep 0.5, 6+4', GPT(COMBINED)],
];
/** The sentence after the table: the pruned rows again at today's defaults (mean score, 10% floor). */
export const GPT_DEFAULTS = {
  ratios: [0.5, 0.25, 0.125, 0.1].map((k) => GPT({ tokenKeep: k }, {})),
  noFront: GPT({ tokenKeep: 0.1, tokenFrontFrac: 0 }, {}),
  combined: GPT(COMBINED, {}),
};

// ---- sotu-char: per-character perplexity, both scores and both floors ----
export const CHAR = (tokenScore: 'sum' | 'mean', tokenMinKeep: number, tokenKeep?: number): Run => ({
  model: 'sotu-char', set: { ...(tokenKeep === undefined ? {} : { tokenKeep }), tokenScore, tokenMinKeep },
});
export const CHAR_DENSE = CHAR('sum', 0.01);
export const CHAR_ROWS: Run[] = [
  CHAR_DENSE,
  ...[0.5, 0.25, 0.125].map((k) => CHAR('sum', 0.01, k)),
  ...[0.5, 0.25, 0.125].map((k) => CHAR('mean', 0.01, k)),
  ...[0.25, 0.125].map((k) => CHAR('mean', 0.1, k)),
];

// ---- sotu-char-alibi: today's defaults (mean score, floor 0.1) unless a row sets the floor ----
export const ALIBI = (tokenKeep: number, tokenMinKeep?: number): Run => ({
  model: 'sotu-char-alibi', set: { ...(tokenKeep === 1 ? {} : { tokenKeep }), ...(tokenMinKeep === undefined ? {} : { tokenMinKeep }) },
});
export const ALIBI_DENSE = ALIBI(1);
/** The Fig. 21 space's ratios at the default floor, and three below them at the 1% floor. */
export const ALIBI_ROWS: Run[] = [
  ...[1, 0.5, 0.386, 0.298, 0.25, 0.193, 0.136, 0.125].map((k) => ALIBI(k)),
  ...[0.1, 0.05, 0.02].map((k) => ALIBI(k, 0.01)),
];
// ---- `accuracy --model M --context N`: the dense LM from its last N tokens only (a fresh sequence) ----
/** The N of every `--context` table. */
export const CONTEXTS: (number | 'full')[] = [1, 2, 4, 8, 16, 32, 64, 128, 'full'];
export const CONTEXT = (model: string, N: number | 'full'): Run => ({ model, context: N });
export const ALIBI_CONTEXTS = CONTEXTS;
export const ALIBI_CONTEXT = (N: number | 'full'): Run => CONTEXT('sotu-char-alibi', N);

export const keepOf = (run: Run) => Number(run.set?.tokenKeep ?? 1);
export const floorOf = (run: Run) => Number(run.set?.tokenMinKeep ?? TOKEN_MIN_KEEP);

// ---- Fig. 21 sweeps (spaces/fig21-heads.yaml, spaces/fig21-accuracy.yaml): each point is the accuracy run of its setting ----
/** spaces/fig21-heads.yaml's headKeep on spam-bert's first 500 emails. */
export const FIG21_HEADS: Run[] = [1, 0.952, 0.893, 0.833, 0.769, 0.667, 0.625, 0.556, 0.5].map((k) => SPAM(k === 1 ? {} : { headKeep: k }, 500));
/** spaces/fig21-accuracy.yaml's tokenKeep on sotu-char (its algo: mean score, 10% floor). */
export const FIG21_TOKENS: Run[] = [1, 0.386, 0.298, 0.249, 0.225, 0.193, 0.152, 0.136, 0.12].map((k) => CHAR('mean', 0.1, k === 1 ? undefined : k));
/** The same token sweep on sotu-gpt with the `sum` score and 1% floor it was run with (the defaults before a655d25 and 0ab36ad). */
export const FIG21_GPT: Run[] = [1, 0.386, 0.298, 0.249, 0.225, 0.193, 0.152, 0.136, 0.12].map((k) => GPT(k === 1 ? {} : { tokenKeep: k }));

// ---- token-selection policies: each row's measured trace priced by both hardware models ----
/** The official SpAtten-LLM cache as the tables run it: 4 start tokens, the 32 most recent. */
export const LLM = { tokenPolicy: 'llm', recentTokens: 32, startTokens: 4 } as const;
/** sotu-gpt: the cascade with the table's old defaults (sum score, 1% floor), `llm` at today's (it reads neither). */
export const POLICY_GPT: [string, Run][] = [
  ['dense', GPT({})],
  ['cascade 0.25', GPT({ tokenKeep: 0.25 })],
  ['cascade 0.125', GPT({ tokenKeep: 0.125 })],
  ['llm 1 (budget 256: never prunes)', GPT(LLM, {})],
  ['llm 0.25 (budget 64)', GPT({ ...LLM, tokenKeep: 0.25 }, {})],
  ['llm 0.125 (budget 36 = start + recent)', GPT({ ...LLM, tokenKeep: 0.125 }, {})],
];
export const CHAR_LLM = (tokenKeep: number): Run => ({ model: 'sotu-char', set: { ...LLM, tokenKeep } });
/** sotu-char at 4× (mean score, 10% floor) with the even split: every pruned layer at the ratio (`tokenSpread 0`). */
export const CHAR_EVEN_4X: Run = { model: 'sotu-char', set: { ...CHAR('mean', 0.1, 0.25).set, tokenSpread: 0 } };
/** sotu-char: the cascade with both scores and both floors, `llm`; each row labelled by its `--set`s. */
export const POLICY_CHAR: Run[] = [
  CHAR_DENSE,
  CHAR('mean', 0.1, 0.25), CHAR('mean', 0.01, 0.25), CHAR('mean', 0.01, 0.125),
  CHAR('sum', 0.01, 0.25), CHAR('sum', 0.01, 0.125),
  CHAR_LLM(0.25), CHAR_LLM(0.125),
];

/** sotu-char on the fine-tuned schedule (mean score, 10% floor) with layer 1 unpruned too (the front half of the layers). */
export const CHAR_FRONT_HALF = (tokenKeep: number): Run => ({ model: 'sotu-char', set: { tokenKeep, tokenFrontFrac: 0.5 } });

// ---- sotu-char-rope (the RoPE comparison LM): today's defaults (mean score, floor 0.1) ----
export const ROPE = (tokenKeep = 1): Run => ({ model: 'sotu-char-rope', set: tokenKeep === 1 ? {} : { tokenKeep } });
/** spaces/fig21-accuracy.yaml's ratios on sotu-char-alibi (default floor): the nn-alibi table's rows and the four it lacks. */
export const ALIBI_FIG21: Run[] = FIG21_TOKENS.slice(1).map((r) => ALIBI(keepOf(r)));
