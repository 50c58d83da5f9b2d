/**
 * `reproduce <figure> --json` prints one envelope for every figure (dse/reproduce/types.ts
 * FigureJson; README "Reproducing the paper"): an object with the figure's name, the hardware
 * model, the user's --set overrides only when given, the figure's main list, the paper's values
 * (on top or on every row of the list), and `why` = the "why" lines the text prints. Before,
 * fig19a, fig20 and sram printed bare arrays without workload, paper or why fields their text had.
 * The figures run in-process on the analytical model (about a second each).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { FIGURES } from '../dse/reproduce/index.ts';
import { FIG19A_P, FIG19A_PAPER, FIG19A_PAPER_GOPS } from '../dse/reproduce/fig19a.ts';
import { FIG20_WORKLOAD } from '../dse/reproduce/fig20.ts';
import { PER8, PER8_DENSE, PER8_SETTINGS } from '../dse/reproduce/common.ts';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

type Json = Record<string, unknown> & { figure: string; model: string; why?: string[] };

/** Each figure's main list, as the README's table of the envelope names it. */
const MAIN: Record<string, string> = {
  fig19a: 'configurations',
  fig20: 'configurations',
  sram: 'rows',
  headline: 'headline',
  fig14: 'benchmarks',
  fig15: 'rows',
  fig18: 'points',
  fig20gpu: 'configurations',
  table4: 'rows',
};

const runs = new Map(FIGURES.map((f) => [f.name, f.run({ fidelity: 'analytical' })]));
const json = (name: string) => runs.get(name)!.rows as Json;
/** The lines of a figure's text that start (after indentation) with "why". */
const whyLines = (text: string) => text.split('\n').filter((l) => /^\s*why\b/.test(l));

test('every figure has a main list named in the envelope table (a new figure must be added to it)', () => {
  assert.deepEqual(Object.keys(MAIN).sort(), FIGURES.map((f) => f.name).sort());
});

for (const f of FIGURES) {
  test(`reproduce ${f.name} --json: the envelope`, () => {
    const { rows, text } = runs.get(f.name)!;
    assert.ok(rows !== null && typeof rows === 'object' && !Array.isArray(rows), `${f.name}: an object, not ${Array.isArray(rows) ? 'an array' : typeof rows}`);
    const j = rows as Json;
    assert.deepEqual(Object.keys(j).slice(0, 2), ['figure', 'model'], `${f.name}: figure and model first`);
    assert.equal(j.figure, f.name);
    assert.equal(j.model, 'analytical');
    assert.equal('hw' in j, false, `${f.name}: hw only under --set`);
    const list = j[MAIN[f.name]];
    assert.ok(Array.isArray(list) && list.length > 0, `${f.name}.${MAIN[f.name]}: a non-empty list`);
    const rowsHavePaper = (list as object[]).every((r) => 'paper' in r);
    assert.ok('paper' in j || rowsHavePaper, `${f.name}: the paper's values (or "withheld") on top or on every row`);
    // why: present exactly when the text explains a gap, and each of its lines is printed
    const printed = whyLines(text);
    if (printed.length > 0) assert.ok(j.why && j.why.length >= printed.length, `${f.name}: the text has why lines, the JSON none`);
    for (const l of j.why ?? []) assert.ok(text.split('\n').includes(l), `${f.name}: why line not in the text: ${l}`);
    for (const l of printed) assert.ok(j.why!.includes(l), `${f.name}: printed why line missing from the JSON: ${l}`);
  });
}

// The README's envelope table lists the keys in this order, and the figures print them so: before,
// each figure kept its own order (fig19a: workload, paper, tolerance, configurations, why; fig20gpu:
// paper before configurations; fig14: paper after geomeans).
for (const f of FIGURES) {
  test(`reproduce ${f.name} --json: figure, model, the main list, paper, workload, why, then the figure's other keys`, () => {
    const keys = Object.keys(json(f.name));
    const head = ['figure', 'model', MAIN[f.name], 'paper', 'workload', 'why'].filter((k) => keys.includes(k));
    assert.deepEqual(keys.slice(0, head.length), head, `${f.name}: ${keys.join(', ')}`);
    assert.equal(new Set(keys).size, keys.length);
  });
}

