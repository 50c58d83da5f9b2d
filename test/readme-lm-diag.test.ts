/**
 * sim/nn/README.md's "Why 4× costs more than truncation" is generated (`npm run readme:lm-diag`,
 * scripts/readme-lm-diag.ts) from `scripts/lm-diag.ts`, 5–13 minutes: never rerun here. Instead
 * every block and every passage quoting them outside the blocks is re-rendered from the
 * diagnostics the generator saved (scripts/readme-data/lm-diag.json) and the LLM cache's runs saved by
 * `npm run readme:nn` (scripts/readme-data/nn-runs.json), byte for byte; the formatting
 * (scripts/readme-lm-diag-format.ts) is checked on fixed diagnostics against rows and sentences
 * worked out by hand, every qualitative word's check against figures that contradict it, and the
 * README's blocks against each other and against the nn-policy-char sentence they share a figure with.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { generatedBlock } from '../bench/readme-block.ts';
import { LAYER_CASES, LAYER_KEEPS, SELECTION_CASES, TRUNCATION_N, type Case } from '../scripts/lm-diag-cases.ts';
import {
  applyQuotes, LAYERS_HEAD, lmDiagBlocks, quotes, selectionLine, SPREAD_HEAD, spreadLines, TRUNCATION_HEAD, truncationLine, layersLine, type Diag, type Llm, type Spread,
} from '../scripts/readme-lm-diag-format.ts';
import { NN_README } from '../scripts/readme-nn.ts';
import { diagnostics, llmAt4, LM_DIAG_FILE } from '../scripts/readme-lm-diag.ts';
import { fromSaved } from '../scripts/readme-nn-runs.ts';

const ci = (p: number): [number, number] => [p * 0.9, p * 1.1];
const P = (perplexity: number, keptPerLayer = [240.5, 240.5, 240.5, 240.5]) => ({ perplexity, ci95: ci(perplexity), keptPerLayer });

test('the table rows: 3-decimal perplexities, CIs as lo–hi, changes to 0.1% (none from 100%), the counts a fixed key rule sets whole', () => {
  // 4.891 / 4.404 = 1.11058 → +11.1%; 20.258 / 4.404 = 4.59991 → +360%
  assert.equal(truncationLine({ N: 8, fresh: { perplexity: 4.891, ci95: [4.514, 5.316] }, original: { perplexity: 20.258, ci95: [18.766, 21.774] } }, 4.404), '| 8 | 4.891 (4.51–5.32) | +11.1% | 20.258 (18.77–21.77) | +360% |');
  // 4.748 / 4.404 = 1.07811 → +7.8%; measured counts with 1 decimal
  assert.equal(selectionLine({ label: 'cascade, tokenKeep 0.25', perplexity: 4.748, ci95: [4.351, 5.207], keptPerLayer: [240.5, 96.23, 60.31, 24.06] }, 4.404), '| cascade, tokenKeep 0.25 | 4.748 | 4.35–5.21 | +7.8% | 240.5 96.2 60.3 24.1 |');
  // the counts a fixed rule sets whole (from its layer on), equal ones collapsed; a measured mean keeps its decimal even when whole
  assert.equal(selectionLine({ label: 'x', perplexity: 12.206, ci95: [11.28, 13.2], keptPerLayer: [64, 64, 64, 64] }, 4.404, { rank: 'recent', keep: 64, fromLayer: 0 }), '| x | 12.206 | 11.28–13.20 | +177% | 64 ×4 |');
  assert.equal(selectionLine({ label: 'y', perplexity: 4.83, ci95: [4.43, 5.3], keptPerLayer: [240.5, 64, 64, 64] }, 4.404, { rank: 'recent', keep: 64, fromLayer: 1 }).split(' | ').at(-1), '240.5 64 64 64 |');
  assert.equal(selectionLine({ label: 'z', perplexity: 4.911, ci95: [4.5, 5.39], keptPerLayer: [240.5, 36.1, 30.1, 24] }, 4.404, { rank: 'recent' }).split(' | ').at(-1), '240.5 36.1 30.1 24.0 |');
  // below 1% still one decimal, its sign from the rounded figure: 4.4035 / 4.404 − 1 = −0.011% → +0.0%; 4.390 → −0.318% → −0.3%
  const four = [0, 0, 0, 0];
  assert.equal(layersLine({ label: '', perplexity: 4.4035, ci95: [4.02, 4.83], keptPerLayer: four }, 24, 3, 4.404), '| 24 in layer 3 | 4.404 | 4.02–4.83 | +0.0% |');
  assert.equal(layersLine({ label: '', perplexity: 4.39, ci95: [4.0, 4.8], keptPerLayer: four }, 60, 2, 4.404), '| 60 in layers 2–3 | 4.390 | 4.00–4.80 | −0.3% |');
  assert.equal(layersLine({ label: '', perplexity: 4.475, ci95: [4.1, 4.9], keptPerLayer: four }, 192, 1, 4.404), '| 192 in layers 1–3 | 4.475 | 4.10–4.90 | +1.6% |');
});

test('the spread table: one line per layer, heads joined by " / ", equal cells as "x ×4", effective keys whole when a head reads 10 or more', () => {
  const layer = (l: number, last8: number[], last96: number[], eff: number[]): Spread[] => eff.map((e, h) => ({ layer: l, head: h, last8: last8[h], last32: 1, last96: last96[h], effectiveKeys: e }));
  const rows = [...layer(1, [0.07, 0.15, 0.55, 0.82], [0.56, 0.79, 0.999, 1], [209.4, 104.6, 25.2, 9.3]), ...layer(0, [0.99, 0.99, 0.93, 0.98], [1, 1, 1, 1], [4.12, 3.31, 7.06, 3.5])];
  assert.deepEqual(spreadLines(rows), [
    '| 0 | 0 / 1 / 2 / 3 | 0.99 / 0.99 / 0.93 / 0.98 | 1.00 ×4 | 1.00 ×4 | 4.1 / 3.3 / 7.1 / 3.5 |',
    '| 1 | 0 / 1 / 2 / 3 | 0.07 / 0.15 / 0.55 / 0.82 | 1.00 ×4 | 0.56 / 0.79 / 1.00 / 1.00 | 209 / 105 / 25 / 9 |',
  ]);
});

/** Diagnostics chosen so each figure is easy to work out (dense 4) and every word holds. */
function fixture(): { d: Diag; llm: Llm } {
  const sel: Record<string, [number, number[]?]> = {
    'cascade, tokenKeep 0.25': [4.3, [240.5, 96.2, 60.3, 24.1]], 'most recent, same counts (tokenKeep 0.25)': [4.36],
    'cascade, tokenKeep 0.125': [4.44], 'most recent, same counts (tokenKeep 0.125)': [4.52],
    'most recent 32, every layer': [16], 'most recent 32, layers ≥ 1': [4.6],
    'most recent 64, every layer': [12], 'most recent 64, layers ≥ 1': [4.4],
    'most recent 96, every layer': [8], 'most recent 96, layers ≥ 1': [4.32],
  };
  const lay: Record<string, number> = { '24,3': 4.001, '60,3': 4, '60,2': 4.004, '24,2': 4.008, '192,1': 4.06, '128,1': 4.2, '96,1': 4.312, '60,1': 4.4 };
  const spread = (l: number, last8: number[], eff: number[]): Spread[] => eff.map((e, h) => ({ layer: l, head: h, last8: last8[h], last32: 0.5, last96: 0.9, effectiveKeys: e }));
  const pruned = (c: Case, [p, kept]: [number, number[]?]) => ({ label: c.label, ...P(p, kept) });
  return {
    d: {
      dense: P(4),
      truncation: TRUNCATION_N.map((N) => (N === 64 ? { N, fresh: P(4.1), original: P(16) } : { N, fresh: P(4.2), original: P(12) })),
      selection: SELECTION_CASES.map((c) => pruned(c, sel[c.label])),
      layers: LAYER_CASES.map((c, i) => pruned(c, [lay[LAYER_KEEPS[i].join(',')]])),
      spread: [
        ...spread(0, [0.1, 0.1, 0.1, 0.1], [80, 170, 230, 120]), ...spread(1, [0.07, 0.15, 0.55, 0.82], [210, 100, 25, 9]),
        ...spread(2, [0.95, 0.95, 0.95, 0.95], [4, 3, 7, 3.5]), ...spread(3, [0.95, 0.95, 0.95, 0.95], [3, 3, 2.5, 2.9]),
      ],
    },
    llm: { perplexity: 4.6, dense: 4, keptPerLayer: [64, 64, 64, 64] },
  };
}

