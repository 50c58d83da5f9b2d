/**
 * The figures of the shipped checkpoints that sim/nn/README.md quotes outside its generated blocks
 * (the "Models" table's test metrics, its sentences, the "shipped" rows of the training-history
 * tables, the summary under "Open issues"), rewritten in place by `npm run readme:nn` as
 * `npm run readme:lm-diag` rewrites its own (readme-lm-diag-format.ts `applyQuotes`: a template's
 * `{}` are the figures, its words must be found exactly once). Each figure is one `accuracy` run
 * (scripts/readme-nn-runs.ts), the tables' own runs wherever the setting is the same; the words
 * around it are checked against the figures (`claim`). The snapshots' rows and the experiments'
 * figures around them are history (checkpoints not shipped) and stay typed.
 */
import { claim, count, vs } from './readme-nn-format.ts';
import { accuracy, context, value, type AccuracyJson, type Run } from './readme-nn-runs.ts';
import { ALIBI, ALIBI_DENSE, ALIBI_FIG21, CHAR, CHAR_DENSE, CHAR_FRONT_HALF, CONTEXT, GPT, GPT_ROWS, ROPE, SPAM_ROWS } from './readme-nn-rows.ts';
import { TARGET } from './readme-nn-prose.ts';
import type { Quote } from './readme-lm-diag-format.ts';

/** A passage: its name (for `readme:nn -- NAME`), what it is, its words with `{}` for each figure, and the figures from their runs. */
export interface NnQuote { name: string; what: string; template: string; figures: () => Promise<string[]> }

/**
 * Figures the passages compare against that no `accuracy` run gives: the n-gram table's perplexities
 * (sim/nn/README.md, `scripts/lm-diag.ts ngram`, a28b662) and the last snapshots of the runs before
 * the shipped ones (the README's history tables). test/readme-nn.test.ts checks them against those tables.
 */
export const TYPED = { ngram2: 6.033, ngram4: 3.153, cont3500FineTuned: 4.15, ropeDensePhase: 3.199, ropeLast8: [2.0, 4.1] } as const;

const ppl = async (r: Run) => value(await accuracy(r));
const ctx = async (r: Run) => (await context(r)).perplexity;
const f3 = (x: number) => x.toFixed(3);
const rise = (x: number, base: number) => x / base - 1;
const pct = (x: number) => `${Math.round(100 * x)}%`;

/** sotu-char (learned positions): dense, the last 8 characters against the full window, the cascade on the fine-tuned schedule at 4× and 8×. */
async function charShipped() {
  const dense = await ppl(CHAR_DENSE);
  const full = await ctx(CONTEXT('sotu-char', 'full'));
  const last8 = await ctx(CONTEXT('sotu-char', 8));
  const [x4, x8] = [await ppl(CHAR('mean', 0.1, 0.25)), await ppl(CHAR('mean', 0.1, 0.125))];
  return { dense, full, last8, x4, x8, r8: rise(last8, full), r4: rise(x4, dense), r8x: rise(x8, dense) };
}

/**
 * A RoPE or ALiBi model's shipped figures: dense, 4×, 8× and the last 8, 16, 32 characters against
 * the dense run (the full window), as the snapshot tables beside them measure each snapshot.
 */
async function positionsShipped(model: string, at: (k: number) => Run, dense: Run) {
  const d = await ppl(dense);
  const full = d;
  const [x4, x8] = [await ppl(at(0.25)), await ppl(at(0.125))];
  const [l8, l16, l32] = [await ctx(CONTEXT(model, 8)), await ctx(CONTEXT(model, 16)), await ctx(CONTEXT(model, 32))];
  return { d, x4: vs(x4, d), x8: vs(x8, d), l8: vs(l8, full), l16: vs(l16, full), l32: vs(l32, full), l8p: l8, l16p: l16, r: [x4, x8].map((x) => rise(x, d)), rl8: rise(l8, full), rl16: rise(l16, full) };
}
const rope = () => positionsShipped('sotu-char-rope', ROPE, ROPE());
/** sotu-char-rope's shipped row: dense, 4×, 8×, last 8 / 16 / 32 (the snapshot and copy-continuation tables alike). */
const ropeRow = async () => {
  const r = await rope();
  return [f3(r.d), r.x4, r.x8, r.l8, r.l16, r.l32];
};
const alibi = () => positionsShipped('sotu-char-alibi', (k) => ALIBI(k), ALIBI_DENSE);

