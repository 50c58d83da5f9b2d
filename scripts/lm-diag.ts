/**
 * Why an LM's KV-token pruning costs what it costs (sim/nn/lm-diag.ts; sim/nn/README.md).
 *
 *   node --import tsx scripts/lm-diag.ts [--model sotu-char] [--windows 64] [--json] [truncation|selection|layers|spread|copy|ngram ...]
 *
 * truncation: the last N tokens as a fresh sequence (positions 0..N−1, = `accuracy --context N`)
 *             and at their own positions in the window;
 * selection:  the cascade vs "keep the most recent" at the same per-layer counts (tokenKeep 0.25 and
 *             0.125, the model's defaults), and a fixed k most recent tokens in every layer / in
 *             layers 1–3 (to set beside `--context k`);
 * layers:     a fixed count of cascade-selected tokens from layer l on (which layer's pruning costs);
 * fig21:      Fig. 21's token ratios with spaces/fig21-accuracy.yaml's algorithm (mean score, 10%
 *             floor, 12-bit, no LSB pass): perplexity and next-token top-1 accuracy, each change
 *             vs dense (top-1 with the paired 95% interval over windows), beside the paper's
 *             "accuracy change" (its PTB metric is not defined: spec §5.9);
 * spread:     per layer and head, the dense model's attention at the generation positions;
 * copy:       a span of 60 tokens of 16 windows repeated 60 tokens later: its mean NLL the first
 *             time and the second (a model that copies predicts the second far better);
 * ngram:      the same predictions by a Witten-Bell n-gram model on the model's tokens, trained on
 *             the training split, from the last 2 / 4 / 6 tokens (`--ngram-max K` up to K: 8 needs
 *             ~3 GB of heap, `node --max-old-space-size=6000`), and how much of the test text the
 *             training text holds verbatim and how often copying from > 8 tokens back could help.
 * Deterministic; 13 minutes for everything on the shared 2-core machine at load 8–16 (64 windows).
 */
import { contextPerplexity } from '../sim/nn/context.ts';
import { attentionSpread, copySpanNll, ngramPerplexity, prunedPerplexity, textOverlap } from '../sim/nn/lm-diag.ts';
import { LAYER_CASES, SELECTION_CASES, TRUNCATION_N, type Case } from './lm-diag-cases.ts';
import { pairedDiff } from '../core/paired.ts';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(name);
  if (i < 0) return dflt;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
const model = opt('--model', 'sotu-char');
const maxExamples = Number(opt('--windows', '64'));
const ngramMax = Number(opt('--ngram-max', '6'));
const json = args.includes('--json');
const parts = args.filter((a) => !a.startsWith('--'));
const want = (p: string) => parts.length === 0 || parts.includes(p);
const spec = { model, maxExamples };
const out: Record<string, unknown> = {};
const f3 = (x: number) => x.toFixed(3);
const ci = (c: [number, number]) => `${c[0].toFixed(2)}–${c[1].toFixed(2)}`;
const say = (s: string) => { if (!json) console.log(s); };

const dense = await prunedPerplexity(spec, {});
const vs = (p: number) => `${((p / dense.perplexity - 1) * 100).toFixed(1)}%`;
say(`${model}, ${dense.n} windows: dense ${f3(dense.perplexity)} (${ci(dense.ci95)})\n`);
out.dense = dense;

if (want('truncation')) {
  say('| last N tokens | fresh positions 0..N−1 | vs dense | own positions | vs dense |\n|---:|---:|---:|---:|---:|');
  const rows = [];
  for (const N of TRUNCATION_N) {
    const a = await contextPerplexity(spec, N, 'fresh');
    const b = await contextPerplexity(spec, N, 'original');
    rows.push({ N, fresh: a, original: b });
    say(`| ${N} | ${f3(a.perplexity)} (${ci(a.ci95)}) | ${vs(a.perplexity)} | ${f3(b.perplexity)} (${ci(b.ci95)}) | ${vs(b.perplexity)} |`);
  }
  out.truncation = rows;
  say('');
}

