/**
 * End-to-end: the real CLI (bin/spatten-dse.js) in a child process, as a user runs it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseCsv } from '../reports/csv.ts';
import { dominates, toMinVector } from '../core/pareto.ts';

const BIN = path.join(import.meta.dirname, '..', 'bin', 'spatten-dse.js');

function cli(args: string[], cwd = path.join(import.meta.dirname, '..')) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const TINY = `name: tiny
workload: { model: gpt2-small, stage: generation, seqLen: 128, genTokens: 4 }
objectives:
  - { metric: latency_s, goal: min }
  - { metric: energy_j, goal: min }
  - { metric: area_mm2, goal: min }
constraints: ["area_mm2 <= 19"]
parameters:
  hw.dramChannels: [4, 8, 16]
  hw.qkMultipliers: [256, 512]
  algo.tokenKeep: [0.5, 1.0]
search: { driver: grid }
`;

/** Runs `yaml` as a space in a fresh folder without a report (exit 0 asserted): the folder, the output folder and its run.json. */
function runSpace(yaml: string): { dir: string; out: string; run: any } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sdse-'));
  const space = path.join(dir, 'space.yaml');
  writeFileSync(space, yaml);
  const out = path.join(dir, 'out');
  const r = cli(['run', space, '--out', out, '--progress', 'none', '--no-report']);
  assert.equal(r.code, 0, r.err);
  return { dir, out, run: JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8')) };
}

function readCsv(file: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(readFileSync(file, 'utf8'));
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
}

test('run writes the four files; pareto.csv is exactly the non-dominated feasible rows', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sdse-'));
  const space = path.join(dir, 'tiny.yaml');
  writeFileSync(space, TINY);
  const out = path.join(dir, 'out');
  const r = cli(['run', space, '--out', out, '--progress', 'none']);
  assert.equal(r.code, 0, r.err);
  for (const f of ['points.csv', 'pareto.csv', 'run.json', 'report.html']) assert.ok(existsSync(path.join(out, f)), f);
  const run = JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8'));
  const points = readCsv(path.join(out, 'points.csv'));
  const pareto = readCsv(path.join(out, 'pareto.csv'));
  assert.equal(points.length, 12);
  assert.deepEqual(run.objectives, [{ metric: 'latency_s', goal: 'min' }, { metric: 'energy_j', goal: 'min' }, { metric: 'area_mm2', goal: 'min' }]);
  for (const col of ['id', 'hw.dramChannels', 'hw.qkMultipliers', 'algo.tokenKeep', 'latency_s', 'energy_j', 'dram_bytes', 'area_mm2', 'power_w', 'gops', 'feasible', 'pareto', 'status', 'error']) {
    assert.ok(col in points[0], `column ${col}`);
  }
  // Independent check of the front from points.csv alone.
  const vec = (p: Record<string, string>) => toMinVector(Object.fromEntries(run.objectives.map((o: { metric: string }) => [o.metric, Number(p[o.metric])])), run.objectives);
  const feasible = points.filter((p) => p.status === 'ok' && Number(p.area_mm2) <= 19);
  assert.deepEqual(points.filter((p) => p.feasible === 'true').map((p) => p.id), feasible.map((p) => p.id));
  const expected = feasible.filter((p) => !feasible.some((q) => q !== p && dominates(vec(q), vec(p)))).map((p) => p.id);
  assert.ok(expected.length > 0, 'expected.length > 0');
  assert.deepEqual(pareto.map((p) => p.id), expected);
  assert.deepEqual(points.filter((p) => p.pareto === 'true').map((p) => p.id), expected);
  assert.equal(run.counts.pareto, expected.length);
  const html = readFileSync(path.join(out, 'report.html'), 'utf8');
  assert.match(html, /<svg/);
  assert.doesNotMatch(html, /(src|href)=["']https?:/);
});

test('bad input exits 2, names the line or field, and writes nothing', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sdse-'));
  const cases: [string, RegExp][] = [
    [TINY.replace('search: { driver: grid }', 'search: { driver: grid'), /bad\.yaml:\d+:\d+: YAML syntax error/],
    [TINY.replace('[4, 8, 16]', '[4, 8, 16]\n  hw.topkParallelism: -3'), /bad\.yaml:10:23: parameters\.hw\.topkParallelism: Too small/],
  ];
  for (const [text, re] of cases) {
    const space = path.join(dir, 'bad.yaml');
    writeFileSync(space, text);
    const out = path.join(dir, 'never');
    const r = cli(['run', space, '--out', out]);
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, re);
    assert.ok(!existsSync(out), 'nothing written');
  }
  const missing = cli(['run', path.join(dir, 'nope.yaml')]);
  assert.equal(missing.code, 2);
  assert.match(missing.err, /nope\.yaml: cannot read/);
  const badSet = cli(['simulate', '--set', 'hw.topkParallelism=-3']);
  assert.equal(badSet.code, 2);
  assert.match(badSet.err, /hw\.topkParallelism/);
  const badFlag = cli(['run', path.join(dir, 'bad.yaml'), '--jobs', 'two']);
  assert.equal(badFlag.code, 2);
  assert.deepEqual(readdirSync(dir).sort(), ['bad.yaml']);
});

