/**
 * sim/cycle/README.md's paper-figure tables (Fig. 19a, the top-k engine's readings, Fig. 20, the
 * DRAM sensitivity of the GPT-2 figures), the sentences that quote their commands and a few more
 * (scripts/readme-cycle-prose.ts) and the "Known gaps" figures of scripts/gate-points.ts and
 * scripts/localv-summary.ts and scripts/sram-lines.ts (scripts/readme-cycle-gaps.ts) and the validation of the expected DRAM
 * cost (`scripts/dram-validate.ts --count 3000 --salts 16`, the full run, about 8 s;
 * scripts/readme-cycle-dram.ts) are generated (`npm run readme`, scripts/readme-cycle.ts) from the
 * commands they name; each must be what those commands print now (each command runs once: about
 * 35 s in all). The "Analytical vs cycle" table (block xval) is
 * checked by test/cycle-xval.test.ts, which computes its runs anyway.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CYCLE_BLOCKS, CYCLE_README } from '../scripts/readme-cycle.ts';
import { generatedBlock } from '../bench/readme-block.ts';
import { DRAM_VALIDATE_ARGS } from '../scripts/readme-cycle-dram.ts';
import { PADDED_BENCHMARK, PADDED_MULTIPLIERS } from '../scripts/sram-lines.ts';
import { benchmark } from '../sim/workload/benchmarks.ts';
import { buildWorkload } from '../sim/workload/build.ts';
import { AlgoSchema, WorkloadSchema } from '../sim/schema.ts';
import type { HeadRequest } from '../sim/workload/types.ts';

const README = readFileSync(CYCLE_README, 'utf8');

/** The lines between block `name`'s markers. */
function block(name: string): string[] {
  const lines = generatedBlock(README, name);
  assert.ok(lines, `sim/cycle/README.md has no block ${name}`);
  return lines;
}

for (const [name, build] of CYCLE_BLOCKS) {
  test(`sim/cycle/README.md: the ${name} block is what its commands print now (npm run readme regenerates it)`, () => {
    assert.deepEqual(block(name), build());
  });
}

test('the Fig. 19a table carries the paper\'s bars (spec Fig. 19a: 168 … 776 GOP/s) and both models at 16 comparators as the reference', () => {
  const [, , paper, cycle, analytical] = block('fig19a');
  assert.equal(paper, '| paper GOP/s (relative) | 168 (0.217) | 299 (0.385) | 485 (0.625) | 653 (0.841) | 776 (1) | 771 (0.993) |');
  for (const r of [cycle, analytical]) assert.match(r.split(' | ')[5], /^\*\*\d+\*\* \(1\)$/);
});

test('the Fig. 20 table\'s combined rows are the products of their steps, and the paper column is §5.5\'s 1.1 / 1.1 / 3 / 1.6 / 1.7 / 3.4 / 2.8×', () => {
  const rows = block('fig20').slice(2).map((l) => l.split(' | ').map((c) => c.replace(/^\| |×| \|$/g, '')));
  assert.deepEqual(rows.map((r) => r[1]), ['1.1', '1.1', '3', '1.6', '1.7', '3.4', '2.8']);
  for (const col of [2, 3, 4]) {
    const x = rows.map((r) => Number(r[col]));
    // two-decimal steps, so the product of three of them is within ±0.5% of the printed combined figure
    assert.ok(Math.abs(x[0] * x[1] * x[2] / x[5] - 1) < 0.01, `pruning product, column ${col}`);
    assert.ok(Math.abs(x[3] * x[4] / x[6] - 1) < 0.01, `quantization product, column ${col}`);
  }
});

test('the generated sentences quote the tables\' figures: the Fig. 19a bold cells, the readings table\'s busy cycles, the DRAM table\'s Table I row', () => {
  const text = (name: string) => block(name).join(' ').replace(/\s+/g, ' ');
  const bold = block('fig19a').slice(3).map((l) => /\*\*(\d+)\*\*/.exec(l)![1]);
  assert.match(text('fig19a-at16'), new RegExp(`in both models \\(${bold[0]} / ${bold[1]} GOP/s`));
  const cells = (l: string) => l.split(' | ');
  const byReading = (start: string) => cells(block('topk-readings').find((l) => l.startsWith(`| ${start}`))!).at(-1)!;
  const [topk, dram] = /^([\d,]+) \/ ([\d,]+), top-k/.exec(byReading('turn-around 3, first round on arrival'))!.slice(1);
  assert.match(text('topk-busy'), new RegExp(`busy ${topk} cycles against the DRAM's ${dram} `));
  // the share of the 3-cycle turn-arounds, from the table's default and turn-around-0 rows
  const none = /^([\d,]+) \//.exec(byReading('turn-around 0'))![1];
  const num = (x: string) => Number(x.replace(/,/g, ''));
  const share = Math.round(100 * (1 - num(none) / num(topk)));
  assert.match(text('turnaround-share'), new RegExp(`turn-arounds are ${share}% of the local-V engine's ${topk} busy cycles`));
  const table1 = cells(block('dram-sensitivity')[2]);
  assert.match(text('dram-met'), new RegExp(`binds per8 at ${table1[3].replace(' |', '')} on Table I`));
  assert.match(text('suite-tflops'), new RegExp(`per8 alone runs at ${bold[0]} / ${bold[1]} GOP/s`));
});