test('the sentences quote the figures, worked out by hand from the fixed diagnostics', () => {
  const { d, llm } = fixture();
  const text = Object.fromEntries(lmDiagBlocks(d, llm).map(([name, lines]) => [name, lines.map((l) => l.trim()).join(' ')]));
  // 4.1 / 4 → +2.5%, 16 / 4 → +300%
  assert.match(text['lm-diag-truncation-reading'], /the loss goes from \+2\.5% to \+300% at N = 64\./);
  // 12 / 4 → +200%, 4.4 → +10.0%; 4.3 / 4.36 → +7.5% / +9.0%, 4.44 / 4.52 → +11.0% / +13.0%; the cache 4.6 / 4 → +15.0% with 64 keys a layer
  assert.ok(text['lm-diag-selection-reading'].includes('"keep the last 64" costs +200% in every layer and +10.0% with layer 0 exempt, against +2.5% for `--context 64`'));
  assert.ok(text['lm-diag-selection-reading'].includes('(+7.5% vs +9.0% at 4×, +11.0% vs +13.0% at 8×)'));
  assert.ok(text['lm-diag-selection-reading'].includes('(`tokenPolicy llm`, +15.0% at budget 64) prunes layer 0 too, where recency alone costs +200%;'));
  // the fewest kept in layers 2–3 (24) of 240.5 → ~240; layer 1 keeps round(96.2) = 96 at 4×, and 4.312 / 4 → +7.8%
  assert.equal(text['lm-diag-layers-reading'], 'Layers 2–3 can keep 24 of ~240 tokens for free; the whole 4× cost (+7.5%) is layer 1 keeping 96 (+7.8% alone).');
  // broad: every head of layer 0 and heads 0–1 of layer 1 (80 … 230 keys); local: the 8 heads of layers 2–3; 4.06 / 4 → +1.5%
  assert.ok(text['lm-diag-spread-reading'].startsWith('Six heads (all of layer 0, heads 0–1 of layer 1) spread their attention over 80–230 keys'));
  assert.ok(text['lm-diag-spread-reading'].includes('the eight heads of layers 2–3 read the last 8 characters'));
  assert.ok(text['lm-diag-spread-reading'].includes('over 96 cascade-kept keys at positions that always had ~240 is a different vector, and pruning anything in layer 1 costs (192 kept: +1.5%).'));
});

