/**
 * sim/nn/README.md's Results tables and the sentences quoting them are generated (`npm run
 * readme:nn`, scripts/readme-nn.ts) from 128 `accuracy` runs (about 5.5 CPU-minutes): too many
 * to repeat here. The generator saves the figures of every run it made
 * (scripts/readme-data/nn-runs.json), and this test re-renders every block from them, byte for byte
 * (no model run: a figure edited in one row of a table, or a sentence's word, differs from what its
 * saved run renders). It reruns a subset (`CHECKED`, about 52 CPU-seconds) against the model: at
 * least one row of every row-per-run table, columns 8 and full of sotu-char-alibi's `--context`
 * table and column 8 of the other LMs', the 4× point of the Fig. 21 token sweep, and the whole
 * nn-spam-frontfrac and nn-sotu-gpt-defaults sentences; those rows equal the re-rendered ones, so
 * the saved runs are the model's there. The tables and sentences are also checked against each
 * other: every CI holds its figure, every "vs dense" cell is its perplexity against the table's
 * dense row, the Fig. 21 tables' points shared with the other tables are equal, the `--context`
 * rows lm-diag's truncation table shares (`npm run readme:lm-diag`) are equal, and every figure and
 * qualitative word ("met", "not met") of a sentence is the table cell it quotes. The figures of
 * shipped checkpoints quoted outside the blocks (scripts/readme-nn-quotes.ts) are re-rendered from
 * the same runs, the figures their words compare against are the README's typed tables' cells, and
 * sotu-char-rope's 4× row (runs no table of the Results has) is rerun.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generatedBlock } from '../bench/readme-block.ts';
import { alibiContextColumn, NN_BLOCKS, NN_README, nnArgs, TABLES } from '../scripts/readme-nn.ts';
import { gptDefaultsBlock, spamFrontFracBlock, TARGET } from '../scripts/readme-nn-prose.ts';
import { FIG21_TOKENS, POLICY_GPT, ROPE } from '../scripts/readme-nn-rows.ts';
import { NN_QUOTES, NN_QUOTES_SCRIPT, nnQuotes, TYPED } from '../scripts/readme-nn-quotes.ts';
import { applyQuotes } from '../scripts/readme-lm-diag-format.ts';
import { vs } from '../scripts/readme-nn-format.ts';
import { llmCache } from '../scripts/readme-nn-policy.ts';
import { accuracy, context, fromSaved, NN_RUNS_FILE, value, type Priced } from '../scripts/readme-nn-runs.ts';
import { PAPER_FIG21 } from '../sim/paper.ts';

const README = readFileSync(NN_README, 'utf8');

function block(name: string): string[] {
  const lines = generatedBlock(README, name);
  assert.ok(lines, `sim/nn/README.md has no block ${name}`);
  return lines;
}
const cells = (line: string) => line.replace(/^\| | \|$/g, '').split(' | ');
const rows = (name: string) => block(name).slice(2).map(cells);
const text = (name: string) => block(name).join(' ');
const num = (s: string) => Number(s.replace('−', '-').replace(/[+%×]/g, ''));
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Rows rerun here, by table: spam-bert's 500-email dense row and its layer-0-pruned row, the 4× rows, the 8× row of sotu-char-alibi. */
const CHECKED: Record<string, number[]> = { 'nn-spam-bert': [1, 6], 'nn-sotu-gpt': [2], 'nn-sotu-char': [7], 'nn-alibi': [4, 7], 'nn-policy-gpt': [5], 'nn-policy-char': [] };
/** Columns of the --context table rerun here (the targets sentence quotes the last 8 against full). */
const CONTEXT_CHECKED = [8, 'full'] as const;
/** The Fig. 21 token sweep's point rerun here: the paper's 4× (tokenKeep 0.249). */
const FIG21_CHECKED = 3;