test('the DRAM validation block is the documented command\'s output and adds up: shapes without an exact occupancy left out of cycles/byte only, the slot bands partition the sparse shapes, quantiles in order; the paragraph quotes the ≥ 16-slot band', () => {
  const lines = block('dram-validate');
  const text = lines.join(' ').replace(/\s+/g, ' ');
  assert.ok(text.includes(`\`node --import tsx scripts/dram-validate.ts ${DRAM_VALIDATE_ARGS.join(' ')}\``), 'the block names the command it runs');
  const arg = (k: string) => DRAM_VALIDATE_ARGS[DRAM_VALIDATE_ARGS.indexOf(k) + 1];
  assert.ok(lines.includes(`closed form vs mean of ${arg('--salts')} exact placements, ${arg('--count')} random shapes (seed 1)`), 'the header names the run');
  const rows = lines.filter((l) => /^\| [^-]/.test(l) && !/^\| (gathers|sparse, row-chunk) /.test(l)).map((l) => l.slice(2, -2).split(' | '));
  const pcts = (r: string[]) => r.filter((c) => c.endsWith(' %')).map((c) => Number(c.slice(0, -2)));
  const get = (k: string, m: string) => rows.find((r) => r[0] === k && r[1] === m)!;
  const shapes = (k: string, m: string) => Number(get(k, m)[2]);
  const zero = /dense (\d+) \(model 0 in (\d+)\), sparse (\d+) \(model 0 in (\d+)\)/.exec(text)!.slice(1).map(Number);
  assert.equal(shapes('dense', 'cycles/byte') + zero[0], shapes('dense', 'activations/byte'));
  assert.equal(shapes('sparse', 'cycles/byte') + zero[2], shapes('sparse', 'activations/byte'));
  const one = 'sparse, one exact placement (salt 0) instead';
  for (const m of ['cycles/byte', 'activations/byte']) assert.equal(shapes(one, m), shapes('sparse', m), m);
  const bands = rows.filter((r) => /^\d+–/.test(r[0]));
  assert.deepEqual(bands.map((r) => r[0]), ['1–3', '4–15', '16–']);
  assert.equal(bands.reduce((a, r) => a + Number(r[1]), 0), shapes('sparse', 'cycles/byte'), 'the bands partition the sparse shapes');
  assert.equal(Math.max(...bands.map((r) => pcts(r)[3])), pcts(get('sparse', 'cycles/byte'))[3], 'the largest band maximum is the sparse maximum');
  for (const r of rows) {
    const q = pcts(r).slice(0, 4); // median, p90, p99, max
    assert.ok(q.every((x, i) => i === 0 || x >= q[i - 1]), `quantiles in order: ${r.join(' | ')}`);
  }
  // the paragraph rounds: one decimal below 1 %, whole above
  const round = (x: number) => (x < 1 ? x.toFixed(1) : x.toFixed(0));
  const [few, mid, many] = bands.map(pcts);
  const prose = block('dram-validate-prose').join(' ').replace(/\s+/g, ' ');
  assert.match(prose, new RegExp(`p99 ${round(few[2])} % with 1–3 row-chunk slots per channel, ${round(mid[2])} % with 4–15`));
  assert.match(prose, new RegExp(`\\(p99 ${round(many[2])} % even with ≥ 16 row-chunk slots per channel; median ${round(many[0])} %, p90 ${round(many[1])} % there\\)`));
});

