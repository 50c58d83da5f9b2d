/**
 * The sentences of sim/nn/README.md's Results that quote measured figures: each is formatted here
 * from the `accuracy` runs behind the tables (scripts/readme-nn.ts) and a few more, and each
 * qualitative word ("met", "not met", "flat", "nothing") is derived from the figures or checked
 * against them (`claim`): when they stop bearing it out, the generator fails rather than print it.
 */
import { AlgoSchema } from '../sim/schema.ts';
import { tokenKeepSchedule } from '../sim/workload/schedule.ts';
import { claim, perLayer, vs, wrap } from './readme-nn-format.ts';
import { accuracy, command, context, value, type Run } from './readme-nn-runs.ts';
import { PAPER_FIG21 } from '../sim/paper.ts';
import { ALIBI, ALIBI_CONTEXT, ALIBI_CONTEXTS, ALIBI_DENSE, ALIBI_ROWS, CHAR, CHAR_DENSE, FIG21_TOKENS, floorOf, GPT, GPT_DEFAULTS, GPT_OLD, SPAM_FRONT_FRAC } from './readme-nn-rows.ts';

/**
 * The LM targets sim/nn/README.md's "Models" states (as scripts/readme-glance.ts): the pruning curve
 * of the paper's Fig. 21 shape, at most ~3% worse at 4× and at least 5% at 8×, and the last 8
 * characters at least 10% worse than the full window.
 */
export const TARGET = { at4: 0.03, at8: 0.05, last8: 0.1 } as const;
const met = (holds: boolean) => (holds ? 'met' : 'not met');
const rise = (x: number, base: number) => x / base - 1;

const ppl = async (r: Run) => value(await accuracy(r));

/** After the spam-bert table: the measured keep fractions with layer 0 pruned against the schedule. */
export async function spamFrontFracBlock(): Promise<string[]> {
  const run = SPAM_FRONT_FRAC;
  const j = await accuracy(run);
  const d = AlgoSchema.parse({});
  const schedule = tokenKeepSchedule(j.tokenKeepPerLayer.length, Number(run.set!.tokenKeep), d.tokenSpread, 0, d.tokenMinKeep);
  return wrap(`With \`tokenFrontFrac 0\` the measured keep fractions are ${j.tokenKeepPerLayer.map((x) => x.toFixed(3)).join(' / ')} for the schedule ${schedule.map((x) => Number(x.toFixed(3))).join(' / ')} (\`${command(run)}\`).`);
}

/** After the sotu-gpt table: its pruned rows again at today's defaults (mean score, 10% floor). */
export async function gptDefaultsBlock(): Promise<string[]> {
  const parts: string[] = [];
  for (const run of GPT_DEFAULTS.ratios) {
    const j = await accuracy(run);
    parts.push(`${parts.length === 0 ? 'tokenKeep ' : ''}${run.set!.tokenKeep} ${value(j).toFixed(2)} (${perLayer(j.meanKeptTokensPerLayer)}${parts.length === 0 ? ' kept' : ''})`);
  }
  const c = await accuracy(GPT_DEFAULTS.combined);
  return wrap(`With today's defaults (\`mean\` score, 10% floor; no \`--set\` but the ratio) the pruned rows are: ${parts.join(', ')}, 0.1 without the front layer ${(await ppl(GPT_DEFAULTS.noFront)).toFixed(2)}, and the combined 6+4 row ${value(c).toFixed(2)} (refetch ${c.lsbRefetchFraction.toFixed(3)}).`);
}

/** After the sotu-gpt rows: its curve at 4× and 8× under both settings against the target shape. */
export async function gptShapeBlock(): Promise<string[]> {
  const at = async (base: Run['set']) => {
    const dense = await ppl(GPT({}, base));
    return [await ppl(GPT({ tokenKeep: 0.25 }, base)), await ppl(GPT({ tokenKeep: 0.125 }, base))].map((x) => ({ d: rise(x, dense), s: vs(x, dense) }));
  };
  const [old, now] = [await at(GPT_OLD), await at({})];
  const shape = (c: typeof old) => c[0].d <= TARGET.at4 && c[1].d >= TARGET.at8;
  claim(!shape(old) && !shape(now), 'sotu-gpt: the target shape not met with either setting');
  claim(now.every((c) => c.d <= 0), 'sotu-gpt: nothing lost at 4× and 8× with today\'s defaults');
  return wrap(`The paper's curve (GPT-2: +1.2% at 4×, +20–40% at 6.6–8.3×) needs an LM that uses its context; sotu-gpt loses ${old[0].s} at 4× (tokenKeep 0.25) and ${old[1].s} at 8× (0.125) with the table's \`sum\` score and 1% floor, and nothing with today's defaults (${now[0].s} and ${now[1].s}): the target shape (≤ ~3% at 4×, ≥ 5% at 8×) is **not** met either way (see "Does the LM use its context?").`);
}

