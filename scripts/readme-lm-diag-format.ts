/**
 * sim/nn/README.md's "Why 4× costs more than truncation" from the diagnostics: the four tables of
 * `node --import tsx scripts/lm-diag.ts --model sotu-char --json truncation selection layers spread`
 * (typed here as it prints them) and the sentences after each, every qualitative word of which is
 * checked against the figures (`claim`): when they stop bearing it out, the generator
 * (scripts/readme-lm-diag.ts) fails rather than print it. Pure: a diagnostics object in, lines out.
 */
import { reduction, perLayer, row, vs, wrap } from './readme-nn-format.ts';
import { claim as readmeClaim } from './readme-cycle-runs.ts';
import type { KeyRule } from '../sim/nn/generate.ts';
import { LAYER_CASES, LAYER_KEEPS, SELECTION_CASES, SELECTION_KEEPS, SELECTION_RECENT, TRUNCATION_N } from './lm-diag-cases.ts';

interface Ppl { perplexity: number; ci95: [number, number] }
export interface Pruned extends Ppl { label: string; keptPerLayer: number[] }
export interface Spread { layer: number; head: number; last8: number; last32: number; last96: number; effectiveKeys: number }
/** `scripts/lm-diag.ts --json truncation selection layers spread`: the fields the blocks read. */
export interface Diag {
  dense: Ppl & { keptPerLayer: number[] };
  truncation: { N: number; fresh: Ppl; original: Ppl }[];
  selection: Pruned[];
  layers: Pruned[];
  spread: Spread[];
}
/** sotu-char's official LLM cache at 4× (`accuracy … --set algo.tokenPolicy=llm …`; the nn-policy-char table's row) and dense. */
export interface Llm { perplexity: number; dense: number; keptPerLayer: number[] }

const SCRIPT = 'scripts/readme-lm-diag-format.ts';
const claim = (holds: boolean, what: string) => readmeClaim(holds, what, SCRIPT, 'sim/nn/README.md');

/** The N of "the loss goes from … to … at N = 64" and of "keep the last 64": a truncation length and a recency count. */
export const QUOTED_N = 64;
/** "for free": a pruned row within 0.5% of dense; a row that "costs" loses more. */
export const FREE = 0.005;
/** A "broad" head reads at least 50 keys (exp entropy); a "local" one puts ≥ 90% of its mass on the last 8 keys. */
export const BROAD_KEYS = 50;
export const LOCAL_MASS = 0.9;