test('the DRAM-assumption table adds up: GB/s = the dense trace\'s bytes over its cycles at 1 GHz in both columns, the sentence\'s loss is the default column\'s GB/s against Table I\'s 512, and the PC-interleaved GB/s it quotes is the table\'s', () => {
  const lines = block('dram-assumptions');
  const cells = /^\| per8-step1 \(dense, DRAM-bound\), cycles \| ([\d,]+) \((\d+) GB\/s\) \| ([\d,]+) \((\d+) GB\/s\) \|$/.exec(lines[2]);
  assert.ok(cells, lines[2]);
  const [pcCycles, pcGBps, rtlCycles, rtlGBps] = cells.slice(1).map((x) => Number(x.replace(/,/g, '')));
  // the same trace moves the same bytes under either set-up, so GB/s × cycles is one constant (±0.5 GB/s rounding)
  const bytes = rtlGBps * rtlCycles;
  assert.ok(Math.abs(pcGBps * pcCycles / bytes - 1) < 0.5 / Math.min(pcGBps, rtlGBps), 'both columns carry one byte count');
  const text = lines.slice(3).join(' ').replace(/\s+/g, ' ');
  assert.match(text, new RegExp(`loses ${Math.round(100 * (1 - rtlGBps / 512))}% of the peak`));
  assert.match(text, new RegExp(`The PC-interleaved set-up \\(${pcGBps} GB/s dense\\)`));
});

test('the L → L+1 sentence (scripts/gather-jitter.ts): p90 ≤ p99, and its shapes are among the validation\'s sparse ones', () => {
  const text = block('gather-jitter').join(' ').replace(/\s+/g, ' ');
  const m = /by (\d+) % or more in one shape in ten and by (\d+) % at p99, (\d+) % even with ≥ 16 row-chunk slots per channel .* on the ([\d,]+) sparse shapes/.exec(text);
  assert.ok(m, text);
  const [p90, p99] = [Number(m[1]), Number(m[2])];
  assert.ok(p90 <= p99, 'p90 ≤ p99');
  const sparseRows = block('dram-validate').filter((l) => l.startsWith('| sparse | activations/byte |'));
  assert.ok(Number(m[4].replace(/,/g, '')) <= Number(sparseRows[0].split(' | ')[2]), 'no more shapes than the validation\'s sparse ones');
});

test('the SRAM-counts bullet (scripts/sram-lines.ts) quotes BERT-CoLA\'s padding as counted by hand: each query row reads ⌈keys / (M/64)⌉ lines of M/64 keys (values likewise), each head writes its keys\' and values\' lines once, against the elements themselves', () => {
  const text = block('sram-gap').join(' ').replace(/\s+/g, ' ');
  const b = benchmark(PADDED_BENCHMARK);
  const w = buildWorkload(WorkloadSchema.parse({ model: b.model, stage: b.stage, seqLen: b.seqLen }), AlgoSchema.parse(b.algo));
  const sum = (f: (r: HeadRequest) => number) => w.requests.reduce((s, r) => s + f(r), 0);
  const pad = (n: number, per: number) => Math.ceil(n / per) * per;
  const ratios = (M: number) => {
    const per = M / 64;
    const read = sum((r) => r.queries * (pad(r.keys, per) + pad(r.valuesPerQuery, per))) / sum((r) => r.queries * (r.keys + r.valuesPerQuery));
    const written = sum((r) => pad(r.keys, per) + pad(r.valuesFetched, per)) / sum((r) => r.keys + r.valuesFetched);
    return [read, written].map((x) => x.toFixed(2));
  };
  const [read, written] = [0, 1].map((k) => PADDED_MULTIPLIERS.map((M) => ratios(M)[k]).join(' / '));
  const lines = PADDED_MULTIPLIERS.map((M) => M / 64).join(' / ');
  assert.ok(text.includes(`read ${lines}-key lines on ${PADDED_MULTIPLIERS.map((M) => M.toLocaleString('en-US')).join(' / ')} multipliers: the simulator counts ${read}× the analytical bits read (${written}× written)`), text);
  const mean = sum((r) => r.queries * r.keys) / sum((r) => r.queries);
  assert.ok(text.includes(`(L = ${b.seqLen}, ${mean.toFixed(2)} keys a row after token pruning)`), text);
});

test('the top-k gap block\'s quick-select scan per key on per8 lies between 2 n (a pivot at the k-th value every round) and Knuth\'s 2n(1 + ln 2) ≈ 3.39 n, the expectation\'s maximum over k (α = 1/2), and its ≈ figure is that scan rounded', () => {
  const text = block('topk-gap').join(' ').replace(/\s+/g, ' ');
  const m = /needs ≈ ([\d.]+) \(evidence above.* scans ([\d.]+) n elements per top-k .*; ([\d.]+) n on the/.exec(text);
  assert.ok(m, text);
  const [approx, localV, tokenHead] = m.slice(1).map(Number);
  for (const x of [localV, tokenHead]) assert.ok(x >= 2 && x <= 2 * (1 + Math.LN2), `${x} n`);
  assert.equal(approx.toFixed(1), localV.toFixed(1));
});