test('--set: hw comes third, before the main list', () => {
  const j = FIGURES.find((f) => f.name === 'fig19a')!.run({ fidelity: 'analytical', hw: { dramChannelGBps: 16 } }).rows as Json;
  assert.deepEqual(Object.keys(j).slice(0, 6), ['figure', 'model', 'hw', 'configurations', 'paper', 'workload']);
});

test('fig19a: the workload, the paper bars and the why the text prints; the rows keep their fields', () => {
  const j = json('fig19a');
  const { text } = runs.get('fig19a')!;
  assert.deepEqual(j.workload, { trace: 'summary-gpt2-small-wikitext2-per8.csv', settings: PER8_SETTINGS });
  assert.ok(text.split('\n').includes(`workload: ${PER8_SETTINGS}`));
  assert.deepEqual(j.paper, { P: [1, 2, 4, 8, 16, 32], relative: [0.217, 0.385, 0.625, 0.841, 1, 0.993], gops: [168.4, 298.77, 485.42, 652.79, 776.24, 770.87] });
  assert.deepEqual(j.tolerance, { relative: 0.1, absoluteAt16: 0.15 });
  assert.match(j.why![0], /^why \(table1\): at 16 comparators the busiest stage is /);
  const cs = j.configurations as Record<string, unknown>[];
  assert.deepEqual(cs.map((c) => c.config), ['table1', 'table1-rtl-topk', 'fitted']);
  for (const c of cs) {
    assert.equal(c.model, 'analytical');
    assert.deepEqual([c.P, c.paper, c.paperGops], [FIG19A_P, FIG19A_PAPER, FIG19A_PAPER_GOPS]);
  }
});

test('fig20 and sram: the shared workload on top, the configurations / rows unchanged under it', () => {
  const f20 = json('fig20');
  assert.deepEqual(f20.workload, FIG20_WORKLOAD);
  assert.deepEqual(f20.paper, { steps: [1, 1.1, 1.1, 3, 1.6, 1.7], combined: [{ name: 'three pruning steps (token, head, top-k)', from: 0, to: 3, paper: 3.4 }, { name: 'two quantization steps', from: 3, to: 5, paper: 2.8 }] });
  for (const c of f20.configurations as { workload: unknown; rows: unknown[] }[]) {
    assert.deepEqual(c.workload, FIG20_WORKLOAD);
    assert.equal(c.rows.length, 6);
  }
  const s = json('sram');
  assert.equal(s.paper, 'withheld');
  assert.deepEqual(s.workload, { traces: [path.basename(PER8), path.basename(PER8_DENSE)], sramKB: [196, 392, 784] });
  const rows = s.rows as { trace: string; kb: number }[];
  assert.deepEqual(rows.map((r) => `${r.trace}@${r.kb}`), [PER8, PER8_DENSE].flatMap((t) => [196, 392, 784].map((kb) => `${path.basename(t)}@${kb}`)));
  assert.match(s.why!.join(' '), /196 KB holds 256 lines = 2048 keys/);
});

test('--set: the envelope carries the overrides as hw, and the CLI prints the envelope', () => {
  const set = { dramChannelGBps: 16 };
  for (const f of FIGURES.filter((x) => ['sram', 'table4'].includes(x.name))) {
    const j = f.run({ fidelity: 'analytical', hw: set }).rows as Json;
    assert.deepEqual(j.hw, set, f.name);
    assert.deepEqual(Object.keys(j).slice(0, 3), ['figure', 'model', 'hw'], f.name);
  }
  // the command as a user runs it (the test runner reports through this process's stdout)
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'spatten-dse.js'), 'reproduce', 'sram', '--fidelity', 'analytical', '--json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const out = r.stdout;
  assert.deepEqual(JSON.parse(out), JSON.parse(JSON.stringify(json('sram'))));
});

test("README's envelope table names each figure's main list as the figures print it", () => {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const line = readme.split('\n').find((l) => l.startsWith('| the main list |'));
  assert.ok(line, 'README "Reproducing the paper": the envelope table\'s main-list row');
  const named: Record<string, string> = {};
  for (const [, key, figs] of line.matchAll(/`(\w+)` \(([^)]*)\)/g)) for (const f of figs.split(', ')) named[f] = key;
  assert.deepEqual(named, MAIN);
});