test('simulate --json: every metric is a top-level key; doubling DRAM channels on gpt2-medium generation ≥ 1.6x faster', () => {
  const a = cli(['simulate', '--workload', 'gpt2-medium', '--stage', 'generation', '--json']);
  assert.equal(a.code, 0, a.err);
  const base = JSON.parse(a.out);
  for (const k of ['latency_s', 'energy_j', 'dram_bytes', 'area_mm2', 'power_w', 'gops', 'cycles']) assert.equal(typeof base[k], 'number', k);
  const b = JSON.parse(cli(['simulate', '--workload', 'gpt2-medium', '--stage', 'generation', '--json', '--set', 'hw.dramChannels=32']).out);
  assert.ok(base.latency_s / b.latency_s >= 1.6, `ratio ${base.latency_s / b.latency_s}`);
  assert.ok(Math.abs(base.area_mm2 - 18.71) / 18.71 <= 0.1, `area ${base.area_mm2}`);
});

test('schema prints a JSON Schema that names the parameter and search blocks', () => {
  const r = cli(['schema']);
  assert.equal(r.code, 0, r.err);
  const s = JSON.parse(r.out);
  assert.ok(s.properties.parameters && s.properties.search && s.properties.objectives, 's.properties.parameters && s.properties.search && s.properties.objectives');
  assert.deepEqual(s.required.sort(), ['name', 'objectives']);
});

test('a rerun with --no-report leaves no report.html of the earlier run beside the new run.json', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sdse-'));
  const space = path.join(dir, 'tiny.yaml');
  writeFileSync(space, TINY);
  const out = path.join(dir, 'out');
  // a budget-stopped run with its report (4 of 12 points) ...
  assert.equal(cli(['run', space, '--out', out, '--progress', 'none', '--max-evals', '4']).code, 0);
  assert.ok(existsSync(path.join(out, 'report.html')), 'existsSync(path.join(out, \'report.html\'))');
  // ... continued to all 12 without a report: the 4-point page must not stay as this run's report
  const r = cli(['run', space, '--out', out, '--progress', 'none', '--no-report']);
  assert.equal(r.code, 0, r.err);
  assert.equal(JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8')).counts.total, 12);
  assert.ok(!existsSync(path.join(out, 'report.html')), 'report.html of the 4-point run is still there');
  assert.match(r.out + r.err, /removed .*report\.html: it was drawn from the outputs of an earlier run/);
});