test('a word the figures no longer bear out stops the generator', () => {
  const breaks: [string, (d: Diag, llm: Llm) => void, RegExp][] = [
    ['own positions cheaper than fresh at N = 8', (d) => { d.truncation[0].original.perplexity = 4.1; }, /own positions cost more than fresh ones/],
    ['the cascade worse than recency at 8×', (d) => { d.selection[2].perplexity = 4.6; }, /keeps better tokens than recency at tokenKeep 0\.125/],
    ['recency from layer 1 no worse than --context 64', (d) => { d.selection[7].perplexity = 4.05; }, /the gap is mechanical/],
    ['the LLM cache as bad as recency alone', (_, llm) => { llm.perplexity = 9; }, /recover most of what recency alone costs/],
    ['the LLM cache at another budget than the quoted recency count', (_, llm) => { llm.keptPerLayer = [36, 36, 36, 36]; }, /budget \(36\)/],
    ['layers 2–3 keeping 24 costs 1%', (d) => { d.layers[3].perplexity = 4.04; }, /within 0\.5% of dense \(free\)/],
    ['layer 1 alone far from the whole 4× cost', (d) => { d.layers[6].perplexity = 4.6; }, /within a tenth of the whole 4× cost/],
    ['a broad head in layer 2', (d) => { d.spread[8].effectiveKeys = 60; }, /broad heads/],
    ['a layer-3 head not local', (d) => { d.spread[15].last8 = 0.5; }, /local heads/],
    ['layer 1 keeping 192 free', (d) => { d.layers[4].perplexity = 4.01; }, /layer 1 keeping 192 costs/],
  ];
  for (const [what, change, message] of breaks) {
    const { d, llm } = fixture();
    change(d, llm);
    assert.throws(() => lmDiagBlocks(d, llm), message, what);
  }
  // the rows are found by their case's label, in whatever order they come; a case not measured stops it
  const { d, llm } = fixture();
  const before = lmDiagBlocks(d, llm);
  d.layers.reverse();
  d.selection.reverse();
  assert.deepEqual(lmDiagBlocks(d, llm), before);
  d.layers.find((r) => r.label === 'cascade 192 tokens in layers ≥ 1')!.label = 'cascade 192 tokens in layers ≥ 0';
  assert.throws(() => lmDiagBlocks(d, llm), /lm-diag layers: no row "cascade 192 tokens in layers ≥ 1"/);
});