async function table(title: string, cases: Case[], key: string): Promise<void> {
  say(`| ${title} | perplexity | 95% CI | vs dense | kept tokens / layer |\n|---|---:|---|---:|---|`);
  const rows = [];
  for (const c of cases) {
    const r = await prunedPerplexity(spec, c.algo, c.rule);
    rows.push({ label: c.label, ...r });
    say(`| ${c.label} | ${f3(r.perplexity)} | ${ci(r.ci95)} | ${vs(r.perplexity)} | ${r.keptPerLayer.map((x) => x.toFixed(1)).join(' ')} |`);
  }
  out[key] = rows;
  say('');
}

if (want('selection')) await table('selection', SELECTION_CASES, 'selection');
if (want('layers')) await table('per layer', LAYER_CASES, 'layers');

if (want('fig21')) {
  // spaces/fig21-accuracy.yaml: the ratios (1 / tokenKeep) and the paper's changes (spec §5.9, Fig. 21)
  const ratios = [1, 2.59, 3.36, 4.01, 4.44, 5.19, 6.56, 7.33, 8.32];
  const paper = [0, 0.56, -0.31, -1.2, -1.34, -5.6, -20.76, -32.12, -40.32];
  const algo = { msbBits: 12, lsbBits: 0, headKeep: 1, valueKeep: 1, tokenScore: 'mean' as const, tokenMinKeep: 0.1 };
  const base = await prunedPerplexity(spec, algo);
  const pc = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(1)}%`;
  say('| ratio | tokenKeep | perplexity | vs dense | top-1 accuracy | vs dense (paired 95% interval) | paper\'s "accuracy change" |\n|---:|---:|---:|---:|---:|---|---:|');
  const rows = [];
  for (let i = 0; i < ratios.length; i++) {
    const tokenKeep = Number((1 / ratios[i]).toFixed(3));
    const r = i === 0 ? base : await prunedPerplexity(spec, { ...algo, tokenKeep });
    const d = pairedDiff(base.top1PerWindow, r.top1PerWindow)!;
    const rel = (x: number) => (100 * x) / base.top1;
    rows.push({ ratio: ratios[i], tokenKeep, perplexity: r.perplexity, top1: r.top1, top1Change: d, paper: paper[i] });
    say(`| ${ratios[i]}× | ${tokenKeep} | ${f3(r.perplexity)} | ${pc(100 * (r.perplexity / base.perplexity - 1))} | ${(100 * r.top1).toFixed(2)}% | ${pc(rel(d.mean))} (${pc(rel(d.lo))} … ${pc(rel(d.hi))}) | ${pc(paper[i])} |`);
  }
  out.fig21 = rows;
  say('');
}

if (want('spread')) {
  const rows = await attentionSpread({ model, windows: 16 });
  out.spread = rows;
  say('| layer | head | mass on last 8 keys | last 32 | last 96 | effective keys (exp entropy) |\n|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) say(`| ${r.layer} | ${r.head} | ${r.last8.toFixed(2)} | ${r.last32.toFixed(2)} | ${r.last96.toFixed(2)} | ${r.effectiveKeys.toFixed(1)} |`);
}
if (want('copy')) {
  const c = await copySpanNll(spec);
  out.copy = c;
  say(`repeated span (${c.n} predictions): NLL ${f3(c.first)} the first time, ${f3(c.copy)} the second (nats per token)`);
}
if (want('ngram')) {
  const ks = [1, 2, 4, 6, 8, 12].filter((k) => k <= ngramMax);
  const rows = await ngramPerplexity(spec, ks);
  out.ngram = rows;
  say(`\n| n-gram (Witten-Bell, training split), last k tokens | perplexity | 95% CI | vs the LM's dense |\n|---:|---:|---|---:|`);
  for (const r of rows) say(`| ${r.context} | ${f3(r.perplexity)} | ${ci(r.ci95)} | ${vs(r.perplexity)} |`);
  const o = await textOverlap(spec);
  out.overlap = o;
  const pc = (x: number) => `${(100 * x).toFixed(1)}%`;
  say(`\ntest text found verbatim in the training text: ${Object.entries(o.verbatim).map(([L, x]) => `${pc(x)} of the ${L}-character substrings`).join(', ')}`);
  say(`predictions whose last 6 characters occur earlier in the window, more than 8 characters back: ${pc(o.copyFound)}; with the target as the next character there: ${pc(o.copyRight)}`);
}
if (json) console.log(JSON.stringify(out, null, 1));
