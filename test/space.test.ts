import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandRange, loadSpace, parseConstraint, parseSets, parseSpace, violation } from '../dse/space.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InputError } from '../dse/errors.ts';
import { inputErrorOf } from './input-error.ts';
import { traceWordNeed, wordBitsNeed } from '../dse/point-checks.ts';
import { parseTrace, TRACE_COLUMNS } from '../sim/workload/trace.ts';
import { AlgoSchema, HardwareSchema, WorkloadSchema } from '../sim/schema.ts';
import { GridDriver, gridSize } from '../dse/drivers/grid.ts';
import { RandomDriver } from '../dse/drivers/random.ts';

const GOOD = `name: my-sweep
workload: { model: gpt2-medium, stage: generation, seqLen: 992, genTokens: 32 }
model: analytical
objectives:
  - { metric: latency_s, goal: min }
  - { metric: energy_j, goal: min }
constraints: ["area_mm2 <= 20"]
parameters:
  hw.topkParallelism: [1, 2, 4, 8, 16, 32]
  algo.tokenKeep: { range: [0.1, 1.0], step: 0.1 }
search: { driver: grid, seed: 1 }
`;

const errorOf = (text: string): string => inputErrorOf(() => parseSpace(text, 'x.yaml'));

test('the issue example parses into the expected domains', () => {
  const p = parseSpace(GOOD, 'x.yaml');
  assert.equal(p.space.name, 'my-sweep');
  assert.deepEqual(p.domains[0], { key: 'hw.topkParallelism', kind: 'choice', values: [1, 2, 4, 8, 16, 32] });
  assert.deepEqual(p.domains[1].kind === 'choice' && p.domains[1].values, [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
  assert.deepEqual(p.objectives, [{ metric: 'latency_s', goal: 'min' }, { metric: 'energy_j', goal: 'min' }]);
  assert.deepEqual(p.constraints, [{ text: 'area_mm2 <= 20', metric: 'area_mm2', op: '<=', bound: 20 }]);
  assert.equal(gridSize(p.domains), 60);
});

test('a byte-order mark, CRLF and CR-only line endings (YAML 1.2 line breaks): the same space; an error at the line an editor shows', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sdse-eol-'));
  const want = parseSpace(GOOD, 'x.yaml');
  const variants: Record<string, string> = { bom: '\uFEFF' + GOOD, crlf: GOOD.replace(/\n/g, '\r\n'), 'bom-crlf': '\uFEFF' + GOOD.replace(/\n/g, '\r\n'), cr: GOOD.replace(/\n/g, '\r') };
  for (const [name, text] of Object.entries(variants)) {
    const file = path.join(dir, `${name}.yaml`);
    writeFileSync(file, text);
    const got = loadSpace(file);
    assert.deepEqual([got.space.name, got.domains, got.objectives, got.constraints], [want.space.name, want.domains, want.objectives, want.constraints], name);
  }
  // seqLen is on line 2 of GOOD: with CR-only breaks, still line 2 (not line 1 of one long comment-free line)
  assert.match(errorOf(GOOD.replace('seqLen: 992', 'seqLen: long').replace(/\n/g, '\r')), /^x\.yaml:2:\d+: workload\.seqLen: Invalid input: expected number, received string \("long"\)$/);
});

test('YAML syntax error names file, line and column', () => {
  const msg = errorOf(GOOD.replace('seed: 1 }', 'seed: 1'));
  assert.match(msg, /^x\.yaml:\d+:\d+: YAML syntax error/);
});

test('every YAML syntax error of a file is named, in line order, each with its line and column', () => {
  // a duplicate key on line 3, a flow map left open on line 5 (yaml finds it at the next item, 6:3)
  // and one on line 11, the last line (found at the end of the file, 12:1)
  const text = GOOD.replace('model: analytical', 'name: again').replace('- { metric: latency_s, goal: min }', '- { metric: latency_s, goal: min').replace('seed: 1 }', 'seed: 1');
  assert.equal(
    errorOf(text),
    'x.yaml:3:1: YAML syntax error: Map keys must be unique\n' +
      'x.yaml:6:3: YAML syntax error: Flow map in block collection must be sufficiently indented and end with a }\n' +
      'x.yaml:12:1: YAML syntax error: Flow map in block collection must be sufficiently indented and end with a }',
  );
});

test('YAML syntax errors past 12 are counted, as the schema\'s problems are', () => {
  // 15 repeated keys on lines 12 to 26: the first 12 named, 3 counted
  const msg = errorOf(GOOD + Array.from({ length: 15 }, (_, i) => `name: n${i}\n`).join(''));
  const lines = msg.split('\n');
  assert.deepEqual(lines.slice(0, 12), Array.from({ length: 12 }, (_, i) => `x.yaml:${12 + i}:1: YAML syntax error: Map keys must be unique`));
  assert.deepEqual(lines.slice(12), ['… and 3 more']);
});

test('out-of-range value names the line and field path', () => {
  const msg = errorOf(GOOD.replace('[1, 2, 4', '[-3, 2, 4'));
  assert.match(msg, /^x\.yaml:9:24: parameters\.hw\.topkParallelism\[0\]: Too small/);
});

test('unknown keys: top level, nested, parameter names', () => {
  assert.match(errorOf(GOOD.replace('search:', 'serch:')), /^x\.yaml:11:1: serch: unknown key "serch"/);
  assert.match(errorOf(GOOD.replace('seqLen: 992', 'seqLength: 992')), /x\.yaml:2:\d+: workload\.seqLength: unknown key/);
  assert.match(errorOf(GOOD.replace('hw.topkParallelism', 'hw.topK')), /x\.yaml:9:3: parameters\.hw\.topK: unknown parameter/);
});

test('a key written in the wrong block names the block it belongs to (it said only `unknown key "scope"`)', () => {
  // scope beside workload: instead of inside it
  assert.match(errorOf(GOOD.replace('model: analytical', 'model: analytical\nscope: e2e')), /^x\.yaml:4:1: scope: unknown key "scope" \(a field of the workload block: write it there, workload: \{ scope: … \}\)$/);
  // a top-level key inside a block, a hardware field at the top level
  assert.match(errorOf(GOOD.replace('genTokens: 32 }', 'genTokens: 32, baseline: titan-xp }')), /workload\.baseline: unknown key "baseline" \(a top-level key: write it on a line of its own, baseline: …\)$/);
  assert.match(errorOf(GOOD.replace('model: analytical', 'model: analytical\nkeySramKB: 48')), /keySramKB: unknown key "keySramKB" \(a field of the hardware block: write it there, hardware: \{ keySramKB: … \}\)$/);
  // a field of several blocks: all named; a typo keeps its "did you mean"; a key of no block lists the keys the place takes
  assert.match(errorOf(GOOD.replace('model: analytical', 'model: analytical\nalgo: { seed: 2 }')), /algo\.seed: unknown key "seed" \(a field of the cycle, search or accuracy blocks: write it in the one meant\)$/);
  assert.match(errorOf(GOOD.replace('seqLen: 992', 'scop: e2e, seqLen: 992')), /workload\.scop: unknown key "scop" \(did you mean "scope"\?\)$/);
  assert.match(errorOf(GOOD.replace('model: analytical', 'model: analytical\ncolour: red')), /colour: unknown key "colour" \(known: name, description, workload, hardware, algo, .*, report\)$/);
  assert.match(errorOf(GOOD.replace('driver: grid', 'driver: grid, budget: 40')), /search\.budget: unknown key "budget" \(known: driver, seed, samples, population, generations, maxEvals, timeLimit\)$/);
});

test('wrong types', () => {
  assert.match(errorOf(GOOD.replace('seqLen: 992', 'seqLen: long')), /workload\.seqLen: Invalid input: expected number/);
  assert.match(errorOf(GOOD.replace('[1, 2, 4, 8, 16, 32]', '[1, 2.5]')), /parameters\.hw\.topkParallelism\[1\]: Invalid input: expected whole number, received number \(2\.5\)$/);
  assert.match(errorOf(GOOD.replace('goal: min }\n  - {', 'goal: minimise }\n  - {')), /objectives\[0\]\.goal/);
});

test('empty spaces and empty domains', () => {
  assert.match(errorOf(GOOD.replace(/parameters:[\s\S]*search/, 'parameters: {}\nsearch')), /parameters: the space is empty/);
  assert.match(errorOf(GOOD.replace('[1, 2, 4, 8, 16, 32]', '[]')), /parameters\.hw\.topkParallelism: empty list/);
  assert.match(errorOf(GOOD.replace('range: [0.1, 1.0]', 'range: [1.0, 0.1]')), /parameters\.algo\.tokenKeep\.range: empty range/);
  assert.match(errorOf(GOOD.replace(/objectives:[\s\S]*constraints/, 'objectives: []\nconstraints')), /objectives: give at least one objective/);
});

test('grid refuses a continuous range; accuracy objectives need an accuracy block; bad constraints', () => {
  assert.match(errorOf(GOOD.replace('range: [0.1, 1.0], step: 0.1', 'range: [0.1, 1.0]')), /grid driver/);
  assert.match(errorOf(GOOD.replace('metric: energy_j', 'metric: accuracy')), /needs an accuracy block/);
  assert.match(errorOf(GOOD.replace('area_mm2 <= 20', 'area <= twenty')), /constraints\[0\]: cannot parse constraint/);
  assert.match(errorOf(GOOD.replace('area_mm2 <= 20', 'size_mm2 <= 20')), /unknown metric "size_mm2"/);
});

test('constraint violation amounts', () => {
  const c = parseConstraint('area_mm2 <= 20');
  assert.ok(typeof c !== 'string', 'typeof c !== \'string\'');
  assert.equal(violation(c, 19), 0);
  assert.equal(violation(c, 25), 0.25);
  const g = parseConstraint('gops >= 100');
  assert.ok(typeof g !== 'string', 'typeof g !== \'string\'');
  assert.equal(violation(g, 50), 0.5);
});

test('an == constraint holds for a value points.csv writes as the bound (6 significant digits), not for another', () => {
  const e = parseConstraint('area_mm2 == 18.71');
  assert.ok(typeof e !== 'string', 'typeof e !== \'string\'');
  // the default design's area as the model computes it; points.csv shows 18.71
  assert.equal(Number((18.709997120000002).toPrecision(6)), 18.71);
  assert.equal(violation(e, 18.709997120000002), 0);
  assert.equal(violation(e, 18.71), 0);
  assert.ok(violation(e, 18.7105) > 0, 'violation(e, 18.7105) > 0');
  assert.ok(violation(e, 18.1067) > 0, 'violation(e, 18.1067) > 0');
});

test('expandRange has no float drift', () => {
  assert.deepEqual(expandRange(0.1, 0.3, 0.1), [0.1, 0.2, 0.3]);
  assert.deepEqual(expandRange(4, 16, 4), [4, 8, 12, 16]);
});

test('grid driver enumerates the cartesian product exactly once, last parameter fastest', () => {
  const space = [
    { key: 'a', kind: 'choice' as const, values: [1, 2] },
    { key: 'b', kind: 'choice' as const, values: ['x', 'y', 'z'] },
  ];
  const d = new GridDriver({ space, objectives: [], seed: 1 });
  assert.equal(d.total, 6);
  const got = [...d.ask(4), ...d.ask(10)];
  assert.ok(d.done(), 'd.done()');
  assert.deepEqual(got.map((t) => `${t.params.a}${t.params.b}`), ['1x', '1y', '1z', '2x', '2y', '2z']);
  assert.deepEqual(got.map((t) => t.id), [0, 1, 2, 3, 4, 5]);
});

test('random driver: reproducible from the seed, no duplicates, stops when a small space is covered', () => {
  const space = [
    { key: 'a', kind: 'choice' as const, values: [1, 2, 3] },
    { key: 'b', kind: 'interval' as const, low: 0, high: 1, integer: false },
  ];
  const draw = (seed: number) => new RandomDriver({ space, objectives: [], seed }, 20).ask(20).map((t) => t.params);
  assert.deepEqual(draw(3), draw(3));
  assert.notDeepEqual(draw(3), draw(4));
  for (const p of draw(3)) assert.ok((p.b as number) >= 0 && (p.b as number) < 1, '(p.b as number) >= 0 && (p.b as number) < 1');
  const small = new RandomDriver({ space: [{ key: 'a', kind: 'choice', values: [1, 2, 3] }], objectives: [], seed: 1 }, 50);
  const all = small.ask(50);
  assert.equal(all.length, 3);
  assert.deepEqual(new Set(all.map((t) => t.params.a)), new Set([1, 2, 3]));
  assert.ok(small.done(), 'small.done()');
});

test('a hardware preset is applied and only explicit fields override it', async () => {
  const { basePoint } = await import('../dse/evaluate.ts');
  const p = parseSpace(GOOD.replace('model: analytical', 'model: analytical\nhardware: { preset: spatten-1/8, pvMultipliers: 128 }'), 'x.yaml');
  const b = basePoint(p.space);
  assert.equal(b.hw.qkMultipliers, 64); // from the preset
  assert.equal(b.hw.dramChannels, 2); // from the preset
  assert.equal(b.hw.pvMultipliers, 128); // explicit override
  assert.equal(b.hw.clockGHz, 1); // default where neither says
  const d = basePoint(parseSpace(GOOD, 'x.yaml').space);
  assert.equal(d.hw.qkMultipliers, 512);
});

test('random driver: integer ranges draw every integer equally often, end points included', async () => {
  const { sampleParams } = await import('../dse/drivers/random.ts');
  const { createRng } = await import('../sim/rng.ts');
  const rng = createRng(11);
  const counts = new Map<number, number>();
  const N = 40000;
  for (let i = 0; i < N; i++) {
    const v = sampleParams([{ key: 'k', kind: 'interval', low: 1, high: 4, integer: true }], rng).k as number;
    counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  assert.deepEqual([...counts.keys()].sort(), [1, 2, 3, 4]);
  for (const c of counts.values()) assert.ok(Math.abs(c / N - 0.25) < 0.015, `share ${c / N}`);
});

test('the cycle: block is validated; timing switches are hardware fields that reach the cycle simulator', async () => {
  const { basePoint, evaluatePoint } = await import('../dse/evaluate.ts');
  assert.match(errorOf(GOOD.replace('model: analytical', 'model: cycle\ncycle: { gate: true }')), /cycle\.gate: unknown key/);
  // the switches moved to the hardware block: a clear error names where they are now
  assert.match(errorOf(GOOD.replace('model: analytical', 'model: cycle\ncycle: { topkFilter: qk }')), /cycle\.topkFilter.*hardware\.topkFilter/);
  assert.match(errorOf(GOOD.replace('model: analytical', 'model: cycle\ncycle: { seed: 2 }').replace('model: cycle', 'model: cycle\nhardware: { topkModel: fast }')), /hardware\.topkModel/);
  const text = GOOD.replace('seqLen: 992, genTokens: 32', 'seqLen: 256, genTokens: 2').replace('model: analytical', 'model: cycle\ncycle: { seed: 2 }');
  const p = parseSpace(text, 'x.yaml');
  assert.deepEqual(p.space.cycle, { seed: 2 });
  const base = basePoint(p.space);
  const params = { 'hw.topkParallelism': 32, 'algo.tokenKeep': 0.5, 'algo.valueKeep': 0.3 };
  const ctx = { base, fidelity: p.space.fidelity, constraints: [], metrics: [], modelOptions: p.space.cycle };
  const rtl = await evaluatePoint(ctx, 0, { ...params, 'hw.topkModel': 'official-rtl' });
  const paper = await evaluatePoint(ctx, 0, params);
  assert.equal(rtl.status, 'ok', rtl.error);
  // the RTL's dummy top-k (all rounds, then an 8-wide drain) is slower than the paper's engine
  assert.ok(rtl.metrics.cycles > paper.metrics.cycles, `${rtl.metrics.cycles} vs ${paper.metrics.cycles}`);
});

test('metric registry: derived metrics computed once from the base quantities, for every fidelity; edp_js is an objective', async () => {
  const { evaluateHardware, evaluateMetrics } = await import('../sim/index.ts');
  const { FIDELITY_NAMES } = await import('../sim/fidelities.ts');
  const { HW_METRICS, METRICS } = await import('../sim/metrics.ts');
  const { defaultHardware, defaultAlgo, defaultWorkload } = await import('../sim/schema.ts');
  const point = { hw: defaultHardware(), algo: defaultAlgo(), workload: { ...defaultWorkload(), seqLen: 128, genTokens: 2 } };
  for (const f of FIDELITY_NAMES) {
    const r = evaluateHardware(point, { fidelity: f });
    assert.equal(r.model, f);
    const ops = 2 * (r.activity.qkMacs + r.activity.pvMacs);
    assert.equal(r.power_w, r.energy_j / r.latency_s, f);
    assert.equal(r.gops, ops / r.latency_s / 1e9, f);
    assert.equal(r.edp_js, r.energy_j * r.latency_s, f);
    assert.equal(r.gop_per_j, ops / r.energy_j / 1e9, f);
    assert.equal(r.gops_per_mm2, ops / r.latency_s / 1e9 / r.area_mm2, f);
    const m = evaluateMetrics(point, { fidelity: f });
    assert.deepEqual(Object.keys(m), [...HW_METRICS], f);
    for (const k of HW_METRICS) assert.ok(Math.abs(m[k] - r[k]) <= 1e-9 * Math.abs(r[k]), `${f} ${k}: ${m[k]} vs ${r[k]}`);
  }
  assert.ok((METRICS as readonly string[]).includes('edp_js'), '(METRICS as readonly string[]).includes(\'edp_js\')');
  const p = parseSpace(GOOD.replace('metric: energy_j', 'metric: edp_js'), 'x.yaml');
  assert.equal(p.objectives[1].metric, 'edp_js');
  const q = parseSpace(GOOD.replace('{ metric: energy_j, goal: min }', '{ metric: gops_per_mm2 }'), 'x.yaml');
  assert.deepEqual(q.objectives[1], { metric: 'gops_per_mm2', goal: 'max' }, 'area efficiency is maximised when no goal is written');
  const e = parseSpace(GOOD.replace('{ metric: energy_j, goal: min }', '{ metric: energy_j }'), 'x.yaml');
  assert.deepEqual(e.objectives[1], { metric: 'energy_j', goal: 'min' }, 'energy is minimised when no goal is written');
  const w = parseSpace(GOOD.replace('{ metric: energy_j, goal: min }', '{ metric: gops, goal: min }'), 'x.yaml');
  assert.equal(w.objectives[1].goal, 'min', 'a written goal is kept');
});

test('space fidelity: `fidelity:` key; `model:` accepted with a deprecation note; both at once refused', () => {
  assert.equal(parseSpace(GOOD.replace('model: analytical', 'fidelity: cycle'), 'x.yaml').space.fidelity, 'cycle');
  const legacy = parseSpace(GOOD.replace('model: analytical', 'model: both'), 'x.yaml');
  assert.equal(legacy.space.fidelity, 'both');
  assert.match(legacy.notes.join('\n'), /x\.yaml:\d+:\d+: `model: both` is deprecated; write `fidelity: both`/);
  assert.match(errorOf(GOOD.replace('model: analytical', 'model: cycle\nfidelity: cycle')), /give `fidelity:` only/);
});

test('a benchmark workload: scope may be added; model, stage and lengths, written or swept, are refused', async () => {
  const { basePoint } = await import('../dse/evaluate.ts');
  const bench = (w: string) => GOOD.replace('{ model: gpt2-medium, stage: generation, seqLen: 992, genTokens: 32 }', w);
  // the schema fills in defaults for the fields not written: they do not count as given
  const b = basePoint(parseSpace(bench('{ benchmark: bert-base-cola, scope: e2e }'), 'x.yaml').space);
  assert.deepEqual([b.workload.model, b.workload.stage, b.workload.scope], ['bert-base', 'summarization', 'e2e']);
  assert.match(errorOf(bench('{ benchmark: bert-base-cola, model: bert-large, stage: summarization }')), /^x\.yaml:2:\d+: workload\.model: benchmark bert-base-cola fixes .*\nx\.yaml:2:\d+: workload\.stage: /);
  assert.match(errorOf(bench('{ benchmark: bert-base-cola }').replace('search:', '  workload.seqLen: [64, 128]\nsearch:')), /parameters\.workload\.seqLen: benchmark bert-base-cola fixes model, stage, seqLen, genTokens: sweeping workload\.seqLen would change nothing/);
});

test('a trace workload fixes the shape: model, stage, lengths or a benchmark written beside it are refused, scope is kept', async () => {
  const { basePoint } = await import('../dse/evaluate.ts');
  // (without GOOD's algo.tokenKeep sweep: the trace fixes the pruning too, test below)
  const tr = (w: string) => GOOD.replace('{ model: gpt2-medium, stage: generation, seqLen: 992, genTokens: 32 }', w).replace('  algo.tokenKeep: { range: [0.1, 1.0], step: 0.1 }\n', '');
  const T = 'trace: sim/workload/traces/small.csv';
  const ok = basePoint(parseSpace(tr(`{ ${T}, scope: e2e }`), 'x.yaml').space);
  assert.deepEqual([ok.workload.trace, ok.workload.scope], ['sim/workload/traces/small.csv', 'e2e']);
  const msg = errorOf(tr(`{ ${T}, model: bert-base, stage: summarization, seqLen: 128 }`));
  assert.match(msg, /^x\.yaml:2:\d+: workload\.model: the trace fixes the model, stage and lengths \(it replaces the generated workload\): this model would be ignored; remove it, or drop the trace/);
  assert.match(msg, /\nx\.yaml:2:\d+: workload\.stage: the trace fixes/);
  assert.match(msg, /\nx\.yaml:2:\d+: workload\.seqLen: the trace fixes/);
  assert.match(errorOf(tr(`{ ${T}, benchmark: bert-base-cola }`)), /workload\.benchmark: the trace fixes .*this benchmark would be ignored/);
});

test('knobs refused only when no point uses them: e2e scope, the llm policy, a generation stage swept in', () => {
  const sweep = (lines: string) => GOOD.replace('search:', `${lines}\nsearch:`);
  assert.equal(parseSpace(sweep('  algo.fcWeightBits: [8, 12]\n  workload.scope: [attention, e2e]'), 'x.yaml').domains.length, 4);
  const lm = (text: string) => text.replace('model: analytical', 'model: analytical\naccuracy: { model: sotu-gpt }');
  assert.equal(parseSpace(lm(sweep('  algo.startTokens: [4, 8]\n  algo.tokenPolicy: [cascade, llm]')), 'x.yaml').domains.length, 4);
  assert.equal(parseSpace(lm(sweep('  algo.recentTokens: [16, 32]')).replace('model: analytical', 'model: analytical\nalgo: { tokenPolicy: llm }'), 'x.yaml').domains.length, 3);
  const summ = GOOD.replace('stage: generation', 'stage: summarization');
  assert.equal(parseSpace(sweep('  workload.stage: [summarization, generation]').replace('stage: generation', 'stage: summarization'), 'x.yaml').domains.length, 3);
  assert.match(errorOf(summ), /^x\.yaml:2:\d+: workload\.genTokens: genTokens does not apply/);
  assert.match(errorOf(lm(sweep('  algo.recentTokens: [16, 32]\n  algo.tokenPolicy: [cascade]'))), /parameters\.algo\.recentTokens: recentTokens does not apply: it belongs to the llm token policy/);
  assert.match(errorOf(GOOD.replace('genTokens: 32 }', 'genTokens: 32, scope: attention }').replace('model: analytical', 'model: analytical\nalgo: { fcWeightBits: 8 }')), /algo\.fcWeightBits: fcWeightBits does not apply/);
});

test('the token-selection knobs need a language model in the accuracy block (the hardware models never read them)', () => {
  const sweep = (lines: string) => GOOD.replace('search:', `${lines}\nsearch:`);
  const why = /does not apply: the token selection runs in the accuracy engine's language model only .* and the space has no accuracy block/;
  for (const k of ['algo.tokenPolicy: [cascade, llm]', 'algo.tokenScore: [sum, mean]']) assert.match(errorOf(sweep(`  ${k}`)), why);
  assert.match(errorOf(GOOD.replace('model: analytical', 'model: analytical\nalgo: { tokenPolicy: llm, startTokens: 8 }')), /^x\.yaml:4:\d+: algo\.tokenPolicy: tokenPolicy does not apply.*\nx\.yaml:4:\d+: algo\.startTokens: startTokens does not apply/);
  const lm = GOOD.replace('model: analytical', 'model: analytical\naccuracy: { model: sotu-char }');
  assert.equal(parseSpace(lm.replace('search:', '  algo.tokenScore: [sum, mean]\nsearch:'), 'x.yaml').domains.length, 3);
  // an accuracy model that does not resolve is the one problem named (not blamed on the knobs)
  const missing = errorOf(lm.replace('sotu-char', 'no-such-model').replace('search:', '  algo.tokenScore: [sum, mean]\nsearch:'));
  assert.match(missing, /accuracy\.model: accuracy model "no-such-model": neither a shipped checkpoint/);
  assert.doesNotMatch(missing, /tokenScore/);
});

test('a switch given as "false" (--set, a list of strings) is false in the design point, not a truthy string', async () => {
  const { applyParams, basePoint, evaluatePoint } = await import('../dse/evaluate.ts');
  const { parseSets } = await import('../dse/params.ts');
  const on = basePoint(parseSpace(GOOD, 'x.yaml').space);
  const off = basePoint(parseSpace(GOOD.replace('model: analytical', 'model: analytical\nhardware: { dramRefresh: false }'), 'x.yaml').space);
  assert.equal(applyParams(on, parseSets(['hw.dramRefresh=false'])).hw.dramRefresh, false);
  assert.equal(applyParams(off, { 'hw.dramRefresh': 'true' }).hw.dramRefresh, true);
  const latency = async (base: typeof on, params: Record<string, string>) => (await evaluatePoint({ base, fidelity: 'analytical', constraints: [], metrics: [] }, 0, params)).metrics.latency_s;
  const refreshOff = await latency(off, {});
  assert.equal(await latency(on, { 'hw.dramRefresh': 'false' }), refreshOff);
  assert.ok((await latency(on, { 'hw.dramRefresh': 'true' })) > refreshOff, '(await latency(on, { \'hw.dramRefresh\': \'true\' })) > refreshOff');
});

test('a switch swept as [true, false]: YAML booleans are accepted (as "true"/"false") and reach the models as booleans', async () => {
  const { applyParams, basePoint } = await import('../dse/evaluate.ts');
  const p = parseSpace(GOOD.replace('search:', '  hw.dramRefresh: [true, false]\nsearch:'), 'x.yaml');
  assert.deepEqual(p.domains[2], { key: 'hw.dramRefresh', kind: 'choice', values: ['true', 'false'] });
  assert.equal(applyParams(basePoint(p.space), { 'hw.dramRefresh': 'false' }).hw.dramRefresh, false);
  assert.match(errorOf(GOOD.replace('[1, 2, 4, 8, 16, 32]', '[1, true]')), /parameters\.hw\.topkParallelism\[1\]: Invalid input: expected number/);
});

test('a value of the wrong type names the type the file gives (a YAML boolean is a boolean, not the string it is kept as)', () => {
  const sweep = (list: string) => GOOD.replace('search:', `  hw.dramChannels: ${list}\nsearch:`);
  assert.match(errorOf(sweep('[true]')), /^x\.yaml:11:\d+: parameters\.hw\.dramChannels\[0\]: Invalid input: expected number, received boolean \(true\)$/);
  assert.match(errorOf(sweep('[8, "x"]')), /^x\.yaml:11:\d+: parameters\.hw\.dramChannels\[1\]: Invalid input: expected number, received string \("x"\)$/);
  assert.match(errorOf(sweep('{ values: [false] }')), /parameters\.hw\.dramChannels\.values\[0\]: Invalid input: expected number, received boolean \(false\)$/);
  assert.match(errorOf(GOOD.replace('seqLen: 992', 'seqLen: long')), /^x\.yaml:2:\d+: workload\.seqLen: Invalid input: expected number, received string \("long"\)$/);
  assert.match(errorOf(sweep('true')), /parameters\.hw\.dramChannels: Invalid input: expected number, received boolean \(true\)$/);
  // a switch (a boolean field) still takes them
  assert.equal(parseSpace(GOOD.replace('search:', '  hw.dramRefresh: true\nsearch:'), 'x.yaml').domains.length, 3);
});

test('an integer range without a step is refused when it holds a value its field refuses (it would be sampled): valueBits 1, fcWeightBits 9-11', () => {
  const sampled = (param: string, extra = '') => GOOD.replace('search: { driver: grid, seed: 1 }', 'search: { driver: random, samples: 20, seed: 1 }').replace('search:', `  ${param}\nsearch:`).replace('model: analytical', `model: analytical${extra}`);
  assert.match(errorOf(sampled('algo.valueBits: { range: [0, 8] }')), /^x\.yaml:11:\d+: parameters\.algo\.valueBits\.range: 1 lies in \[0, 8\] but is refused \(expected 0 \(same as msbBits\) or a width from 2 to 32 bits\); a range without a step samples every integer in it: give a list of the values, or a range without 1/);
  const e2e = GOOD.replace('genTokens: 32 }', 'genTokens: 32, scope: e2e }');
  assert.match(errorOf(e2e.replace('search: { driver: grid, seed: 1 }', 'search: { driver: lhs, samples: 20, seed: 1 }').replace('search:', '  algo.fcWeightBits: { range: [8, 12] }\nsearch:')), /parameters\.algo\.fcWeightBits\.range: 9 lies in \[8, 12\] but is refused \(9 is not one of 8, 12\)/);
  // ranges inside the valid values are intervals, as before
  for (const r of ['algo.valueBits: { range: [2, 8] }', 'algo.msbBits: { range: [2, 12] }', 'algo.lsbBits: { range: [0, 4] }', 'algo.queryBits: { range: [2, 16] }', 'hw.wordBits: { range: [4, 16] }']) {
    const d = parseSpace(sampled(r), 'x.yaml').domains[2];
    assert.ok(d.kind === 'interval' && d.integer, r);
  }
});

test('--set numbers are decimal: 1e2, .5 and +4 are numbers; 0x10, 0b10 and 0o17 are refused, not read as 16, 2 and 15', () => {
  assert.deepEqual(parseSets(['hw.keySramKB=1e2', 'hw.clockGHz=.5', 'hw.dramChannels=+4', 'algo.tokenKeep=5e-1', 'algo.tokenPolicy=llm']), {
    'hw.keySramKB': 100,
    'hw.clockGHz': 0.5,
    'hw.dramChannels': 4,
    'algo.tokenKeep': 0.5,
    'algo.tokenPolicy': 'llm',
  });
  for (const v of ['0x10', '0b10', '0o17']) {
    assert.throws(() => parseSets([`hw.topkParallelism=${v}`]), (e: Error) => e instanceof InputError && e.message === `--set hw.topkParallelism=${v}: hw.topkParallelism: expected a decimal number, got "${v}"`);
  }
});

test('--set of one key twice: refused with both settings named when the values differ (the last one used to win silently); one setting when they are equal', () => {
  assert.throws(
    () => parseSets(['hw.dramChannels=32', 'algo.tokenKeep=0.3', 'hw.dramChannels=16']),
    (e: Error) => e instanceof InputError && e.message === '--set hw.dramChannels=16: hw.dramChannels is given twice with different values (also --set hw.dramChannels=32); give it once',
  );
  assert.throws(() => parseSets(['hw.topkModel=paper', 'hw.topkModel=official-rtl']), /^InputError: --set hw\.topkModel=official-rtl: hw\.topkModel is given twice/);
  // 0.5 and 0.50, 16 and 1.6e1 are one value each
  assert.deepEqual(parseSets(['algo.tokenKeep=0.5', 'hw.dramChannels=16', 'algo.tokenKeep=0.50', 'hw.dramChannels=1.6e1']), { 'algo.tokenKeep': 0.5, 'hw.dramChannels': 16 });
});

test('a swept workload.benchmark does what one in the workload block does: its shape and base algo settings, under the written algo fields', async () => {
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const { prepareRun } = await import('../dse/run.ts');
  const { evaluatePoint } = await import('../dse/evaluate.ts');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-sweep-'));
  const space = (workload: string, params: string) =>
    `name: b\nworkload: ${workload}\nalgo: { tokenKeep: 0.5 }\nobjectives: [{ metric: latency_s, goal: min }]\nparameters: { ${params} }\nsearch: { driver: grid }\n`;
  const latency = async (text: string, params: Record<string, string | number>) => {
    const file = path.join(dir, `s${Math.random()}.yaml`);
    fs.writeFileSync(file, text);
    const { ctx } = prepareRun({ spaceFile: file });
    return (await evaluatePoint(ctx, 0, params)).metrics.latency_s;
  };
  for (const b of ['gpt2-small-ptb', 'bert-base-cola']) {
    const swept = await latency(space('{}', 'workload.benchmark: [gpt2-small-ptb, bert-base-cola]'), { 'workload.benchmark': b });
    const fixed = await latency(space(`{ benchmark: ${b} }`, 'hw.dramChannels: [16]'), { 'hw.dramChannels': 16 });
    assert.equal(swept, fixed, b);
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a point validated one by one (serve, a driver) names the bad value and the allowed ones as the space and --set do', async () => {
  const { applyParams, basePoint } = await import('../dse/evaluate.ts');
  const base = basePoint(parseSpace(GOOD, 'x.yaml').space);
  assert.throws(() => applyParams(base, { 'hw.topkModel': 'oficial-rtl' }), /^Error: hw\.topkModel: "oficial-rtl" is not one of paper, official-rtl \(did you mean "official-rtl"\?\)$/);
  assert.throws(() => applyParams(base, { 'algo.fcWeightBits': 10 }), /^Error: algo\.fcWeightBits: 10 is not one of 8, 12$/);
});

test('a range whose step stops short of its high end says so in a note; one that lands on it does not', () => {
  const short = parseSpace(GOOD.replace('step: 0.1 }', 'step: 0.25 }'), 'x.yaml');
  assert.deepEqual(short.domains[1].kind === 'choice' && short.domains[1].values, [0.1, 0.35, 0.6, 0.85]);
  assert.match(short.notes.join('\n'), /x\.yaml:10:46: parameters\.algo\.tokenKeep: step 0\.25 from 0\.1 stops at 0\.85, so the range's high end 1 is not swept/);
  assert.deepEqual(parseSpace(GOOD.replace('model: analytical', 'fidelity: analytical'), 'x.yaml').notes, []);
});

test('a sampling driver asked for as many evaluations as the space has points says it evaluates them all, as a grid', () => {
  // GOOD: 6 top-k values × 10 token keeps = 60 points
  const sp = (search: string) => parseSpace(GOOD.replace('model: analytical', 'fidelity: analytical').replace('search: { driver: grid, seed: 1 }', `search: ${search}`), 'x.yaml').notes;
  assert.deepEqual(sp('{ driver: random, samples: 60 }'), ['x.yaml:11:1: search: samples = 60 ≥ the 60 points of the space: random evaluates a point at most once, so it evaluates every point, as driver: grid would']);
  assert.match(sp('{ driver: lhs, samples: 500 }').join('\n'), /samples = 500 ≥ the 60 points of the space: lhs evaluates a point at most once, so it evaluates every point/);
  // 8 × 8 = 64 ≥ 60: nsga2 may stop short of them
  assert.match(sp('{ driver: nsga2, population: 8, generations: 8 }').join('\n'), /population × generations = 64 ≥ the 60 points of the space: nsga2 evaluates a point at most once, so it may end up evaluating every point, as driver: grid would, and stops when none is left$/);
  // fewer asked, a maxEvals below the points, a grid, a continuous range: no note
  assert.deepEqual(sp('{ driver: random, samples: 59 }'), []);
  assert.deepEqual(sp('{ driver: random, samples: 500, maxEvals: 30 }'), []);
  assert.deepEqual(sp('{ driver: grid }'), []);
  assert.deepEqual(parseSpace(GOOD.replace('model: analytical', 'fidelity: analytical').replace('{ range: [0.1, 1.0], step: 0.1 }', '{ range: [0.1, 1.0] }').replace('driver: grid,', 'driver: random, samples: 500,'), 'x.yaml').notes, []);
});

test('a hardware/algo/workload field the parameters also sweep is named in a note (its written value is used by no point)', () => {
  const p = parseSpace(GOOD.replace('model: analytical', 'fidelity: analytical\nhardware: { topkParallelism: 8, dramChannels: 32 }\nalgo: { tokenKeep: 0.5 }'), 'x.yaml');
  assert.deepEqual(p.notes, [
    'x.yaml:4:13: hardware.topkParallelism: 8 is used by no point: parameters.hw.topkParallelism sets it at every point (1, 2, 4, 8, 16, 32)',
    'x.yaml:5:9: algo.tokenKeep: 0.5 is used by no point: parameters.algo.tokenKeep sets it at every point (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1)',
  ]);
});

test('an accuracy constraint written in percent is refused before anything runs (accuracy is a fraction 0 … 1)', () => {
  const acc = (c: string) =>
    GOOD.replace('model: analytical', 'model: analytical\naccuracy: { model: spam-bert, maxExamples: 64 }').replace('["area_mm2 <= 20"]', `["${c}"]`).replace('metric: energy_j', 'metric: accuracy, goal: max }\n  - { metric: energy_j');
  // a bound in 0 … 1 is accepted as written
  assert.deepEqual(parseSpace(acc('accuracy >= 0.969'), 'x.yaml').constraints, [{ text: 'accuracy >= 0.969', metric: 'accuracy', op: '>=', bound: 0.969 }]);
  const never = errorOf(acc('accuracy >= 96.9'));
  assert.match(never, /^x\.yaml:\d+:\d+: constraints\[0\]: "accuracy >= 96\.9": accuracy is a fraction from 0 to 1 .* excludes every point; for 96\.9% write "accuracy >= 0\.969"$/);
  assert.match(errorOf(acc('accuracy <= 97')), /"accuracy <= 97": .* excludes no point; for 97% write "accuracy <= 0\.97"/);
  assert.match(errorOf(acc('accuracy > -0.5')), /"accuracy > -0\.5": .* excludes no point$/);
  assert.match(errorOf(acc('accuracy == 250')), /excludes every point$/);
});

test('algo.lsbThreshold where it changes no number is named in a note: no language model, or lsbBits 0', () => {
  const G = GOOD.replace('model: analytical', 'fidelity: analytical');
  const sweep = (lines: string, extra = '') => G.replace('fidelity: analytical', `fidelity: analytical${extra}`).replace('search:', `${lines}\nsearch:`);
  // no accuracy block: the hardware models read lsbRefetchFraction, never the threshold
  const none = parseSpace(sweep('  algo.lsbThreshold: [0.05, 0.2]', '\nalgo: { msbBits: 8, lsbBits: 4 }'), 'x.yaml').notes;
  assert.equal(none.length, 1, none.join('\n'));
  assert.match(none[0], /^x\.yaml:\d+:3: parameters\.algo\.lsbThreshold: the threshold changes no point's numbers here: the hardware models price LSB refetches with algo\.lsbRefetchFraction .* the space has no accuracy block\. Sweep algo\.lsbRefetchFraction/);
  // and with lsbBits 0 (the default) nothing refetches at all: the advice says so first
  const off = parseSpace(sweep('  algo.lsbThreshold: [0.05, 0.2]'), 'x.yaml').notes;
  assert.match(off.join('\n'), /the space has no accuracy block, and lsbBits is 0 at every point, so nothing refetches: set algo\.lsbBits \(e\.g\. 4\), then sweep algo\.lsbRefetchFraction/);
  // written in the algo block, a classifier in the accuracy block
  const cls = parseSpace(G.replace('fidelity: analytical', 'fidelity: analytical\nalgo: { lsbThreshold: 0.2 }\naccuracy: { model: spam-bert, maxExamples: 64 }'), 'x.yaml').notes;
  assert.match(cls.join('\n'), /x\.yaml:4:\d+: algo\.lsbThreshold: the threshold changes no point's numbers here: .* the accuracy model spam-bert is a classifier/);
  // a language model: the threshold acts where lsbBits > 0; the lsbBits 0 points repeat one design per threshold
  const lm = '\naccuracy: { model: sotu-char, maxExamples: 16 }';
  const mixed = parseSpace(sweep('  algo.lsbBits: [0, 4]\n  algo.lsbThreshold: [0.05, 0.2]', `${lm}\nalgo: { msbBits: 8 }`), 'x.yaml').notes;
  assert.match(mixed.join('\n'), /parameters\.algo\.lsbThreshold: the points with algo\.lsbBits = 0 \(progressive quantization off\) do not read algo\.lsbThreshold/);
  assert.match(parseSpace(sweep('  algo.lsbThreshold: [0.05, 0.2]', lm), 'x.yaml').notes.join('\n'), /lsbBits is 0 at every point \(progressive quantization off\), so no point reads it/);
  // it acts: a language model and lsbBits > 0 at every point (written, or a GPT-2 benchmark's 6 + 4 bits)
  assert.deepEqual(parseSpace(sweep('  algo.lsbThreshold: [0.05, 0.2]', `${lm}\nalgo: { msbBits: 8, lsbBits: 4 }`), 'x.yaml').notes, []);
  const bench = G.replace('{ model: gpt2-medium, stage: generation, seqLen: 992, genTokens: 32 }', '{ benchmark: gpt2-medium-wikitext2 }').replace('fidelity: analytical', `fidelity: analytical${lm}`);
  assert.deepEqual(parseSpace(bench.replace('search:', '  algo.lsbThreshold: [0.05, 0.2]\nsearch:'), 'x.yaml').notes, []);
});

test('a trace workload takes of the algo settings only the FC weight width (scope: e2e): sweeping it is accepted', () => {
  const text = [
    'name: trace-e2e',
    'workload: { trace: sim/workload/traces/small.csv, scope: e2e }',
    'algo: { fcWeightBits: 12 }',
    'objectives:',
    '  - { metric: latency_s }',
    'parameters:',
    '  algo.fcWeightBits: [8, 12]',
    '  hw.dramChannels: [8, 16]',
    '',
  ].join('\n');
  const p = parseSpace(text, 'x.yaml');
  assert.deepEqual(Object.keys(p.space.parameters), ['algo.fcWeightBits', 'hw.dramChannels']);
  // every other algo knob is the trace's: refused with the field's line
  assert.throws(() => parseSpace(text.replace('  hw.dramChannels: [8, 16]', '  algo.valueKeep: [0.3, 1]'), 'x.yaml'), /x\.yaml:8:3: parameters\.algo\.valueKeep: the trace fixes the pruning and quantization/);
});

test('a value given twice in a parameter list is refused at its second occurrence (equal once parsed); distinct values keep their order', () => {
  const sweep = (line: string) => GOOD.replace('search:', `  ${line}\nsearch:`);
  assert.equal(errorOf(sweep('algo.headKeep: [0.5, 0.25, 0.50]')), 'x.yaml:11:30: parameters.algo.headKeep[2]: 0.5 is given twice (items [0] and [2] are equal once parsed): the sweep would evaluate it once, so the grid would have fewer points than the list has values; remove one');
  assert.match(errorOf(sweep('hw.dramMapping: { values: [RoBaRaCoCh, RoBaCoRaCh, RoBaRaCoCh] }')), /^x\.yaml:11:\d+: parameters\.hw\.dramMapping\.values\[2\]: "RoBaRaCoCh" is given twice \(items \[0\] and \[2\]/);
  assert.match(errorOf(sweep('hw.dramChannels: [16, 1.6e1]')), /parameters\.hw\.dramChannels\[1\]: 16 is given twice \(items \[0\] and \[1\]/);
  const p = parseSpace(sweep('algo.headKeep: [0.5, 0.25, 1]'), 'x.yaml');
  assert.deepEqual(p.domains[2], { key: 'algo.headKeep', kind: 'choice', values: [0.5, 0.25, 1] });
  assert.equal(gridSize(p.domains), 6 * 10 * 3);
});

test('hw.wordBits against the data it holds: every point too narrow is refused, some too narrow is a note naming the count', () => {
  const sweep = (lines: string, extra = '') => GOOD.replace('model: analytical', `fidelity: analytical${extra}`).replace('search:', `${lines}\nsearch:`);
  // 2 word widths × 3 MSB widths: (8, 12) and (10, 12) do not fit; 4 of 6 do
  const some = parseSpace(sweep('  hw.wordBits: [8, 10]\n  algo.msbBits: [6, 8, 12]'), 'x.yaml').notes;
  assert.deepEqual(some, ['x.yaml:11:3: 2 of the 6 combinations of hw.wordBits, algo.msbBits do not fit the on-chip word (at hw.wordBits 8, algo.msbBits 12: hw.wordBits 8 is below the 12 bits this point needs: the key, algo.msbBits = 12 bits, is stored in one word; hw.wordBits must be at least 12 (or narrow the data)): those points fail, recorded with the reason']);
  // values wider than keys set the need: 6-bit keys, 10-bit values
  assert.match(errorOf(sweep('  hw.wordBits: [8]', '\nalgo: { msbBits: 6, valueBits: 10 }')), /^x\.yaml:12:3: parameters\.hw\.wordBits: no point fits its on-chip word: at hw\.wordBits 8: hw\.wordBits 8 is below the 10 bits this point needs: the value, algo\.valueBits = 10 bits, is stored in one word; hw\.wordBits must be at least 10/);
  // a continuous range is checked by its ends: [8, 11] never holds a 12-bit key
  const lhs = (lines: string) => sweep(lines).replace('search: { driver: grid, seed: 1 }', 'search: { driver: lhs, samples: 8, seed: 1 }');
  assert.match(errorOf(lhs('  hw.wordBits: { range: [8, 11] }')), /parameters\.hw\.wordBits: no point fits its on-chip word: at hw\.wordBits 8: .*must be at least 12/);
  assert.equal(parseSpace(lhs('  hw.wordBits: { range: [8, 12] }'), 'x.yaml').notes.length, 1);
  // the GPT-2 benchmarks' 6 + 4-bit keys and 6/8-bit values fit a 10-bit word
  assert.deepEqual(parseSpace(sweep('', '\nhardware: { wordBits: 10 }').replace('{ model: gpt2-medium, stage: generation, seqLen: 992, genTokens: 32 }', '{ benchmark: gpt2-medium-wikitext2 }'), 'x.yaml').notes, []);
});

test("a trace's word need comes from its rows: MSBs + LSBs on the rows that take the LSB pass, values as they are", () => {
  // columns: iteration, layer, head, D, L, keys, quant_key_bit, quant_query_bit, thres, if_requant, incre, values, quant_value_bit, …
  const row = (layer: number, kb: number, req: string, vb: number) => `0,${layer},0,64.0,100,80,${kb},16,0.05,${req},4,16,${vb},True,False,False,-1`;
  const need = (rows: string[], trailer = '') => traceWordNeed(parseTrace([TRACE_COLUMNS.join(','), ...rows, trailer].join('\n'), 't.csv'), 't.csv').map((n) => n.bits);
  // 6-bit keys whose LSB pass is not taken (if_requant False): the word holds the 6 MSBs only
  assert.deepEqual(need([row(0, 6, 'False', 6)]), [6, 6]);
  // the same row taking it: 6 + 4 (the RTL's 4-bit LSB pass)
  assert.deepEqual(need([row(0, 6, 'True', 6)]), [10, 6]);
  // the official harness reads −1 (unquantized) keys as 8 + 4 bits, values as 8
  assert.deepEqual(need([row(0, 6, 'False', 6), row(1, -1, 'False', -1)]), [12, 8]);
  // exact widths (a trace this project wrote): 12-bit keys + a 4-bit pass, 10-bit values
  assert.deepEqual(need([row(0, 12, 'True', 10)], 'spatten-dse:stage=generation;model=gpt2-small'), [16, 10]);
  // the widest row is named
  const w = parseTrace([TRACE_COLUMNS.join(','), row(0, 6, 'False', 6), row(3, 8, 'True', 6)].join('\n'), 't.csv');
  assert.match(traceWordNeed(w, 'dir/t.csv')[0].why, /^the trace t\.csv's keys are 8-bit MSBs \+ 4-bit refetched LSBs = 12 bits in one word \(from iteration 0, layer 3, head 0\)$/);
  // the official traces: per8's 6-bit keys with the 4-bit pass on 323 heads, 6-bit values (10); the dense reference's −1 keys (8 + 4 = 12)
  const point = (file: string, scope?: 'e2e', fcWeightBits?: 8 | 12) => ({ hw: HardwareSchema.parse({}), algo: AlgoSchema.parse(fcWeightBits ? { fcWeightBits } : {}), workload: WorkloadSchema.parse({ trace: `sim/workload/traces/${file}`, ...(scope ? { scope } : {}) }) });
  assert.equal(wordBitsNeed(point('summary-gpt2-small-wikitext2-per8.csv')).bits, 10);
  assert.equal(wordBitsNeed(point('summary-gpt2-small-wikitext2-per8-step1+dedic.csv')).bits, 12);
  // SpAtten-e2e on a trace: its 12-bit FC weights set the need
  assert.deepEqual(wordBitsNeed(point('summary-gpt2-small-wikitext2-per8.csv', 'e2e', 12)).fields, ['algo.fcWeightBits', 'workload.scope']);
});

test('hw.wordBits against a trace workload: a space whose word never holds its rows is refused, some widths too narrow is a note', () => {
  const traced = (lines: string, extra = '') => `name: t
workload: { trace: sim/workload/traces/summary-gpt2-small-wikitext2-per8.csv }
fidelity: analytical
objectives:
  - { metric: latency_s, goal: min }
parameters:
${lines}
search: { driver: grid, seed: 1 }
${extra}`;
  assert.deepEqual(parseSpace(traced('  hw.wordBits: [8, 10, 12]'), 'x.yaml').notes, [
    "x.yaml:7:3: 1 of the 3 combinations of hw.wordBits do not fit the on-chip word (at hw.wordBits 8: hw.wordBits 8 is below the 10 bits this point needs: the trace summary-gpt2-small-wikitext2-per8.csv's keys are 6-bit MSBs + 4-bit refetched LSBs = 10 bits in one word (from iteration 0, layer 0, head 0); hw.wordBits must be at least 10 (the trace fixes its widths)): those points fail, recorded with the reason",
  ]);
  assert.match(errorOf(traced('  hw.dramChannels: [8, 16]', 'hardware: { wordBits: 9 }\n')), /^x\.yaml:9:13: hardware\.wordBits: no point fits its on-chip word: hw\.wordBits 9 is below the 10 bits/);
  // no word width written: the trace is where the data is widened
  assert.match(errorOf(traced('  hw.dramChannels: [8, 16]', 'hardware: { preset: spatten }\n').replace('fidelity: analytical', 'fidelity: analytical\nalgo: {}').replace('hardware: { preset: spatten }', 'hardware: { wordBits: 12 }').replace('trace: sim', 'scope: e2e, trace: sim').replace('search:', '  algo.fcWeightBits: [12]\nsearch:').replace('wordBits: 12', 'wordBits: 10')), /parameters\.algo\.fcWeightBits: no point fits its on-chip word: at algo\.fcWeightBits 12: hw\.wordBits 10 is below the 12 bits this point needs: the FC weights/);
  // a trace that cannot be found is left to the run, which names it
  assert.deepEqual(parseSpace(traced('  hw.wordBits: [8, 12]').replace('per8.csv', 'nope.csv'), 'x.yaml').notes, []);
});


/** A space with no problem; the stage tests below each put problems of several check stages in it. */
const STAGED = `name: staged
workload: { model: gpt2-small, stage: generation, seqLen: 128, genTokens: 4 }
hardware: { dramChannels: 8 }
objectives:
  - { metric: latency_s }
  - { metric: energy_j }
parameters:
  hw.topkParallelism: [4, 8]
  algo.tokenKeep: [0.5, 1.0]
search: { driver: grid }
`;

test('one load reports the problems of every stage (schema, parameters, semantics) in one error, ordered by line', () => {
  assert.equal(parseSpace(STAGED, 'x.yaml').domains.length, 2, 'the base space parses');
  const bad = STAGED.replace('dramChannels: 8', 'dramChanels: 8') // schema: an unknown key (line 3)
    .replace('metric: energy_j', 'metric: perplexity') // semantics: no accuracy block (line 6)
    .replace('hw.topkParallelism', 'hw.topkParalelism'); // parameters: an unknown parameter (line 8)
  assert.equal(
    errorOf(bad),
    [
      'x.yaml:3:13: hardware.dramChanels: unknown key "dramChanels" (did you mean "dramChannels"?)',
      'x.yaml:6:15: objectives[1].metric: "perplexity" needs an accuracy block, e.g. accuracy: { model: sotu-gpt, maxExamples: 500 }',
      'x.yaml:8:3: parameters.hw.topkParalelism: unknown parameter "hw.topkParalelism" (did you mean "hw.topkParallelism"?)',
    ].join('\n'),
  );
  // a later stage's problem on an earlier line comes first: the workload (line 2) before the search block (line 10)
  const order = STAGED.replace('stage: generation, seqLen: 128, genTokens: 4', 'stage: summarization, seqLen: 128, genTokens: 4').replace('driver: grid }', 'driver: grid, seeed: 2 }');
  const lines = errorOf(order).split('\n');
  assert.equal(lines.length, 2, lines.join('\n'));
  assert.match(lines[0], /^x\.yaml:2:\d+: workload\.genTokens: genTokens does not apply: the workload has no generation stage/);
  assert.match(lines[1], /^x\.yaml:10:\d+: search\.seeed: unknown key "seeed" \(did you mean "seed"\?\)$/);
});

test('a check that would read a value the schema refused is skipped, not run on the default: a misspelt driver, baseline or accuracy block', () => {
  // driver "randm" is refused; the range without a step and the samples are not judged by the grid default
  const driver = STAGED.replace('algo.tokenKeep: [0.5, 1.0]', 'algo.tokenKeep: { range: [0.5, 1.0] }').replace('driver: grid }', 'driver: randm, samples: 10 }').replace('[4, 8]', '[4, -8]');
  const d = errorOf(driver).split('\n');
  assert.equal(d.length, 2, d.join('\n'));
  assert.match(d[0], /^x\.yaml:8:27: parameters\.hw\.topkParallelism\[1\]: Too small/);
  assert.match(d[1], /^x\.yaml:10:\d+: search\.driver: "randm" is not one of /);
  // baseline "titan-x" is refused; the speedup objective is not called one without a baseline
  const baseline = STAGED.replace('metric: energy_j', 'metric: speedup') + 'baseline: titan-x\n';
  const b = errorOf(baseline).split('\n');
  assert.equal(b.length, 1, b.join('\n'));
  assert.match(b[0], /^x\.yaml:11:\d+: baseline: "titan-x" is not one of /);
  // an accuracy block with a refused field: its relative constraint is not called one without an accuracy block
  const accuracy = STAGED.replace('metric: energy_j', 'metric: accuracy').replace('parameters:', 'constraints: ["accuracy >= dense - 0.01", "area_mm2 <= banana"]\nparameters:').replace('{ model: gpt2-small, stage: generation, seqLen: 128, genTokens: 4 }', '{ model: bert-base, stage: summarization, seqLen: 128 }') + 'accuracy: { model: spam-bert, maxExamples: 0 }\n';
  const a = errorOf(accuracy).split('\n');
  assert.equal(a.length, 2, a.join('\n'));
  assert.match(a[0], /^x\.yaml:7:\d+: constraints\[1\]: cannot parse constraint "area_mm2 <= banana"/);
  assert.match(a[1], /^x\.yaml:12:\d+: accuracy\.maxExamples: Too small/);
});

test('an objective, constraint, chart or parameter the schema refuses is left out alone: the others are checked, named by their place in the file', () => {
  // objectives[1] refused; objectives[2] repeats objectives[0] and keeps its index
  const objectives = STAGED.replace('  - { metric: energy_j }\n', '  - { metric: latncy_s }\n  - { metric: latency_s }\n');
  const o = errorOf(objectives).split('\n');
  assert.equal(o.length, 2, o.join('\n'));
  assert.match(o[0], /^x\.yaml:6:\d+: objectives\[1\]\.metric: "latncy_s" is not one of .*did you mean "latency_s"/);
  assert.equal(o[1], 'x.yaml:7:15: objectives[2].metric: duplicate objective "latency_s"');
  // constraints[0] is not a string; constraints[1] does not parse: both named at their own index
  const constraints = STAGED.replace('parameters:', 'constraints: [5, "area_mm2 < x"]\nparameters:');
  const c = errorOf(constraints).split('\n');
  assert.equal(c.length, 2, c.join('\n'));
  assert.equal(c[0], 'x.yaml:7:15: constraints[0]: Invalid input: expected string, received number (5)');
  assert.match(c[1], /^x\.yaml:7:18: constraints\[1\]: cannot parse constraint "area_mm2 < x"/);
  // report[0] refused (an unknown key); report[1] and report[2] are checked and named at their own index
  const report = STAGED + 'report:\n  - { x: hw.topkParallelism, y: gops, colour: red }\n  - { x: hw.topkParallelism, y: energy_saving }\n  - { x: hw.nope, y: gops }\n';
  const r = errorOf(report).split('\n');
  assert.equal(r.length, 3, r.join('\n'));
  assert.equal(r[0], 'x.yaml:12:39: report[0].colour: unknown key "colour"');
  assert.match(r[1], /^x\.yaml:13:33: report\[1\]\.y: "energy_saving" needs a baseline/);
  assert.match(r[2], /^x\.yaml:14:10: report\[2\]\.x: "hw\.nope" is neither a parameter of this space/);
  // every parameter refused by the schema: the space is not also called empty
  const params = STAGED.replace('  hw.topkParallelism: [4, 8]\n  algo.tokenKeep: [0.5, 1.0]\n', '  hw.topkParallelism: { range: [4] }\n');
  const p = errorOf(params).split('\n');
  assert.equal(p.length, 1, p.join('\n'));
  assert.match(p[0], /^x\.yaml:8:\d+: parameters\.hw\.topkParallelism\.range/);
});

test('a file left without a valid objective reports the schema stage alone (nothing later can be checked)', () => {
  const none = STAGED.replace('  - { metric: latency_s }\n  - { metric: energy_j }\n', '  - { metric: latncy_s }\n').replace('hw.topkParallelism', 'hw.topkParalelism');
  const lines = errorOf(none).split('\n');
  assert.equal(lines.length, 1, lines.join('\n'));
  assert.match(lines[0], /^x\.yaml:5:\d+: objectives\[0\]\.metric: "latncy_s" is not one of /);
});

test('a report axis misspelt gets "did you mean", as an objective or a parameter does', () => {
  const msg = errorOf(GOOD + 'report: { x: hw.topkParalelism, y: latncy_s }\n');
  assert.match(msg, /x\.yaml:12:14: report\.x: "hw\.topkParalelism" is neither a parameter of this space \(hw\.topkParallelism, algo\.tokenKeep\) nor a metric \([^)]*\) \(did you mean "hw\.topkParallelism"\?\)$/m);
  assert.match(msg, /x\.yaml:12:36: report\.y: "latncy_s" is not a metric \([^)]*\) \(did you mean "latency_s"\?\)$/m);
  // a name far from every candidate gets none
  assert.doesNotMatch(errorOf(GOOD + 'report: { x: hw.topkParallelism, y: zzz }\n'), /did you mean/);
});

test('a required field left out is named as missing, with what it takes (not "expected string, received undefined")', () => {
  assert.match(errorOf(GOOD.replace('name: my-sweep\n', '')), /^x\.yaml:1:1: name: required field missing \(a string\)$/m);
  assert.match(errorOf(GOOD.replace('objectives:', 'objectivs:')), /^x\.yaml:1:1: objectives: required field missing \(a list\)$/m);
  assert.match(errorOf(GOOD.replace('{ metric: energy_j, goal: min }', '{ goal: min }')), /^x\.yaml:6:5: objectives\[1\]\.metric: required field missing \(one of latency_s, energy_j, dram_bytes, [^)]*perplexity\)$/m);
  assert.match(errorOf(GOOD + 'accuracy: { maxExamples: 4 }\n'), /^x\.yaml:12:11: accuracy\.model: required field missing \(a string\)$/m);
});