test('the generator\'s arguments: every block named, with or without --from FILE, wherever --from stands', () => {
  assert.deepEqual(nnArgs(['nn-alibi']), { only: ['nn-alibi'] });
  assert.deepEqual(nnArgs(['nn-alibi', 'nn-sotu-char']), { only: ['nn-alibi', 'nn-sotu-char'] });
  assert.deepEqual(nnArgs(['nn-alibi', '--from', 'f.json', 'nn-sotu-char']), { only: ['nn-alibi', 'nn-sotu-char'], from: 'f.json' });
  assert.deepEqual(nnArgs(['--from', 'f.json']), { only: [], from: 'f.json' });
  assert.throws(() => nnArgs(['nn-alibi', '--from']), /--from: expected a file/);
});

test('every generated block of sim/nn/README.md is there, each table with its heading and one line per row', () => {
  for (const [name] of NN_BLOCKS) block(name);
  for (const t of TABLES) {
    const b = block(t.name);
    assert.deepEqual(b.slice(0, 2), t.head, t.name);
    assert.equal(b.length, t.head.length + t.rows.length, `${t.name}: ${t.rows.length} rows`);
  }
});

/** Every block rendered from the saved runs `file` (scripts/readme-nn-runs.ts `fromSaved`). */
const renderSaved = (file = NN_RUNS_FILE) => fromSaved(async () => {
  const out: [string, string[]][] = [];
  for (const [name, build] of NN_BLOCKS) out.push([name, await build()]);
  return out;
}, file);

test('every block re-rendered from the saved runs (scripts/readme-data/nn-runs.json) is the README\'s, byte for byte', async () => {
  for (const [name, lines] of await renderSaved()) assert.deepEqual(block(name), lines, `${name}: npm run readme:nn -- --from scripts/readme-data/nn-runs.json rewrites it`);
});