const rise = (x: number, base: number) => x / base - 1;
const f3 = (x: number) => x.toFixed(3);
/** A CI as lm-diag.ts prints it: 4.51–5.32. */
const span = (c: readonly number[]) => `${c[0].toFixed(2)}–${c[1].toFixed(2)}`;
/** A change against dense: 1 decimal below 100% (+0.0%, +7.8%), none above (+297%). */
const change = (x: number, base: number) => vs(x, base, 1);
/** Kept tokens per layer: the count a fixed key rule sets (its `keep` from `fromLayer` on) whole, a measured mean with 1 decimal. */
const kept = (xs: number[], rule?: KeyRule) => perLayer(xs, (x, l) => (rule?.keep !== undefined && l >= (rule.fromLayer ?? 0) ? String(x) : x.toFixed(1)));
/** Effective keys of a layer's heads: whole when any of them reads 10 or more, else 1 decimal. */
const keys = (xs: number[]) => perLayer(xs, xs.some((x) => x >= 10) ? 0 : 1, ' / ');
const WORDS = ['no', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen'];
const word = (n: number) => WORDS[n] ?? String(n);
const cap = (s: string) => s[0].toUpperCase() + s.slice(1);
const range = (a: number, b: number) => (a === b ? `${a}` : `${a}–${b}`);

function one<T>(xs: T[], pred: (x: T) => boolean, what: string): T {
  const x = xs.find(pred);
  if (!x) throw new Error(`lm-diag: no ${what}`);
  return x;
}
/** The measured row of each of `cases`, in their order (found by label: a case not measured stops the generator). */
function casesOf(rows: Pruned[], cases: { label: string }[], part: string): Pruned[] {
  return cases.map((c) => {
    const r = rows.find((x) => x.label === c.label);
    if (!r) throw new Error(`lm-diag ${part}: no row "${c.label}" (scripts/lm-diag-cases.ts) among ${rows.map((x) => `"${x.label}"`).join(', ')}`);
    return r;
  });
}
const truncation = (d: Diag, N: number) => one(d.truncation, (r) => r.N === N, `truncation row N = ${N}`);
const selection = (d: Diag, label: string) => one(casesOf(d.selection, SELECTION_CASES, 'selection'), (r) => r.label === label, `selection row "${label}"`);
function layerRow(d: Diag, k: number, from: number): Pruned {
  const i = LAYER_KEEPS.findIndex(([a, b]) => a === k && b === from);
  if (i < 0) throw new Error(`lm-diag: no layers row of ${k} tokens in layers ≥ ${from} (scripts/lm-diag-cases.ts)`);
  return casesOf(d.layers, LAYER_CASES, 'layers')[i];
}
const cascade = (d: Diag, keep: number) => selection(d, SELECTION_CASES.find((c) => c.algo.tokenKeep === keep && !c.rule)!.label);
const recency = (d: Diag, keep: number) => selection(d, SELECTION_CASES.find((c) => c.algo.tokenKeep === keep && c.rule)!.label);
const recent = (d: Diag, k: number, from: 0 | 1) => selection(d, SELECTION_CASES.find((c) => c.rule?.keep === k && c.rule.fromLayer === from)!.label);

// ---- the tables ----

export const TRUNCATION_HEAD = ['| last N characters | fresh positions (`--context N`) | vs dense | own positions | vs dense |', '|---:|---:|---:|---:|---:|'];
export const selectionHead = (dense: number) => [`| selection (dense ${f3(dense)}) | perplexity | 95% CI | vs dense | kept tokens / layer |`, '|---|---:|---|---:|---|'];
export const LAYERS_HEAD = ['| cascade tokens kept | perplexity | 95% CI | vs dense |', '|---|---:|---|---:|'];
export const SPREAD_HEAD = ['| layer | head | attention mass on the last 8 keys | last 32 | last 96 | effective keys (exp entropy) |', '|---:|---:|---:|---:|---:|---:|'];

export function truncationLine(r: Diag['truncation'][number], dense: number): string {
  const cell = (p: Ppl) => `${f3(p.perplexity)} (${span(p.ci95)})`;
  return row([r.N, cell(r.fresh), change(r.fresh.perplexity, dense), cell(r.original), change(r.original.perplexity, dense)]);
}
/** A selection row; `rule`: its case's key rule, which sets the counts written whole. */
export const selectionLine = (r: Pruned, dense: number, rule?: KeyRule) =>
  row([r.label, f3(r.perplexity), span(r.ci95), change(r.perplexity, dense), kept(r.keptPerLayer, rule)]);
/** "24 in layer 3", "60 in layers 2–3": k tokens from layer `from` to the last. */
export const layersLabel = (k: number, from: number, layers: number) => `${k} in layer${from === layers - 1 ? '' : 's'} ${range(from, layers - 1)}`;
export const layersLine = (r: Pruned, k: number, from: number, dense: number) =>
  row([layersLabel(k, from, r.keptPerLayer.length), f3(r.perplexity), span(r.ci95), change(r.perplexity, dense)]);
/** One line per layer, its heads' figures joined by " / " (equal ones as "x ×H"). */
export function spreadLines(rows: Spread[]): string[] {
  const layers = [...new Set(rows.map((r) => r.layer))].sort((a, b) => a - b);
  return layers.map((l) => {
    const h = rows.filter((r) => r.layer === l).sort((a, b) => a.head - b.head);
    const col = (f: (r: Spread) => number) => perLayer(h.map(f), 2, ' / ');
    return row([l, h.map((r) => r.head).join(' / '), col((r) => r.last8), col((r) => r.last32), col((r) => r.last96), keys(h.map((r) => r.effectiveKeys))]);
  });
}

export const truncationTable = (d: Diag) => [...TRUNCATION_HEAD, ...TRUNCATION_N.map((N) => truncationLine(truncation(d, N), d.dense.perplexity))];
export const selectionTable = (d: Diag) => [...selectionHead(d.dense.perplexity), ...casesOf(d.selection, SELECTION_CASES, 'selection').map((r, i) => selectionLine(r, d.dense.perplexity, SELECTION_CASES[i].rule))];
export const layersTable = (d: Diag) => [...LAYERS_HEAD, ...LAYER_KEEPS.map(([k, from]) => layersLine(layerRow(d, k, from), k, from, d.dense.perplexity))];
export const spreadTable = (d: Diag) => [...SPREAD_HEAD, ...spreadLines(d.spread)];

// ---- the sentences ----

const indent = (text: string) => wrap(text, '   ', '   ');

/** After table 1: fresh against own positions at N = 64. */
export function truncationReading(d: Diag): string[] {
  const dense = d.dense.perplexity;
  claim(d.truncation.every((r) => r.original.perplexity > r.fresh.perplexity), 'truncation: own positions cost more than fresh ones at every N');
  const r = truncation(d, QUOTED_N);
  return indent(`Same characters, same softmax over the same keys: only the positions differ, and the loss goes from ${change(r.fresh.perplexity, dense)} to ${change(r.original.perplexity, dense)} at N = ${QUOTED_N}. Every window of the dense training shows a query at position p all p + 1 keys before it, and the fresh sequence is such a window; a query at position 240 with ${QUOTED_N} keys is not. So \`--context N\` is no bound on what in-place KV pruning can reach.`);
}

/** After table 2: recency in every layer / from layer 1 against `--context`, the cascade against recency, the LLM cache. */
export function selectionReading(d: Diag, llm: Llm): string[] {
  const dense = d.dense.perplexity;
  const [all, from1, fresh] = [recent(d, QUOTED_N, 0).perplexity, recent(d, QUOTED_N, 1).perplexity, truncation(d, QUOTED_N).fresh.perplexity];
  claim(all > from1 && from1 > fresh, `selection: the last ${QUOTED_N} in every layer cost more than with layer 0 exempt, and that more than --context ${QUOTED_N} (the gap is mechanical)`);
  for (const keep of SELECTION_KEEPS) claim(cascade(d, keep).perplexity < recency(d, keep).perplexity, `selection: the cascade keeps better tokens than recency at tokenKeep ${keep}`);
  const budget = Math.round(llm.keptPerLayer[0]);
  claim(budget === QUOTED_N && SELECTION_RECENT.includes(budget), `selection: the LLM cache's budget (${budget}) is the recency count quoted beside it (${QUOTED_N})`);
  claim(rise(llm.perplexity, llm.dense) < rise(all, dense) / 2, 'selection: the LLM cache\'s per-head scores recover most of what recency alone costs');
  const at = SELECTION_KEEPS.map((keep) => `${change(cascade(d, keep).perplexity, dense)} vs ${change(recency(d, keep).perplexity, dense)} at ${reduction(keep)}`).join(', ');
  return indent(`In-engine "keep the last ${QUOTED_N}" costs ${change(all, dense)} in every layer and ${change(from1, dense)} with layer 0 exempt, against ${change(fresh, dense)} for \`--context ${QUOTED_N}\`: the gap is mechanical. The cascade's cumulative mean score keeps better tokens than recency (${at}). The official LLM cache (\`tokenPolicy llm\`, ${vs(llm.perplexity, llm.dense)} at budget ${budget}) prunes layer 0 too, where recency alone costs ${change(all, dense)}; its per-head scores recover most of that, and what is left is the same mechanism (keys missing in layers 0–1, table 3), not a bad selection.`);
}

/** Layer 1's kept count at 4× and the layer-1 row of that count: what the 4× cost is made of. */
function layer1At4(d: Diag) {
  const c4 = cascade(d, SELECTION_KEEPS[0]);
  const k1 = Math.round(c4.keptPerLayer[1]);
  return { c4, k1, row: layerRow(d, k1, 1), window: `~${Math.round(d.dense.keptPerLayer[0] / 10) * 10}` };
}

/** After table 3: layers 2–3 free, layer 1 the whole 4× cost. */
export function layersReading(d: Diag): string[] {
  const dense = d.dense.perplexity;
  const rows = casesOf(d.layers, LAYER_CASES, 'layers');
  const late = LAYER_KEEPS.map(([k, from], i) => ({ k, from, r: rows[i] })).filter((x) => x.from >= 2);
  claim(late.every((x) => Math.abs(rise(x.r.perplexity, dense)) < FREE), `layers: every row pruning only layers ≥ 2 within ${100 * FREE}% of dense (free)`);
  const fewest = Math.min(...late.map((x) => x.k));
  const { c4, k1, row: r, window } = layer1At4(d);
  const [whole, one1] = [rise(c4.perplexity, dense), rise(r.perplexity, dense)];
  claim(Math.abs(one1 - whole) < 0.1 * whole, `layers: layer 1 keeping ${k1} alone within a tenth of the whole 4× cost`);
  const layers = d.dense.keptPerLayer.length;
  return indent(`Layers ${range(2, layers - 1)} can keep ${fewest} of ${window} tokens for free; the whole ${reduction(SELECTION_KEEPS[0])} cost (${change(c4.perplexity, dense)}) is layer 1 keeping ${k1} (${change(r.perplexity, dense)} alone).`);
}

/** "all of layer 0, heads 0–1 of layer 1": a set of heads by layer. */
export function describeHeads(hs: Spread[], heads: number): string {
  const layers = [...new Set(hs.map((h) => h.layer))].sort((a, b) => a - b);
  return layers.map((l) => {
    const ids = hs.filter((h) => h.layer === l).map((h) => h.head).sort((a, b) => a - b);
    if (ids.length === heads) return `all of layer ${l}`;
    const contiguous = ids.at(-1)! - ids[0] === ids.length - 1;
    const which = ids.length === 1 ? `head ${ids[0]}` : contiguous ? `heads ${ids[0]}–${ids.at(-1)}` : `heads ${ids.join(', ')}`;
    return `${which} of layer ${l}`;
  }).join(', ');
}

/** After table 4: the broad heads of layers 0–1, the local heads of the later layers. */
export function spreadReading(d: Diag): string[] {
  const heads = new Set(d.spread.map((r) => r.head)).size;
  const layers = new Set(d.spread.map((r) => r.layer)).size;
  const broad = d.spread.filter((r) => r.effectiveKeys >= BROAD_KEYS);
  const local = d.spread.filter((r) => r.last8 >= LOCAL_MASS);
  claim(broad.length > 0 && broad.every((r) => r.layer <= 1), `spread: the broad heads (≥ ${BROAD_KEYS} keys) all in layers 0–1`);
  const from = Math.min(...local.map((r) => r.layer));
  claim(local.length === heads * (layers - from) && local.every((r) => r.layer >= 2), `spread: the local heads (≥ ${LOCAL_MASS} of the mass on the last 8 keys) every head of layers 2 on, and only those`);
  claim(truncation(d, QUOTED_N).fresh.perplexity > d.dense.perplexity, `spread: the full window better than its last ${QUOTED_N} characters`);
  const ten = (x: number) => Math.round(x / 10) * 10;
  const eff = broad.map((r) => r.effectiveKeys);
  const { k1, window } = layer1At4(d);
  const most = LAYER_KEEPS.filter(([, f]) => f === 1).map(([k]) => k).sort((a, b) => b - a)[0];
  const most1 = layerRow(d, most, 1).perplexity;
  claim(rise(most1, d.dense.perplexity) >= FREE, `spread: layer 1 keeping ${most} costs (≥ ${100 * FREE}%)`);
  return indent(`${cap(word(broad.length))} heads (${describeHeads(broad, heads)}) spread their attention over ${ten(Math.min(...eff))}–${ten(Math.max(...eff))} keys — near-uniform averages of the context (a summary of the text so far); the ${word(local.length)} heads of layers ${range(from, layers - 1)} read the last 8 characters. The averages are what makes the full window better than its last ${QUOTED_N} characters; a layer-1 average over ${k1} cascade-kept keys at positions that always had ${window} is a different vector, and pruning anything in layer 1 costs (${most} kept: ${change(most1, d.dense.perplexity)}).`);
}

/** Every block of the section, in README order: [name, lines]. */
export function lmDiagBlocks(d: Diag, llm: Llm): [string, string[]][] {
  return [
    ['lm-diag-truncation', truncationTable(d)],
    ['lm-diag-truncation-reading', truncationReading(d)],
    ['lm-diag-selection', selectionTable(d)],
    ['lm-diag-selection-reading', selectionReading(d, llm)],
    ['lm-diag-layers', layersTable(d)],
    ['lm-diag-layers-reading', layersReading(d)],
    ['lm-diag-spread', spreadTable(d)],
    ['lm-diag-spread-reading', spreadReading(d)],
  ];
}

// ---- the figures quoted outside the blocks ----

/**
 * A passage outside the blocks that quotes the diagnostics: `template` is its text with `{}` for
 * each figure (any run of spaces and line breaks matching a space), `figures` what they are now.
 */
export interface Quote { what: string; template: string; figures: string[] }

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A quote's pattern: its text, each `{}` a figure (a table cell, or a run without spaces). */
const quotePattern = (template: string) =>
  new RegExp(template.split('{}').map((part) => esc(part).replace(/ +/g, '\\s+')).join('([^|\\s](?:[^|\\n]*?[^|\\s])?)'), 'gd');

/** A whole-percent change as "Training on the 4× regime" writes it: the table's 1-decimal change rounded (+11.1% → +11%). */
const wholeChange = (x: number, base: number) => {
  const d = Math.round(Number((100 * rise(x, base)).toFixed(1)));
  return `${d < 0 ? '−' : '+'}${Math.abs(d)}%`;
};

/** The passages outside the blocks (earlier sections, other tables' "shipped" rows) that quote the shipped checkpoint's diagnostics. */
export function quotes(d: Diag): Quote[] {
  const dense = d.dense.perplexity;
  const [t8, t32, t64] = [8, 32, 64].map((N) => truncation(d, N));
  const [c4, c8] = SELECTION_KEEPS.map((k) => cascade(d, k));
  const at = (p: Ppl) => `${f3(p.perplexity)} (${change(p.perplexity, dense)})`;
  const shipped = [f3(dense), change(c4.perplexity, dense), change(c8.perplexity, dense), change(t8.fresh.perplexity, dense)];
  return [
    { what: 'the 8 characters at their own positions against fresh ones ("Training on the 4× regime")', template: 'cost {} where a fresh 8-character context costs {}: the', figures: [change(t8.original.perplexity, dense), wholeChange(t8.fresh.perplexity, dense)] },
    { what: 'the same, beside the ALiBi premise ("Position information")', template: 'sotu-char: {} vs {} at N = 8)', figures: [change(t8.original.perplexity, dense), wholeChange(t8.fresh.perplexity, dense)] },
    { what: 'the shipped row of the first second-phase table', template: '\n| shipped | {} | {} | {} | {} |\n', figures: shipped },
    { what: 'the shipped row of the 4×-aimed second-phase table', template: '\n| 0 (shipped) | {} | {} | {} | {} | {} |\n', figures: [f3(dense), at(c4), at(c8), change(t8.fresh.perplexity, dense), change(t64.fresh.perplexity, dense)] },
    { what: 'the shipped row of the four second phases\' table', template: '\n| shipped | 0 | {} | {} | {} | {} |\n', figures: shipped },
    { what: '"Why 4× stays above 3%": the last 64 and 32 characters', template: 'the last 64 characters (4× of 256) give {} and the last 32 {} (', figures: [change(t64.fresh.perplexity, dense), change(t32.fresh.perplexity, dense)] },
    { what: '"Why 4× stays above 3%": the cascade at 4×', template: 'the cascade at 4× keeps {} tokens in layers 1–3 ({});', figures: [c4.keptPerLayer.slice(1).map((x) => Math.round(x)).join(' / '), change(c4.perplexity, dense)] },
  ];
}

/** `text` with each quote's figures replaced by what they are now (its wording and line breaks kept); a quote found other than once stops. */
export function applyQuotes(text: string, qs: Quote[], script = `${SCRIPT} \`quotes\``): string {
  for (const q of qs) {
    const found = [...text.matchAll(quotePattern(q.template))];
    if (found.length !== 1) throw new Error(`sim/nn/README.md: ${found.length} passages quote ${q.what} ("${q.template.trim()}", ${script}): expected one`);
    const m = found[0];
    for (let g = m.length - 1; g >= 1; g--) {
      const [a, b] = m.indices![g]!;
      text = text.slice(0, a) + q.figures[g - 1] + text.slice(b);
    }
  }
  return text;
}