const README = readFileSync(NN_README, 'utf8');
const block = (name: string) => {
  const b = generatedBlock(README, name);
  assert.ok(b, `sim/nn/README.md has no block ${name}`);
  return b;
};
const cells = (line: string) => line.replace(/^\| | \|$/g, '').split(' | ');
const num = (s: string) => Number(s.replace('−', '-').replace(/[+%]/g, ''));
const prose = (name: string) => block(name).map((l) => l.trim()).join(' ');

test('the README\'s blocks: their headings and one row per case, each change its perplexity against dense', () => {
  const trunc = block('lm-diag-truncation');
  assert.deepEqual(trunc.slice(0, 2), TRUNCATION_HEAD);
  assert.deepEqual(trunc.slice(2).map((l) => Number(cells(l)[0])), TRUNCATION_N);
  const sel = block('lm-diag-selection');
  const dense = Number(/^\| selection \(dense (\d+\.\d{3})\) \|/.exec(sel[0])![1]);
  assert.deepEqual(sel.slice(2).map((l) => cells(l)[0]), SELECTION_CASES.map((c) => c.label));
  const layers = block('lm-diag-layers');
  assert.deepEqual(layers.slice(0, 2), LAYERS_HEAD);
  assert.equal(layers.length - 2, LAYER_KEEPS.length);
  assert.deepEqual(block('lm-diag-spread').slice(0, 2), SPREAD_HEAD);
  // each change: the 3-decimal perplexity against the 3-decimal dense, to the cells' rounding (half a unit of the last digit, ±0.0005 on each)
  const check = (p: string, c: string) => {
    const d = 100 * (num(p) / dense - 1);
    const slack = 100 * (0.0005 / num(p) + 0.0005 / dense) * (num(p) / dense) + 0.5 * 10 ** -(c.split('.')[1]?.replace('%', '').length ?? 0);
    assert.ok(Math.abs(num(c) - d) <= slack, `${p} → ${c} (computed ${d})`);
  };
  for (const l of trunc.slice(2)) {
    const c = cells(l);
    check(c[1].split(' ')[0], c[2]);
    check(c[3].split(' ')[0], c[4]);
  }
  for (const l of [...sel.slice(2), ...layers.slice(2)]) check(cells(l)[1], cells(l)[3]);
});