const kept = (j: AccuracyJson) => j.meanKeptTokensPerLayer;

export const NN_QUOTES: NnQuote[] = [
  {
    name: 'nn-quote-metrics',
    what: 'the "Models" table\'s test metrics (the dense runs of the Results tables)',
    template: '| final metrics | validation accuracy 98.35% (605 emails); **test {}** ({}) | validation perplexity 43.0 (40 windows); **test {}** ({} windows, generation stage) | validation perplexity 4.45 per character (40 windows); **test {}** ({} windows, generation stage) |',
    figures: async () => {
      const [spam, gpt, char] = [await accuracy(SPAM_ROWS[0][1]), await accuracy(GPT({})), await accuracy(CHAR_DENSE)];
      return [`${(100 * value(spam)).toFixed(2)}%`, count(spam.n), value(gpt).toFixed(1), String(gpt.n), value(char).toFixed(2), String(char.n)];
    },
  },
  {
    name: 'nn-quote-rope-dense',
    what: 'sotu-char-rope\'s dense perplexity ("Models")',
    template: 'dense perplexity {}, the best of the three, and KV',
    figures: async () => {
      const [r, a, c] = [await ppl(ROPE()), await ppl(ALIBI_DENSE), await ppl(CHAR_DENSE)];
      claim(r < a && r < c, 'sotu-char-rope: the best dense perplexity of the three position schemes');
      return [f3(r)];
    },
  },
  {
    name: 'nn-quote-gpt-floor',
    what: 'sotu-gpt keeping ~2 keys in every layer ("Why these sizes"; the nn-sotu-gpt table\'s 32-window rows)',
    template: 'keeping only ~{} of {} KV tokens in every layer raises its perplexity only from {} to {} ({} windows), so SpAtten\'s pruning costs it little',
    figures: async () => {
      const row = GPT_ROWS.find(([l]) => l.includes('DENSE32'))![1];
      const [p, d] = [await accuracy(row), await accuracy(GPT({}, undefined, row.maxExamples))];
      claim(kept(p).every((k) => Math.round(k) === Math.round(kept(p)[0])), 'sotu-gpt: tokenKeep 0.01 without a front layer keeps as many keys in every layer');
      claim(rise(value(p), value(d)) < 0.1, 'sotu-gpt: ~2 keys in every layer cost it little (< 10%)');
      // the dense run's mean alive keys (240.5 over the 32 generation steps), as the sentence writes them
      return [String(Math.round(kept(p)[0])), String(Math.floor(kept(d)[0])), value(d).toFixed(1), value(p).toFixed(1), String(p.n)];
    },
  },
  {
    name: 'nn-quote-ngram',
    what: 'sotu-char against the n-gram ("How far is this LM from what its data allows?")',
    template: 'beats the shipped transformer with its full window ({}), and 6 characters',
    figures: async () => {
      const d = await ppl(CHAR_DENSE);
      claim(TYPED.ngram4 < d, 'sotu-char: the 4-character n-gram beats it');
      return [d.toFixed(2)];
    },
  },
  {
    name: 'nn-quote-ngram-last8',
    what: 'sotu-char\'s last 8 characters against the n-gram',
    template: 'its last-8 perplexity ({}) is the 2-character n-gram\'s',
    figures: async () => {
      const l8 = await ctx(CONTEXT('sotu-char', 8));
      claim(TYPED.ngram4 < l8 && l8 < TYPED.ngram2, 'sotu-char: its last 8 characters between the 4- and the 2-character n-gram');
      return [l8.toFixed(2)];
    },
  },
  {
    name: 'nn-quote-char-context',
    what: 'the sentences after the sotu-char --context table',
    template: '1 → 4 characters halves the perplexity, 4 → full lowers it by a further {}, and the curve is monotone: the full 224–256-character window is the best row. Against the target "last 8 tokens ≥ 10% worse than the full window": {} per character (per word, ≈ 5.5 characters, ≈ {}).',
    figures: async () => {
      const [c1, c4, c8, full] = [await ctx(CONTEXT('sotu-char', 1)), await ctx(CONTEXT('sotu-char', 4)), await ctx(CONTEXT('sotu-char', 8)), await ctx(CONTEXT('sotu-char', 'full'))];
      claim(Math.abs(c4 / c1 - 0.5) < 0.05, 'sotu-char: 1 → 4 characters halves the perplexity');
      claim(rise(c8, full) >= TARGET.last8, 'sotu-char: the last 8 characters at least 10% worse than the full window');
      // a word of ~5.5 characters: the per-character ratio to that power
      return [pct(1 - full / c4), vs(c8, full), pct((c8 / full) ** 5.5 - 1)];
    },
  },
  {
    name: 'nn-quote-cont',
    what: 'the shipped figures beside the fine-tuning of the 3 500-step dense snapshot ("Does more dense training …")',
    template: 'dense 4.150 (shipped {}), tokenKeep 0.25 +8.4% ({}), 0.125 +12.3% ({}), last 8 vs full +11.2% ({});',
    figures: async () => {
      const c = await charShipped();
      claim(TYPED.cont3500FineTuned < c.dense, 'sotu-char: the fine-tuned 3 500-step snapshot a better model than the shipped one');
      return [f3(c.dense), vs(c.x4, c.dense), vs(c.x8, c.dense), vs(c.last8, c.full)];
    },
  },
  {
    name: 'nn-quote-front-half',
    what: 'sotu-char with layer 1 unpruned ("Training on the 4× regime …")',
    template: 'with layer 1 at {} of its keys the model loses what its broad layer-1 heads read (pruning only layers 2–3, `--set algo.tokenFrontFrac=0.5`, costs {} at tokenKeep 0.25 and 0.1)',
    figures: async () => {
      const c = await charShipped();
      const cascade = await accuracy(CHAR('mean', 0.1, 0.25));
      const front = [await accuracy(CHAR_FRONT_HALF(0.25)), await accuracy(CHAR_FRONT_HALF(0.1))];
      claim(front.every((j) => kept(j)[1] === kept(j)[0]), 'sotu-char: tokenFrontFrac 0.5 leaves layer 1 unpruned');
      const cost = front.map((j) => vs(value(j), c.dense, 1));
      claim(cost[0] === cost[1] && c.r4 > TARGET.at4, 'sotu-char: layers 2–3 pruned alone cost the same at 0.25 and 0.1, and layer 1 pruned too costs it (> 3%)');
      return [pct(kept(cascade)[1] / kept(cascade)[0]), cost[0]];
    },
  },
  {
    name: 'nn-quote-sum-score',
    what: 'sotu-char at 4× with the plain sum and the mean score ("How the paper\'s algorithms are implemented")',
    template: '(Results: {} at 4× on sotu-char with `sum`, {} with `mean`).',
    figures: async () => {
      const d = await ppl(CHAR_DENSE);
      const [sum, mean] = [await ppl(CHAR('sum', 0.1, 0.25)), await ppl(CHAR('mean', 0.1, 0.25))];
      claim(rise(sum, d) > 10 * rise(mean, d), 'sotu-char: the plain sum far worse than the mean at 4×');
      return [vs(sum, d), vs(mean, d)];
    },
  },
  {
    name: 'nn-quote-gpt-refetch',
    what: 'sotu-gpt\'s LSB refetch fraction after its table (the 6+4 row\'s run)',
    template: 'The measured LSB refetch fraction is ~{} at threshold 0.1 (the paper: 5.9%)',
    figures: async () => {
      const j = await accuracy(GPT_ROWS.find(([l]) => l.startsWith('6+4 progressive'))![1]);
      claim(j.lsbRefetchFraction > 10 * 0.059, 'sotu-gpt: the refetch fraction far above the paper\'s 5.9%');
      return [pct(j.lsbRefetchFraction)];
    },
  },
  {
    name: 'nn-quote-alibi',
    what: 'sotu-char-alibi\'s shipped figures ("Position information"; the nn-alibi tables\' runs and the Fig. 21 ratios they lack)',
    template: 'dense {} (sotu-char {}), 2× / 4× / 8× {} / {} / {}, every Fig. 21 point from 2.59× to 8.32× between {} and {}, last 8 characters {}, last 16 {} (Results',
    figures: async () => {
      const d = await ppl(ALIBI_DENSE);
      const fig21: number[] = [];
      for (const r of ALIBI_FIG21) fig21.push(rise(await ppl(r), d));
      const a = await alibi();
      const at = async (k: number) => vs(await ppl(ALIBI(k)), d);
      const span = (x: number) => vs(1 + x, 1);
      claim(a.rl16 < 0.01, 'sotu-char-alibi: the last 16 characters within 1% of the full window');
      return [f3(d), f3(await ppl(CHAR_DENSE)), await at(0.5), await at(0.25), await at(0.125), span(Math.min(...fig21)), span(Math.max(...fig21)), a.l8, vs(a.l16p, a.d, 1)];
    },
  },
  {
    name: 'nn-quote-alibi-floor',
    what: 'sotu-char-alibi at the 1% floor ("Position information"; the nn-alibi table\'s rows)',
    template: '(`--set algo.tokenMinKeep=0.01`: tokenKeep 0.1, with {} keys in layer 3, {}; 0.02, with {} keys in layers 1–3, {}).',
    figures: async () => {
      const d = await ppl(ALIBI_DENSE);
      const [a, b] = [await accuracy(ALIBI(0.1, 0.01)), await accuracy(ALIBI(0.02, 0.01))];
      const keys = (j: AccuracyJson) => kept(j).slice(1).map((k) => Math.round(k));
      claim(keys(a)[2] < 5 && keys(b).every((k) => k < 10), 'sotu-char-alibi: the 1% floor leaves a layer a handful of keys');
      return [String(keys(a)[2]), vs(value(a), d), keys(b).join(' / '), vs(value(b), d)];
    },
  },
  {
    name: 'nn-quote-rope-rows',
    what: 'the shipped rows of the RoPE snapshots\' and the copy continuation\'s tables',
    template: '| 3 700, shipped (`sotu-char-rope`) | {} | {} | {} | {} | {} | {} |',
    figures: ropeRow,
  },
  {
    name: 'nn-quote-rope-copy-row',
    what: 'the shipped row of the copy continuation\'s table (its span NLLs: scripts/lm-diag.ts copy, typed)',
    template: '| shipped sotu-char-rope | {} | {} | {} | {} | {} | {} | 1.269 / 1.284 |',
    figures: ropeRow,
  },
  {
    name: 'nn-quote-rope',
    what: 'sotu-char-rope\'s shipped figures after its table ("RoPE")',
    template: 'then ends below the dense phase: {} shipped, against {} for sotu-char-alibi and {} for sotu-char. Pruning stays free at every ratio measured (shipped: tokenKeep 0.5 / 0.3 / 0.1 {} / {} / {}%, perplexities {} / {} / {}).',
    figures: async () => {
      const d = await ppl(ROPE());
      const p = [await ppl(ROPE(0.5)), await ppl(ROPE(0.3)), await ppl(ROPE(0.1))];
      const r = await rope();
      claim(d < TYPED.ropeDensePhase, 'sotu-char-rope: the fine-tuning ends below the dense phase');
      claim([...p.map((x) => rise(x, d)), ...r.r].every((x) => Math.abs(x) < 0.01), 'sotu-char-rope: pruning free (within 1%) at every ratio measured');
      return [f3(d), f3(await ppl(ALIBI_DENSE)), f3(await ppl(CHAR_DENSE)), ...p.map((x) => vs(x, d).replace('%', '')), ...p.map(f3)];
    },
  },
  {
    name: 'nn-quote-rope-last8',
    what: 'the last 8 characters of the three shipped character LMs ("RoPE")',
    template: 'the last 8 cost 2.0–4.1% ({} shipped; ALiBi {}, learned positions {}).',
    figures: async () => {
      const [r, a, c] = [await rope(), await alibi(), await charShipped()];
      claim(r.rl16 < 0.01 && TYPED.ropeLast8[0] <= 100 * r.rl8 && 100 * r.rl8 <= TYPED.ropeLast8[1], 'sotu-char-rope: the last 16 within 1%, the last 8 within the snapshots\' 2.0–4.1%');
      return [r.l8, a.l8, vs(c.last8, c.full)];
    },
  },
  {
    name: 'nn-quote-ft-masks',
    what: 'the shipped row of the fine-tuning masks\' table (the sotu-char table\'s mean rows)',
    template: '| cascade (10%; shipped) | {} | {} | {} | {} | {} | {} | {} |',
    figures: async () => {
      const c = await charShipped();
      const at = async (r: Run) => { const p = await ppl(r); return `${f3(p)} (${vs(p, c.dense, 1)})`; };
      return [f3(c.dense), vs(c.last8, c.full), await at(CHAR('mean', 0.01, 0.5)), await at(CHAR('mean', 0.01, 0.25)), await at(CHAR('mean', 0.01, 0.125)), await at(CHAR('mean', 0.1, 0.25)), await at(CHAR('mean', 0.1, 0.125))];
    },
  },
  {
    name: 'nn-quote-summary',
    what: 'the LM pruning curve under "Open issues"',
    template: '"last 8 characters ≥ 10% worse than the full window" ({}) and "≥ 5% at 8×" ({}) but not "≤ ~3% at 4×" ({}).',
    figures: async () => {
      const c = await charShipped();
      claim(c.r8 >= TARGET.last8 && c.r8x >= TARGET.at8 && c.r4 > TARGET.at4, 'sotu-char: the last-8 and 8× targets met, the 4× one not');
      return [vs(c.last8, c.full), vs(c.x8, c.dense), vs(c.x4, c.dense)];
    },
  },
  {
    name: 'nn-quote-summary-positions',
    what: 'sotu-char-alibi and sotu-char-rope under "Open issues"',
    template: 'the mechanical cost is gone — 4× {} — and so is the knee: that model reads about 16 characters (8× {}, last 8 {}; "Position information"). Rotary positions (`sotu-char-rope`, shipped in ce803ea), with no penalty on distance, read no further (dense {}, the best LM here; 8× {}, last 8 {}; "RoPE")',
    figures: async () => {
      const [a, r] = [await alibi(), await rope()];
      claim([...a.r, ...r.r].every((x) => Math.abs(x) < 0.01) && a.rl16 < 0.01 && r.rl16 < 0.01, 'sotu-char-alibi and sotu-char-rope: 4× and 8× within 1%, the last 16 characters within 1% of the full window');
      claim(r.d < a.d && r.d < (await ppl(CHAR_DENSE)), 'sotu-char-rope: the best dense perplexity of the LMs');
      return [a.x4, a.x8, a.l8, f3(r.d), r.x8, r.l8];
    },
  },
];

/** The quotes named (all without a name), their figures from the runs. */
export async function nnQuotes(only: string[] = []): Promise<Quote[]> {
  const out: Quote[] = [];
  for (const q of NN_QUOTES.filter((x) => only.length === 0 || only.includes(x.name))) out.push({ what: q.what, template: q.template, figures: await q.figures() });
  return out;
}
export const NN_QUOTES_SCRIPT = 'scripts/readme-nn-quotes.ts';