test('the re-rendered blocks are the saved runs\': one run\'s perplexity 0.001 higher changes its row and nothing in the tables else', async () => {
  const key = 'accuracy --model sotu-char-alibi --set algo.tokenKeep=0.5 --json';
  const runs = JSON.parse(readFileSync(NN_RUNS_FILE, 'utf8')) as Record<string, { perplexity: number }>;
  const p = runs[key].perplexity;
  runs[key].perplexity = p + 0.001;
  const dir = mkdtempSync(path.join(tmpdir(), 'readme-nn-test-'));
  try {
    const file = path.join(dir, 'runs.json');
    writeFileSync(file, JSON.stringify(runs));
    const changed = new Map(await renderSaved(file));
    const row = rows('nn-alibi').findIndex((c) => c[0] === '0.5 (2×)');
    const alibi = changed.get('nn-alibi')!;
    assert.equal(cells(alibi[2 + row])[2], (p + 0.001).toFixed(3));
    assert.deepEqual([...alibi.slice(0, 2 + row), ...alibi.slice(3 + row)], [...block('nn-alibi').slice(0, 2 + row), ...block('nn-alibi').slice(3 + row)]);
    for (const t of TABLES.filter((x) => x.name !== 'nn-alibi')) assert.deepEqual(changed.get(t.name), block(t.name), t.name);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

for (const t of TABLES.filter((x) => CHECKED[x.name].length > 0)) {
  test(`${t.name}: rows ${CHECKED[t.name].join(', ')} are what their accuracy runs print now (npm run readme:nn regenerates them)`, async () => {
    const b = block(t.name);
    for (const i of CHECKED[t.name]) assert.equal(b[t.head.length + i], await t.rows[i]());
  });
}

test(`nn-alibi-context: columns ${CONTEXT_CHECKED.join(', ')} are what their --context runs print now`, async () => {
  const [head, , p, change] = block('nn-alibi-context').map(cells);
  for (const N of CONTEXT_CHECKED) {
    const i = head.indexOf(String(N));
    assert.deepEqual([p[i], change[i]], await alibiContextColumn(N), `--context ${N}`);
  }
});

test('the LMs\' --context tables: column 8 of each is what its --context run prints now', async () => {
  for (const [name, model, d, ciD] of [['nn-sotu-gpt-context', 'sotu-gpt', 2, 1], ['nn-sotu-char-context', 'sotu-char', 3, 2]] as const) {
    const [head, , p, ci] = block(name).map(cells);
    const i = head.indexOf('8');
    const c = await context({ model, context: 8 });
    assert.deepEqual([p[i], ci[i]], [c.perplexity.toFixed(d), `${c.ci95[0].toFixed(ciD)}–${c.ci95[1].toFixed(ciD)}`], `${model} --context 8`);
  }
});

test('the --context tables: every CI holds its figure, sotu-char\'s vs-full row is its perplexities\', and lm-diag\'s fresh-position rows are its cells', () => {
  for (const name of ['nn-sotu-gpt-context', 'nn-sotu-char-context']) {
    const [, , p, ci] = block(name).map(cells);
    for (let i = 1; i < p.length; i++) {
      const [lo, hi] = ci[i].split('–').map(Number);
      assert.ok(lo <= num(p[i]) && num(p[i]) <= hi, `${name}: ${p[i]} in ${ci[i]}`);
    }
  }
  const [head, , p, ci, change] = block('nn-sotu-char-context').map(cells);
  const full = num(p.at(-1)!);
  assert.equal(change.at(-1), '0.0%');
  for (let i = 1; i < p.length - 1; i++) assert.ok(Math.abs(num(change[i]) - 100 * (num(p[i]) / full - 1)) <= 0.05 + 100 * (0.0005 / full) * (num(p[i]) / full + 1), `vs full at ${head[i]}: ${change[i]}`);
  // the same `accuracy --context N` runs, made by npm run readme:lm-diag (scripts/readme-data/lm-diag.json)
  const shared = rows('lm-diag-truncation').filter((c) => head.includes(c[0]));
  assert.ok(shared.length >= 4, 'lm-diag-truncation: rows at the table\'s N');
  for (const c of shared) {
    const i = head.indexOf(c[0]);
    assert.deepEqual([c[1], c[2]], [`${p[i]} (${ci[i]})`, `+${change[i]}`], `--context ${c[0]}`);
  }
});

test('"Why 4× stays above 3%" quotes the --context table, the sotu-char table and the token-policy table', () => {
  const t = text('nn-char-4x');
  const [head, , , , change] = block('nn-sotu-char-context').map(cells);
  for (const N of ['64', '32']) assert.ok(t.includes(`last ${N} `) && t.includes(`+${change[head.indexOf(N)]}`), `--context ${N}`);
  const cascade = rows('nn-sotu-char').find((c) => c[0] === 'mean' && c[1] === '0.1' && c[2] === '0.25 (4×)')!;
  const kept = cascade[6].split(' ').slice(1).map((x) => Math.round(Number(x))).join(' / ');
  assert.ok(t.includes(`keeps ${kept} tokens in layers 1–3 (${cascade[5]})`), `the cascade at 4×: ${kept}, ${cascade[5]}`);
  const policy = rows('nn-policy-char');
  const dense = num(policy[0][1]);
  const llm = (k: string) => policy.find((c) => c[0] === `tokenPolicy=llm recentTokens=32 startTokens=4 tokenKeep=${k}`)!;
  const [l4, l8] = [llm('0.25'), llm('0.125')];
  const rise = (c: string[]) => 100 * (num(c[1]) / dense - 1);
  const m = /all layers\) \+([\d.]+)% \(8× with (\d+) per layer: ([\d.]+), \+([\d.]+)%\)/.exec(t);
  assert.ok(m, 'the llm sentence');
  assert.ok(Math.abs(Number(m[1]) - rise(l4)) < 0.1 && Math.abs(Number(m[4]) - rise(l8)) < 0.1, `llm: +${m[1]}%, +${m[4]}% against the table's ${rise(l4)}, ${rise(l8)}`);
  assert.equal(m[3], num(l8[1]).toFixed(2));
  assert.equal(`${m[2]}.0 ×4`, l8[3]);
  assert.ok(t.includes(`= ${l4[3].split(' ')[0].replace('.0', '')} per layer`), 'llm 4×: its budget');
});

test('nn-fig21-tokens: the paper\'s 4× point (tokenKeep 0.249) is what its run prints now', async () => {
  const [head, , p, , , overall] = block('nn-fig21-tokens').map(cells);
  const run = FIG21_TOKENS[FIG21_CHECKED];
  assert.equal(head[FIG21_CHECKED + 1], String(run.set!.tokenKeep));
  const j = await accuracy(run);
  assert.deepEqual([p[FIG21_CHECKED + 1], overall[FIG21_CHECKED + 1]], [value(j).toFixed(3), j.tokenKeepOverall.toFixed(3)]);
});

test('nn-spam-frontfrac: the measured keep fractions with layer 0 pruned are what the run prints now', async () => {
  assert.deepEqual(block('nn-spam-frontfrac'), await spamFrontFracBlock());
});

test('nn-sotu-gpt-defaults: sotu-gpt\'s pruned rows at today\'s defaults are what their six runs print now', async () => {
  assert.deepEqual(block('nn-sotu-gpt-defaults'), await gptDefaultsBlock());
});

test('the Fig. 21 tables: the points shared with the other tables are equal, the paper row is sim/paper.ts\'s Fig. 21 tokens curve', () => {
  const fig = (name: string) => block(name).map(cells);
  const first = (name: string, pred: (c: string[]) => boolean) => rows(name).find(pred)!;
  const heads = fig('nn-fig21-heads');
  assert.equal(heads[2][1].replace('%', '0%'), first('nn-spam-bert', (c) => c[0] === 'dense' && c[1] === '500')[2]);
  assert.equal(heads[2].at(-1)!.replace('%', '0%'), first('nn-spam-bert', (c) => c[0] === 'headKeep 0.5')[2]);
  assert.equal(fig('nn-fig21-gpt')[2][1], first('nn-sotu-gpt', (c) => c[0].startsWith('dense'))[1]);
  const tokens = fig('nn-fig21-tokens');
  assert.equal(tokens[2][1], rows('nn-sotu-char')[0][3]);
  const paper = PAPER_FIG21.find((c) => c.kind === 'tokens')!.points.map(([, y]) => y);
  assert.deepEqual(tokens[4].slice(1).map((c) => (c === '0' ? 0 : num(c))), paper);
  // the vs-dense row from the perplexities (3 decimals each, the change printed to 0.1%)
  for (let i = 2; i < tokens[2].length; i++) {
    const d = 100 * (num(tokens[2][i]) / num(tokens[2][1]) - 1);
    assert.ok(Math.abs(num(tokens[3][i]) - d) <= 0.05 + 0.03, `vs dense at tokenKeep ${tokens[0][i]}: ${tokens[3][i]}, computed ${d}`);
  }
  // "What the ratios count" quotes the kept fractions over all layers at the paper's 4× and 8.3× and spam-bert's at 2× and 1.05×
  const kept = (k: string) => tokens[5][tokens[0].indexOf(k)];
  const prose = README.replace(/\s+/g, ' ');
  assert.ok(prose.includes(`sotu-char keeps ${kept('0.249')} of its KV tokens at the paper's 4× (${(1 / num(kept('0.249'))).toFixed(2)}× fewer) and ${kept('0.12')} at 8.3× (${(1 / num(kept('0.12'))).toFixed(2)}×)`), 'sotu-char\'s kept fractions');
  assert.ok(prose.includes(`spam-bert keeps ${heads[3].at(-1)} of its heads at 2×`) && heads[3][2] === '1', 'spam-bert\'s kept heads');
  // the sentence after them rounds that row at the paper's 2.6×, 4× and 8.3×
  const at = (k: string) => Math.round(num(tokens[3][tokens[0].indexOf(k)]));
  assert.match(text('nn-fig21-curve'), new RegExp(esc(`+${at('0.386')}% at 2.6×, +${at('0.249')}% at 4×, +${at('0.12')}% at 8.3×`)));
});

test('every CI holds its figure, and every "vs dense" cell is its perplexity against the dense row (to the cells\' rounding)', () => {
  for (const [name, value, lo, change] of [['nn-spam-bert', 2, 3, -1], ['nn-sotu-gpt', 1, 2, -1], ['nn-sotu-char', 3, 4, 5], ['nn-alibi', 2, 3, 4], ['nn-policy-gpt', 1, 2, -1], ['nn-policy-char', 1, 2, -1]] as const) {
    const r = rows(name);
    for (const c of r) {
      const [a, b] = c[lo].split(' – ').map(Number);
      assert.ok(a <= num(c[value]) && num(c[value]) <= b, `${name}: ${c.join(' | ')}`);
    }
    if (change < 0) continue;
    const dense = num(r[0][value]);
    assert.equal(r[0][change], '–');
    for (const c of r.slice(1)) {
      // the cells' rounding: ±0.0005 on each 3-decimal perplexity, half a unit of the change's last printed digit
      const d = 100 * (num(c[value]) / dense - 1);
      const digits = c[change].split('.')[1]?.replace('%', '').length ?? 0;
      const slack = 100 * (0.0005 / num(c[value]) + 0.0005 / dense) * (1 + d / 100) + 0.5 * 10 ** -digits;
      assert.ok(Math.abs(num(c[change]) - d) <= slack, `${name}: ${c.join(' | ')} (computed ${d})`);
    }
  }
});

test('the sentences quote the tables\' cells, and their "met" / "not met" follow from them', () => {
  const by = (name: string, pred: (c: string[]) => boolean) => rows(name).find(pred)!;
  const word = (holds: boolean) => (holds ? 'met' : 'not met');
  // sotu-char: 4× and 8× at the 10% floor, mean score
  const char = (k: string) => by('nn-sotu-char', (c) => c[0] === 'mean' && c[1] === '0.1' && c[2].startsWith(`${k} `))[5];
  const [c4, c8] = [char('0.25'), char('0.125')];
  assert.match(text('nn-sotu-char-targets'), new RegExp(esc(`4× ${c4} (${word(num(c4) <= 100 * TARGET.at4)}), 8× ${c8} (${word(num(c8) >= 100 * TARGET.at8)})`)));
  // sotu-char-alibi: 4× and 8×, and the last 8 characters from the --context table
  const alibi = (k: string) => by('nn-alibi', (c) => c[0].startsWith(`${k} `) && c[1] === '0.1')[4];
  const [a4, a8] = [alibi('0.25'), alibi('0.125')];
  const ctx = block('nn-alibi-context').map(cells);
  const last8 = ctx[3][ctx[0].indexOf('8')];
  const t = text('nn-alibi-targets');
  assert.match(t, new RegExp(esc(`4× ${a4} (${word(num(a4) <= 100 * TARGET.at4)})`)));
  assert.match(t, new RegExp(esc(`8× ${a8} (${word(num(a8) >= 100 * TARGET.at8)}`)));
  assert.match(t, new RegExp(esc(`last 8 ${last8} (${word(num(last8) >= 100 * TARGET.last8)}`)));
  // "flat" at the 10% floor: every such row within 1% of dense
  assert.ok(rows('nn-alibi').filter((c) => c[1] === '0.1').slice(1).every((c) => num(c[4]) < 1));
  // sotu-gpt: 4× and 8× under the sum and 1% floor, from the table's perplexities (2 decimals)
  const gpt = rows('nn-sotu-gpt');
  const p = (label: string) => num(gpt.find((c) => c[0] === label)![1]);
  const shape = /loses ([+−][\d.]+%) at 4× \(tokenKeep 0\.25\) and ([+−][\d.]+%) at 8×/.exec(text('nn-sotu-gpt-shape'));
  assert.ok(shape, 'the sotu-gpt shape sentence');
  for (const [quoted, label] of [[shape[1], 'tokenKeep 0.25'], [shape[2], 'tokenKeep 0.125']]) {
    assert.ok(Math.abs(num(quoted) - 100 * (p(label) / p('dense (12-bit K/Q/V)') - 1)) < 0.03, `${quoted} vs the table's ${label}`);
  }
});

test('the token-policy tables: the llm rows equal across the models in keys and hardware cost, llm 1 is dense, and the sentences quote their cells', () => {
  const gpt = rows('nn-policy-gpt');
  const char = rows('nn-policy-char');
  const hw = (c: string[]) => c.slice(3);
  // llm 1 never prunes: the dense row in every cell; the dense rows' keys and cost equal across the models
  assert.deepEqual(gpt[3].slice(1), gpt[0].slice(1));
  assert.deepEqual(hw(char[0]), hw(gpt[0]));
  // the llm budget alone sets each head's keys and top-k, whatever the model's scores
  for (const k of ['0.25', '0.125']) {
    const g = gpt.find((c) => c[0].startsWith(`llm ${k} `))!;
    const c = char.find((x) => x[0] === `tokenPolicy=llm recentTokens=32 startTokens=4 tokenKeep=${k}`)!;
    assert.deepEqual(hw(c), hw(g), `llm ${k}`);
    assert.equal(g[3], `${/budget (\d+)/.exec(g[0])![1]}.0 ×4`, `llm ${k}: every layer keeps its budget`);
  }
  // "a vs b … analytical, c vs d cycle": each quoted M cycles is its kcycles cell (the cell rounded to 1 000 cycles, the sentence to 10 000)
  const kc = (cell: string) => num(cell.replace(/ /g, '')) / 1e3;
  const quotesCycles = (t: string, re: RegExp, cells: string[], what: string) => {
    const m = re.exec(t);
    assert.ok(m, what);
    m.slice(1).forEach((q, i) => assert.ok(Math.abs(Number(q) - kc(cells[i])) <= 0.005 + 0.0005, `${what}: ${q} M vs ${cells[i]} kcycles`));
  };
  const VS = (unit: string) => new RegExp(`\\(([\\d.]+) M vs ([\\d.]+) M${unit} analytical, ([\\d.]+) M vs ([\\d.]+) M cycle\\)`, 'g');
  const [dense, c4, , , l4, l8] = gpt;
  const reading = text('nn-policy-gpt-reading');
  assert.ok(reading.includes(`(\`llm\` 0.125, ${l8[1]})`) && reading.includes(`dense model (${dense[1]})`) && reading.includes(`\`llm\` 0.25 (${l4[1]}, `) && reading.includes(`scores (${c4[1]};`));
  quotesCycles(reading, VS(' cycles'), [l4[4], c4[4], l4[7], c4[7]], 'llm against the cascade at 0.25');
  quotesCycles(reading, VS(''), [l4[4], dense[4], l4[7], dense[7]], 'llm against dense');
  const m4 = char[1];
  const l4c = char.find((c) => c[0] === 'tokenPolicy=llm recentTokens=32 startTokens=4 tokenKeep=0.25')!;
  const prose = text('nn-policy-char-reading');
  assert.ok(prose.includes(`(${Math.round(num(l4c[5]))} MB vs ${Math.round(num(m4[5]))} MB; energy ${num(l4c[6]).toFixed(1)} vs ${num(m4[6]).toFixed(1)} mJ)`), 'sotu-char: DRAM and energy at 4×');
  quotesCycles(prose, VS(' cycles'), [l4c[4], m4[4], l4c[7], m4[7]], 'sotu-char: cycles at 4×');
});

test('the llm cache the token-policy reading quotes: budget, keys sorted and keys ranked from the run\'s settings, and a run that kept other counts stops it', () => {
  const kept = (k: number[]) => ({ j: { meanKeptTokensPerLayer: k } }) as unknown as Priced;
  // sotu-gpt's windows: 224 prompt + 32 generated = 256 tokens; 0.25 of them = 64 keys a head; of 64 cached, 4 first and 31 recent are kept
  // without ranking: 64 − 4 − 31 = 29 ranked, of which 64 − 4 − 32 = 28 kept (the incoming token is the 32nd recent one)
  assert.deepEqual(llmCache(POLICY_GPT[4][1], kept([64, 64, 64, 64])), { budget: 64, ranked: 29, topk: 28 });
  // 0.125 asks for 32 keys, below the protected 4 + 32: the budget is 36 and nothing is ranked beyond the slices
  assert.deepEqual(llmCache(POLICY_GPT[5][1], kept([36, 36, 36, 36])), { budget: 36, ranked: 1, topk: 0 });
  assert.throws(() => llmCache(POLICY_GPT[4][1], kept([64, 64, 64.1, 64])), /keeps its budget 64 in every layer/);
});

// ---- the figures of shipped checkpoints quoted outside the blocks (scripts/readme-nn-quotes.ts) ----

test('the passages outside the blocks quote the saved runs: re-rendered from scripts/readme-data/nn-runs.json they are the README\'s, and each is found once', async () => {
  const qs = await fromSaved(() => nnQuotes());
  assert.equal(qs.length, NN_QUOTES.length);
  assert.equal(applyQuotes(README, qs, NN_QUOTES_SCRIPT), README, 'npm run readme:nn -- --from scripts/readme-data/nn-runs.json rewrites them');
  // a passage whose words changed is no longer found: the generator stops rather than write elsewhere
  assert.throws(() => applyQuotes(README.replace('the best of the three, and KV', 'the best of all, and KV'), qs, NN_QUOTES_SCRIPT), /0 passages quote sotu-char-rope's dense perplexity/);
});

test('a quoted figure is its run\'s: sotu-char-rope\'s dense perplexity 0.001 higher changes its quotes, and no longer the best of the three stops them', async () => {
  const runs = JSON.parse(readFileSync(NN_RUNS_FILE, 'utf8')) as Record<string, { perplexity: number }>;
  const key = 'accuracy --model sotu-char-rope --json';
  const dir = mkdtempSync(path.join(tmpdir(), 'readme-nn-quotes-'));
  try {
    const file = path.join(dir, 'runs.json');
    writeFileSync(file, JSON.stringify({ ...runs, [key]: { ...runs[key], perplexity: runs[key].perplexity + 0.001 } }));
    const qs = await fromSaved(() => nnQuotes(['nn-quote-rope-dense', 'nn-quote-rope-rows']), file);
    // 3.0844 + 0.001 = 3.0854; the last 8 characters 3.1618 against it: +2.47%, written +2.5%
    assert.deepEqual(qs.map((q) => q.figures.slice(0, 1)), [['3.085'], ['3.085']]);
    writeFileSync(file, JSON.stringify({ ...runs, [key]: { ...runs[key], perplexity: 3.4 } }));
    await assert.rejects(fromSaved(() => nnQuotes(['nn-quote-rope-dense']), file), /best dense perplexity of the three/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the typed figures the quotes compare against are the README\'s tables\' cells', () => {
  const ngram = README.match(/\| perplexity per character \| ([^\n]+) \|\n/)![1].split(' | ');
  assert.deepEqual([ngram[1], ngram[2]], [TYPED.ngram2.toFixed(3), TYPED.ngram4.toFixed(3)], 'the n-gram table, k = 2 and 4');
  assert.match(README, new RegExp(`model with the shipped model's pruning curve: dense ${TYPED.cont3500FineTuned.toFixed(3)} \\(shipped`));
  assert.match(README, new RegExp(`\\n\\| 2 500 \\| ${TYPED.ropeDensePhase.toFixed(3)} \\| [^\\n]*\\n\\| 2 750 \\(fine-tuning 250\\)`), 'the RoPE table\'s last dense snapshot');
  assert.match(README, new RegExp(`the last 8 cost ${TYPED.ropeLast8[0].toFixed(1)}–${TYPED.ropeLast8[1].toFixed(1)}%`));
  // the RoPE snapshots' last-8 column spans exactly that range
  const rope = README.slice(README.indexOf('| steps | full | 4× | 8× | last 8 |'), README.indexOf('RoPE learns faster still'));
  const last8 = [...rope.matchAll(/\n\|[^|\n]+\|[^|\n]+\|[^|\n]+\|[^|\n]+\| \+([\d.]+)% \|/g)].map((m) => Number(m[1]));
  assert.equal(last8.length, 12);
  assert.deepEqual([Math.min(...last8), Math.max(...last8)], [...TYPED.ropeLast8]);
});

test('sotu-char-rope at 4× is what its accuracy run prints now (the RoPE rows\' runs, which no table of the Results quotes)', async () => {
  const [d, x4] = [value(await accuracy(ROPE())), value(await accuracy(ROPE(0.25)))];
  const rows = README.match(/\n\| 3 700, shipped \(`sotu-char-rope`\) \| ([^|]+) \| ([^|]+) \|/)!;
  assert.deepEqual([rows[1], rows[2]], [d.toFixed(3), vs(x4, d)]);
});