test('the README\'s sentences quote the cells of its tables, and the LLM cache\'s cost that of the nn-policy-char sentence', () => {
  const trunc = new Map(block('lm-diag-truncation').slice(2).map((l) => [cells(l)[0], cells(l)]));
  const sel = new Map(block('lm-diag-selection').slice(2).map((l) => [cells(l)[0], cells(l)]));
  const layers = new Map(block('lm-diag-layers').slice(2).map((l) => [cells(l)[0], cells(l)]));
  const t64 = trunc.get('64')!;
  assert.ok(prose('lm-diag-truncation-reading').includes(`the loss goes from ${t64[2]} to ${t64[4]} at N = 64`));
  const s = prose('lm-diag-selection-reading');
  const ch = (label: string) => sel.get(label)![3];
  assert.ok(s.includes(`costs ${ch('most recent 64, every layer')} in every layer and ${ch('most recent 64, layers ≥ 1')} with layer 0 exempt, against ${t64[2]} for`));
  assert.ok(s.includes(`(${ch('cascade, tokenKeep 0.25')} vs ${ch('most recent, same counts (tokenKeep 0.25)')} at 4×, ${ch('cascade, tokenKeep 0.125')} vs ${ch('most recent, same counts (tokenKeep 0.125)')} at 8×)`));
  const llm = /the official SpAtten-LLM cache \(`llm`, which always keeps the 32 most recent tokens\) ([+−][\d.]+%)/.exec(prose('nn-policy-char-reading'));
  assert.ok(llm && s.includes(`(\`tokenPolicy llm\`, ${llm[1]} at budget 64)`), 'the LLM cache at 4× as the nn-policy-char sentence quotes it');
  assert.ok(prose('lm-diag-layers-reading').includes(`the whole 4× cost (${ch('cascade, tokenKeep 0.25')}) is layer 1 keeping 96 (${layers.get('96 in layers 1–3')![3]} alone)`));
  assert.ok(prose('lm-diag-spread-reading').endsWith(`(192 kept: ${layers.get('192 in layers 1–3')![3]}).`));
  // outside the blocks, "Training on the 4× regime" quotes the 8-character row (the fresh figure to the whole percent)
  const t8 = trunc.get('8')!;
  assert.ok(README.replace(/\s+/g, ' ').includes(`cost ${t8[4]} where a fresh 8-character context costs +${Math.round(num(t8[2]))}%`), 'the 8-character truncation figures quoted before "Position information"');
});

test('every block and every passage quoting them, re-rendered from the saved diagnostics (scripts/readme-data/lm-diag.json), is the README\'s', async () => {
  const d = diagnostics(LM_DIAG_FILE);
  const llm = await fromSaved(llmAt4);
  for (const [name, lines] of lmDiagBlocks(d, llm)) assert.deepEqual(block(name), lines, `${name}: npm run readme:lm-diag -- --from scripts/readme-data/lm-diag.json rewrites it`);
  assert.equal(applyQuotes(README, quotes(d)), README, 'the passages outside the blocks quote the saved diagnostics (npm run readme:lm-diag -- --from scripts/readme-data/lm-diag.json rewrites them)');
});

test('the passages outside the blocks: each figure rewritten where it stands, a passage no longer found stops the generator', () => {
  const d = diagnostics(LM_DIAG_FILE);
  // the 8 characters at their own positions 25% worse: 1.25 × 20.258 / 4.404 = 5.75 → +475%, in both passages quoting it
  d.truncation.find((r) => r.N === 8)!.original.perplexity *= 1.25;
  const changed = applyQuotes(README, quotes(d)).replace(/\s+/g, ' ');
  const before = README.replace(/\s+/g, ' ');
  assert.ok(before.includes('cost +360% where a fresh 8-character context costs +11%') && before.includes('sotu-char: +360% vs +11% at N = 8)'));
  assert.ok(changed.includes('cost +475% where a fresh 8-character context costs +11%') && changed.includes('sotu-char: +475% vs +11% at N = 8)'));
  assert.equal(changed.length, before.length);
  // dense 1% better: every "shipped" row's dense cell and changes move (4.404 / 1.01 = 4.360; 4.748 / 4.360 → +8.9%)
  const e = diagnostics(LM_DIAG_FILE);
  e.dense.perplexity /= 1.01;
  assert.match(applyQuotes(README, quotes(e)), /\n\| 0 \(shipped\) \| 4\.360 \| 4\.748 \(\+8\.9%\) \| 4\.911 \(\+12\.6%\) \| \+12\.2% \| \+3\.8% \|\n/);
  assert.throws(() => applyQuotes(README.replace('8-character context costs', '8-character window costs'), quotes(d)), /0 passages quote the 8 characters at their own positions/);
});