/** After the sotu-char table: the curve on the schedule the model was fine-tuned for, against the target. */
export async function charTargetsBlock(): Promise<string[]> {
  const dense = await ppl(CHAR_DENSE);
  const [x2, x4, x8] = [await ppl(CHAR('mean', 0.1, 0.5)), await ppl(CHAR('mean', 0.1, 0.25)), await ppl(CHAR('mean', 0.1, 0.125))];
  for (const k of [0.5, 0.25, 0.125]) claim((await ppl(CHAR('sum', 0.01, k))) > (await ppl(CHAR('mean', 0.01, k))), `sotu-char: the sum worse than the mean at tokenKeep ${k}`);
  return wrap(`(\`--set algo.tokenMinKeep=F\` for the floor; 0.1 is the default since 0ab36ad, 0.01 before.) Against the target "≤ ~3% worse at 4×, ≥ 5% worse at 8×", on the schedules the model was fine-tuned for (floor 0.1, mean score — the Fig. 21 space's settings): 2× ${vs(x2, dense)}, 4× ${vs(x4, dense)} (${met(rise(x4, dense) <= TARGET.at4)}), 8× ${vs(x8, dense)} (${met(rise(x8, dense) >= TARGET.at8)}). The model was fine-tuned on the mean score's selections, so the paper's sum (Alg. 2 as written) is far worse here: in a causal prompt pass token j is seen by the 224 − j later queries only, so the plain sum ranks the oldest characters highest and the cascade drops the last characters before the query — the ones a character-level model needs most.`);
}

/** After the sotu-char-alibi tables: the targets, and where its curve bends. */
export async function alibiTargetsBlock(): Promise<string[]> {
  const ctx = async (N: number | 'full') => (await context(ALIBI_CONTEXT(N))).perplexity;
  const dense = await ppl(ALIBI_DENSE);
  const [x4, x8] = [await ppl(ALIBI(0.25)), await ppl(ALIBI(0.125))];
  const full = await ctx('full');
  const last8 = await ctx(8);
  // "flat": every default-floor ratio within 1% of dense; the 1% floor's rows (≈ 2 keys in the last layer) not
  const rises: [number, number][] = [];
  for (const r of ALIBI_ROWS) rises.push([floorOf(r), rise(await ppl(r), dense)]);
  claim(rises.every(([f, d]) => (f === AlgoSchema.parse({}).tokenMinKeep ? d < 0.01 : d > 0.01)), 'sotu-char-alibi: flat at the 10% floor, not at the 1% floor');
  const charDense = await ppl(CHAR_DENSE);
  for (const k of [0.5, 0.25, 0.125]) claim((await ppl(CHAR('mean', 0.1, k))) > charDense * 1.01, `sotu-char: worse than dense at tokenKeep ${k}`);
  // the context it reads: the shortest last-N within 1% of the full window
  let reads: number | 'full' = 'full';
  for (const N of ALIBI_CONTEXTS) if (reads === 'full' && N !== 'full' && Math.abs(rise(await ctx(N), full)) < 0.01) reads = N;
  return wrap(`Against the targets: 4× ${vs(x4, dense)} (${met(rise(x4, dense) <= TARGET.at4)}), 8× ${vs(x8, dense)} (${met(rise(x8, dense) >= TARGET.at8)}${rise(x8, dense) >= TARGET.at8 ? '' : ': ≥ 5%'}), last 8 ${vs(last8, full)} (${met(rise(last8, full) >= TARGET.last8)}${rise(last8, full) >= TARGET.last8 ? '' : ': ≥ 10%'}). Where sotu-char's curve rises at every ratio because its layer 1 loses keys at positions it was trained to expect, this one is flat until a layer keeps a handful of keys: it reads ~${reads} characters ("Position information", above). Not the Fig. 21 space's model (its curve has no knee where the paper's has one); shipped to compare the two position schemes under the same pruning.`);
}

/** After the Fig. 21 tables: sotu-char's curve against the paper's (a cost is a perplexity rise for ours, an accuracy fall for the paper's). */
export async function fig21CurveBlock(): Promise<string[]> {
  const p: number[] = [];
  for (const r of FIG21_TOKENS) p.push(await ppl(r));
  const ours = p.map((x) => 100 * rise(x, p[0]));
  const paper = PAPER_FIG21.find((c) => c.kind === 'tokens')!.points;
  const at = (ratio: number) => paper.findIndex(([x]) => x === ratio);
  const [i26, i4, i44, i52, i83] = [2.59, 4.01, 4.44, 5.19, 8.32].map(at);
  claim(ours.every((x, i) => i === 0 || x > ours[i - 1]), 'Fig. 21: sotu-char\'s curve rises at every ratio');
  claim(paper.slice(0, i44 + 1).every(([, y]) => Math.abs(y) < 1.5), 'Fig. 21: the paper\'s curve flat (within 1.5%) to 4.4×');
  claim(ours[1] > -paper[1][1] && ours[i83] < -paper[i83][1] / 2, 'Fig. 21: ours costs more than the paper\'s at the lowest ratio and under half of it at the highest');
  const x = (r: number) => `${Number(r.toFixed(1))}×`;
  const pc = (v: number) => `${v < 0 ? '−' : '+'}${Math.abs(Math.round(v))}%`;
  return wrap(`sotu-char's curve rises steadily: ${pc(ours[i26])} at ${x(paper[i26][0])}, ${pc(ours[i4])} at ${x(paper[i4][0])}, ${pc(ours[i83])} at ${x(paper[i83][0])} (the paper: flat to ${x(paper[i44][0])}, then ${paper[i52][1]}% at ${x(paper[i52][0])} and ${pc(paper[i83][1])} at ${x(paper[i83][0])}). Ours pays more than the paper's at low ratios and far less at high ones.`.replace(/-(\d)/g, '−$1'));
}

/** The sentence blocks. */
export const NN_PROSE_BLOCKS: [string, () => Promise<string[]>][] = [
  ['nn-spam-frontfrac', spamFrontFracBlock],
  ['nn-sotu-gpt-defaults', gptDefaultsBlock],
  ['nn-sotu-gpt-shape', gptShapeBlock],
  ['nn-sotu-char-targets', charTargetsBlock],
  ['nn-alibi-targets', alibiTargetsBlock],
  ['nn-fig21-curve', fig21CurveBlock],
];