test('a rerun into the same folder without --resume says how many points came from the journal, and run.json records it', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sdse-'));
  const space = path.join(dir, 'tiny.yaml');
  writeFileSync(space, TINY);
  const out = path.join(dir, 'out');
  const run = (...extra: string[]) => {
    const r = cli(['run', space, '--out', out, '--progress', 'none', '--no-report', ...extra]);
    assert.equal(r.code, 0, r.err);
    return { err: r.err, evaluations: JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8')).evaluations };
  };
  // 5 of the 12 points, then the same command without the budget: 5 from the journal, 7 evaluated
  const a = run('--max-evals', '5');
  assert.deepEqual(a.evaluations, { reused: 0, reusedFromOtherFolders: 0, evaluated: 5, evaluatedFromScores: 0 });
  assert.doesNotMatch(a.err, /reused from the journal/);
  const b = run();
  assert.match(b.err, /^continuing: 5 evaluations reused from the journal, 7 new$/m);
  assert.deepEqual(b.evaluations, { reused: 5, reusedFromOtherFolders: 0, evaluated: 7, evaluatedFromScores: 0 });
  const c = run();
  assert.match(c.err, /^continuing: 12 evaluations reused from the journal, 0 new$/m);
  assert.deepEqual(c.evaluations, { reused: 12, reusedFromOtherFolders: 0, evaluated: 0, evaluatedFromScores: 0 });
  // from another folder's journal: counted apart
  const other = path.join(dir, 'other');
  const d = cli(['run', space, '--out', other, '--progress', 'none', '--no-report', '--reuse', out]);
  assert.equal(d.code, 0, d.err);
  // not a resume, and nothing from this folder's own journal (it has none)
  assert.match(d.err, /^reuse: 12 evaluations reused from the --reuse folders, 0 new$/m);
  assert.deepEqual(JSON.parse(readFileSync(path.join(other, 'run.json'), 'utf8')).evaluations, { reused: 12, reusedFromOtherFolders: 12, evaluated: 0, evaluatedFromScores: 0 });
  // a folder with 3 points of its own, continued with --reuse: 3 from its journal, the other 9 from out's
  const mixed = path.join(dir, 'mixed');
  assert.equal(cli(['run', space, '--out', mixed, '--progress', 'none', '--no-report', '--max-evals', '3']).code, 0);
  const m = cli(['run', space, '--out', mixed, '--progress', 'none', '--no-report', '--reuse', out]);
  assert.equal(m.code, 0, m.err);
  assert.match(m.err, /^continuing: 12 evaluations reused \(3 from this folder's journal, 9 from the --reuse folders\), 0 new$/m);
  assert.deepEqual(JSON.parse(readFileSync(path.join(mixed, 'run.json'), 'utf8')).evaluations, { reused: 12, reusedFromOtherFolders: 9, evaluated: 0, evaluatedFromScores: 0 });
});

test("simulate's area line names the same parts with the same numbers as run.json's highlight of that point", () => {
  const { run } = runSpace(TINY.replace('  hw.qkMultipliers: [256, 512]\n', '  hw.qkMultipliers: [256, 512]\n  hw.keySramKB: [98, 196]\n'));
  const h = run.highlights[0] as { params: Record<string, number>; area: Record<string, number> };
  const sets = Object.entries(h.params).flatMap(([k, v]) => ['--set', `${k}=${v}`]);
  const r = cli(['simulate', '-w', 'gpt2-small', '--stage', 'generation', '--seq-len', '128', '--gen-tokens', '4', ...sets]);
  assert.equal(r.code, 0, r.err);
  const line = r.out.split('\n').find((l) => l.startsWith('area (mm²): '));
  assert.ok(line, r.out);
  const parts = Object.fromEntries(line.slice('area (mm²): '.length).split(', ').map((kv) => kv.split(' ')).map(([k, v]) => [k, Number(v)]));
  assert.deepEqual(Object.keys(parts).sort(), Object.keys(h.area).sort());
  for (const [k, v] of Object.entries(h.area)) assert.ok(Math.abs(parts[k] - v) <= 1e-3 * Math.max(1, v), `${k}: simulate ${parts[k]}, run.json ${v}`);
});

test('fidelity both: a front point that meets a constraint by the analytical model only is named in the summary and run.json notes', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sdse-'));
  const one = (constraint: string) => `name: both-one
workload: { model: gpt2-small, stage: generation, seqLen: 128, genTokens: 4 }
fidelity: both
objectives: [{ metric: latency_s, goal: min }]
constraints: [${constraint}]
parameters: { algo.tokenKeep: [0.5] }
`;
  const space = path.join(dir, 'one.yaml');
  writeFileSync(space, one('"area_mm2 <= 100"'));
  assert.equal(cli(['run', space, '--out', path.join(dir, 'a'), '--progress', 'none', '--no-report']).code, 0);
  const [row] = readCsv(path.join(dir, 'a', 'points.csv'));
  const [a, c] = [Number(row.latency_s), Number(row.cycle_latency_s)];
  assert.ok(Number.isFinite(c) && a !== c, `${a} vs ${c}`);
  // a limit between the two models' latencies, which the analytical number meets
  const limit = ((a + c) / 2).toPrecision(6);
  writeFileSync(space, one(`"latency_s ${a < c ? '<=' : '>='} ${limit}"`));
  const r = cli(['run', space, '--out', path.join(dir, 'b'), '--progress', 'none', '--no-report']);
  assert.equal(r.code, 0, r.err);
  const run = JSON.parse(readFileSync(path.join(dir, 'b', 'run.json'), 'utf8'));
  assert.equal(run.counts.pareto, 1);
  const note = (run.notes ?? []).find((n: string) => n.startsWith('fidelity both:'));
  assert.ok(note, JSON.stringify(run.notes));
  assert.match(note, /1 front point meets the constraints by the analytical model but not by the cycle model: #0 cycle_latency_s/);
  assert.ok(r.out.includes(note), r.out);
});

test("the report's YAML snippet of a summarization point is a valid space file's workload/hardware/algo", async () => {
  const { yamlSnippet } = await import('../reports/commands.ts');
  const { parseSpace } = await import('../dse/space.ts');
  const { run } = runSpace(TINY.replace('{ model: gpt2-small, stage: generation, seqLen: 128, genTokens: 4 }', '{ model: bert-base, stage: summarization, seqLen: 128 }'));
  const snippet = yamlSnippet(run, run.highlights[0].params);
  assert.doesNotThrow(() => parseSpace(`name: snip\n${snippet}\nobjectives: [{ metric: latency_s, goal: min }]\nparameters: { hw.dramChannels: [16] }\n`, 'snip.yaml'), snippet);
});

test('a trace space run from another working directory continues the same journal', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sdse-trace dír-'));
  writeFileSync(path.join(dir, 'my trace.csv'), readFileSync(path.join(import.meta.dirname, '..', 'sim/workload/traces/small.csv')));
  const space = path.join(dir, 'space.yaml');
  writeFileSync(space, `name: t\nworkload: { trace: "my trace.csv" }\nobjectives:\n  - { metric: latency_s, goal: min }\nparameters:\n  hw.topkParallelism: [8, 16]\nsearch: { driver: grid }\n`);
  const out = path.join(dir, 'out');
  // from the checkout (the trace found next to the YAML), then from the space's own folder (found in the working directory)
  const a = cli(['run', space, '--out', out, '--progress', 'none', '--no-report']);
  assert.equal(a.code, 0, a.err);
  const b = cli(['run', 'space.yaml', '--out', 'out', '--progress', 'none', '--no-report'], dir);
  assert.equal(b.code, 0, b.err);
  assert.match(b.err, /^continuing: 2 evaluations reused from the journal, 0 new$/m);
});
