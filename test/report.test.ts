import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import type { PointRow, RunJson } from '../core/results.ts';
import { formatMetric, runJsonText, writeRunOutputs } from '../dse/outputs.ts';
import { readRun, renderReport, writeReport, RunFolderError, PAPER_FIG21 } from '../reports/index.ts';
import { parseCsv } from '../reports/csv.ts';
import { fmtMetric } from '../core/format.ts';
import { compactSvg } from '../reports/render.ts';
import { front2d, wantsLog, sampleDeterministic } from '../reports/specs.ts';
import { CLASS_OP, CLASS_SZ, type SharedPoints } from '../reports/spec-base.ts';
import { EXPAND_ROW_JS } from '../reports/page.ts';
import { syntheticRun } from './fixtures/synthetic-run.ts';
import { register } from '../dse/commands/report.ts';
import { spawnSync } from 'node:child_process';

const EVIL = '<script>alert(1)</script>';

/** A synthetic run with hostile user strings in every place a user can put text. */
function fixture(n = 120): { run: RunJson; points: PointRow[] } {
  const input = syntheticRun({
    n,
    name: `${EVIL} & "quotes"`,
    yaml: `name: "${EVIL}"\n# R&D sweep <b>bold</b>\nconstraints: ["area_mm2 <= 1.6 && power_w < 2"]\n`,
    failRate: 0.05,
  });
  input.run.constraints.push(`power_w < 2 ${EVIL}`);
  input.run.stopReason = `budget <reached> ${EVIL}`;
  input.run.model = `analytical ${EVIL}`;
  input.run.driver = `random ${EVIL}`;
  if (input.run.highlights.length) input.run.highlights[0].label = `knee ${EVIL}`;
  // a string-valued parameter with hostile content
  input.run.parameters.push('algo.note');
  for (const p of input.points) p.params['algo.note'] = p.id % 2 ? `a,b "c" ${EVIL}` : 'plain';
  for (const p of input.points) if (p.status === 'failed') p.error = `boom ${EVIL} & <img src=x onerror=alert(2)>`;
  return input;
}

/** The fixture and its two renderings, computed once and shared by the tests that only read them. */
let cached: Promise<{ input: { run: RunJson; points: PointRow[] }; stat: string; live: string }> | undefined;
function rendered() {
  cached ??= (async () => {
    const input = fixture();
    return { input, stat: await renderReport(input), live: await renderReport(input, { interactive: true }) };
  })();
  return cached;
}

function tmp(): string {
  return mkdtempSync(path.join(tmpdir(), 'spatten-report-'));
}

function pairs(k: number): number {
  return (k * (k - 1)) / 2;
}

/** Every `<figure … data-chart="kind">` and the number of <svg> elements inside it. */
function figures(html: string): { kind: string; svgs: number }[] {
  return [...html.matchAll(/<figure class="chart[^"]*" data-chart="(\w+)"[^>]*>([\s\S]*?)<\/figure>/g)].map((m) => ({ kind: m[1], svgs: (m[2].match(/<svg[\s>]/g) ?? []).length }));
}

function stripScripts(html: string): string {
  return html.replace(/<script\b[^>]*>[\s\S]*?<\/script>/g, '');
}

test('static report: one SVG per objective pair, breakdowns, hypervolume and accuracy charts', async () => {
  const { input, stat: html } = await rendered();
  const figs = figures(html);
  const k = input.run.objectives.length;
  assert.equal(k, 3);
  assert.equal(figs.filter((f) => f.kind === 'pareto').length, pairs(k));
  for (const kind of ['latency', 'energy', 'area', 'hypervolume', 'accuracy']) assert.equal(figs.filter((f) => f.kind === kind).length, 1, kind);
  for (const f of figs) assert.equal(f.svgs, 1, `${f.kind} has one svg`);
  assert.equal((html.match(/<svg[\s>]/g) ?? []).length, figs.length);
  // Fig. 21 labels, both curves
  for (const c of PAPER_FIG21) assert.ok(html.includes(c.label), c.label);
  // our ratio counts the pruned layers only (the front layers stay dense): the axis and caption say so
  const acc = html.match(/<figure class="chart[^"]*" data-chart="accuracy"[^>]*>([\s\S]*?)<\/figure>/)![1];
  assert.match(acc, /pruning ratio in the pruned layers \(× = 1 \/ keep\)/);
  assert.match(acc, /over all layers fewer tokens or heads go than this ratio says; /);
  // static: no scripts at all
  assert.ok(!/<script\b/i.test(html), '!/<script\\b/i.test(html)');
});

test('front table has exactly the pareto rows', async () => {
  const { input, stat: html } = await rendered();
  const table = html.match(/<table class="front">([\s\S]*?)<\/table>/);
  assert.ok(table, 'table');
  const ids = [...table[1].matchAll(/<tr data-id="(\d+)">/g)].map((m) => Number(m[1])).sort((a, b) => a - b);
  const expected = input.points.filter((p) => p.pareto).map((p) => p.id).sort((a, b) => a - b);
  assert.ok(expected.length > 0, 'expected.length > 0');
  assert.deepEqual(ids, expected);
});

test('user strings are escaped everywhere', async () => {
  const r = await rendered();
  for (const interactive of [false, true]) {
    const html = interactive ? r.live : r.stat;
    // outside of the inlined library bundles no raw <script>alert appears
    assert.ok(!stripScripts(html).includes('<script>alert'), `static part of interactive=${interactive}`);
    assert.ok(!html.includes('<script>alert'), `whole file interactive=${interactive}`);
    assert.ok(!html.includes('<img src=x'), '!html.includes(\'<img src=x\')');
    assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;'), 'escaped name');
    assert.ok(html.includes('# R&amp;D sweep &lt;b&gt;bold&lt;/b&gt;'), 'escaped YAML');
    assert.ok(html.includes('boom &lt;script&gt;'), 'escaped error');
    assert.ok(html.includes('a,b &quot;c&quot; &lt;script&gt;'), 'escaped string param');
  }
});

test('no network references in src/href attributes (static and interactive)', async () => {
  const r = await rendered();
  for (const html of [r.stat, r.live]) {
    const outsideScripts = stripScripts(html);
    const attrs = [...outsideScripts.matchAll(/\s(?:src|href|xlink:href)\s*=\s*["']?([^"'\s>]*)/gi)].map((m) => m[1]);
    for (const a of attrs) assert.ok(!/^\s*(https?:)?\/\//i.test(a), `network reference ${a}`);
    assert.ok(!/(?:src|href)\s*=\s*["']?\s*https?:/i.test(html), 'no http(s) src/href anywhere');
    assert.ok(!/sourceMappingURL/.test(html), '!/sourceMappingURL/.test(html)');
  }
});

test('interactive report inlines the three vega bundles once and embeds parseable specs', async () => {
  const { input, live: html } = await rendered();
  const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
  const code = scripts.filter((s) => !/type="application\/json"/.test(s[1]));
  const json = scripts.filter((s) => /type="application\/json"/.test(s[1]));
  // vega, vega-lite, vega-embed + the boot script
  assert.equal(code.length, 4);
  assert.equal(code.filter((s) => s[2].includes('vegaEmbed')).length >= 1, true);
  assert.equal((html.match(/vega-lite@|vegaLite/g) ?? []).length > 0, true);
  const figs = figures(html);
  // one spec per live chart (every chart but the static-only constraint chart) + the shared points dataset
  assert.equal((html.match(/data-spec="/g) ?? []).length, figs.filter((f) => f.kind !== 'constraint').length);
  assert.equal(json.length, figs.filter((f) => f.kind !== 'constraint').length + 1);
  const shared = json.find((s) => /id="shared-points"/.test(s[1]));
  assert.ok(shared, 'shared');
  const data = JSON.parse(shared[2]) as SharedPoints;
  assert.equal(data.rows.length, input.points.filter((p) => p.status === 'ok').length);
  // the boot script's expansion (run as the page runs it): each row plus its class's opacity and
  // size and the point's params string
  const expand = new Function(`return (${EXPAND_ROW_JS})`)() as (d: SharedPoints, r: Record<string, unknown>) => Record<string, unknown>;
  const rows = data.rows.map((r) => expand(data, r));
  const byId = new Map(input.points.map((p) => [p.id, p]));
  rows.forEach((r, i) => {
    const p = byId.get(r.id as number)!;
    const params = Object.entries(p.params).map(([k, v]) => `${k.replace(/^(hw|algo|workload)\./, '')}=${v}`).join(' ');
    const cls = String(r.cls);
    assert.deepEqual(r, { ...data.rows[i], op: CLASS_OP[cls], sz: CLASS_SZ[cls], params });
    assert.equal(typeof r.op, 'number');
    assert.equal(typeof r.sz, 'number');
  });
  assert.ok(rows.some((r) => String(r.params).includes(EVIL)), 'hostile param kept as data');
  for (const s of json) {
    assert.ok(!s[2].includes('<'), 'no raw < inside embedded JSON');
    const spec = JSON.parse(s[2]);
    assert.equal(typeof spec, 'object');
    assert.ok(Array.isArray(spec) || spec.data || spec.layer || spec.hconcat || Array.isArray(spec.rows), 'Array.isArray(spec) || spec.data || spec.layer || spec.hconcat || Array.isArray(spec.rows)');
  }
  // every container points at an existing spec
  for (const m of html.matchAll(/data-spec="([^"]+)"/g)) assert.ok(html.includes(`id="${m[1]}"`), 'html.includes(`id="${m[1]}"`)');
  // the evil name survives JSON round trip as data, not markup
  const all = json.map((s) => s[2]).join('');
  assert.ok(!all.includes('</script'), '!all.includes(\'</script\')');
  // bundles inlined once each
  assert.equal((html.match(/vegaEmbed=/g) ?? []).length, 1);
});

test('readRun(writeRunOutputs(...)) round-trips numbers, strings and flags', async () => {
  const input = fixture(60);
  // awkward numbers
  const p0 = input.points.find((p) => p.status === 'ok')!;
  p0.metrics.latency_s = 1.2345678901234567e-7;
  p0.metrics.dram_bytes = 123456789012;
  p0.metrics.energy_j = 0.1 + 0.2;
  const dir = tmp();
  try {
    writeRunOutputs(dir, input.run, input.points);
    const back = await readRun(dir);
    const q0 = back.points.find((q) => q.id === p0.id)!;
    assert.equal(q0.metrics.latency_s, 1.23457e-7);
    assert.equal(q0.metrics.energy_j, 0.3);
    assert.equal(q0.metrics.dram_bytes, 123456789012);
    assert.equal(back.run.name, input.run.name);
    assert.deepEqual(back.run.objectives, input.run.objectives);
    assert.equal(back.points.length, input.points.length);
    for (const [i, p] of input.points.entries()) {
      const q = back.points[i];
      assert.equal(q.id, p.id);
      assert.equal(q.feasible, p.feasible);
      assert.equal(q.pareto, p.pareto);
      assert.equal(q.status, p.status);
      assert.equal(q.error, p.error);
      assert.equal(q.fidelity, p.fidelity);
      assert.deepEqual(q.params, p.params);
      for (const m of input.run.metrics) {
        // written at their precision (dse/outputs.ts formatMetric): counts as integers, else 6 significant digits
        if (Number.isFinite(p.metrics[m])) assert.equal(q.metrics[m], formatMetric(m, p.metrics[m]), `${m} of #${p.id}`);
        else assert.ok(Number.isNaN(q.metrics[m]), 'Number.isNaN(q.metrics[m])');
      }
    }
    assert.equal(typeof back.points[0].params['hw.topkParallelism'], 'number');
    assert.equal(typeof back.points[0].params['algo.note'], 'string');
    // writeReport: atomic, no temp files left
    const r = await writeReport(dir);
    assert.ok(existsSync(r.path), 'existsSync(r.path)');
    assert.ok(readFileSync(r.path, 'utf8').startsWith('<!DOCTYPE html>'), 'readFileSync(r.path, \'utf8\').startsWith(\'<!DOCTYPE html>\')');
    assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('run.json: the highlights\' DRAM bytes by tensor are written as integers, like dram_bytes', () => {
  const input = fixture(60);
  const h = input.run.highlights![0];
  // the analytical model's expected bytes are fractional (the default sweep's knee: K LSB 101676990.75)
  h.dram = { Q: 1179648, 'K MSB': 204493824, 'K LSB': 101676990.75, V: 204493824.4 };
  h.metrics.dram_bytes = 1179648 + 204493824 + 101676990.75 + 204493824.4;
  const back = JSON.parse(runJsonText(input.run)) as RunJson;
  const d = back.highlights![0].dram!;
  assert.deepEqual(d, { Q: 1179648, 'K MSB': 204493824, 'K LSB': 101676991, V: 204493824 });
  // the split still adds up to the point's dram_bytes as written (511844287.15 → 511844287)
  assert.equal(back.highlights![0].metrics.dram_bytes, 511844287);
  assert.equal(d.Q + d['K MSB'] + d['K LSB'] + d.V, 511844287);
  // a highlight without a split gets none
  assert.equal(back.highlights![1].dram, undefined);
});

test('summary and header name the hardware model "fidelity", as the CLI, the space and points.csv do (not "model", the workload\'s word)', async () => {
  const input = syntheticRun({ n: 40 });
  input.run.fidelity = 'both';
  input.run.model = 'both';
  const html = await renderReport(input);
  assert.match(html, /<tr><th>fidelity<\/th><td>both<\/td><\/tr>/);
  assert.match(html, /spatten-dse run · fidelity both · driver/);
  assert.doesNotMatch(html, /<tr><th>model<\/th>/);
  // a run.json of an earlier version, with only the old key
  delete input.run.fidelity;
  input.run.model = 'cycle';
  assert.match(await renderReport(input), /<tr><th>fidelity<\/th><td>cycle<\/td><\/tr>/);
});

test('summary: the hypervolume says what it is normalised over and the most it can reach (1.1^k)', async () => {
  const hvRow = (html: string) => html.match(/<tr><th>hypervolume<\/th><td>(.*?)<\/td><\/tr>/)![1].replace(/&#39;/g, "'");
  const three = syntheticRun({ n: 40 });
  three.run.hypervolume = [{ evals: 40, hv: 1.17327 }];
  three.run.hvReference = [1.1, 1.1, 1.1];
  const row3 = hvRow(await renderReport(three));
  assert.match(row3, /^1\.173 after 40 evaluations/);
  // 1.1 × 1.1 × 1.1 = 1.331: the volume a single point best on every objective dominates
  assert.match(row3, /each objective normalised to 0 … 1 over the run's feasible points; reference point \[1\.1, 1\.1, 1\.1\], so at most 1\.331, one point best on every objective/);
  three.run.hvReference = [1.1, 1.1];
  assert.match(hvRow(await renderReport(three)), /so at most 1\.21,/);
  // a run.json without a reference still names the normalisation
  delete three.run.hvReference;
  assert.match(hvRow(await renderReport(three)), /\(each objective normalised to 0 … 1 over the run's feasible points\)/);
});

test('summary: an objective is named without the CSV\'s base unit when its front extent is printed in another (latency in ms, not "latency (s)")', async () => {
  const input = syntheticRun({ n: 40 });
  const html = await renderReport(input);
  const row = html.match(/<tr><th>objectives<\/th><td>(.*?)<\/td><\/tr>/)![1];
  const front = input.points.filter((p) => p.pareto).map((p) => p.metrics.latency_s);
  // the extent in engineering units (this fixture's front: 396.4 µs … 12.88 ms)
  assert.ok(row.includes(`minimise <code>latency_s</code> <span class="muted">(latency) — front spans ${fmtMetric('latency_s', Math.min(...front))} … ${fmtMetric('latency_s', Math.max(...front))}</span>`), row);
  assert.match(row, /\(latency\) — front spans 396\.4 µs … 12\.88 ms/);
  assert.match(row, /\(energy\) — front spans [\d.]+ µJ … [\d.]+ mJ/);
  assert.doesNotMatch(row, /\(latency \(s\)\)|\(energy \(J\)\)/);
});

test('readRun: clear errors for missing or malformed folders', async () => {
  const dir = tmp();
  try {
    await assert.rejects(readRun(path.join(dir, 'nope')), (e: unknown) => e instanceof RunFolderError && /not found/.test((e as Error).message));
    await assert.rejects(readRun(dir), (e: unknown) => e instanceof RunFolderError && /no run\.json/.test((e as Error).message));
    writeFileSync(path.join(dir, 'run.json'), '{ not json');
    await assert.rejects(readRun(dir), (e: unknown) => e instanceof RunFolderError && /not valid JSON/.test((e as Error).message));
    writeFileSync(path.join(dir, 'run.json'), JSON.stringify({ name: 'x', parameters: [], metrics: 'latency_s', objectives: [] }));
    await assert.rejects(readRun(dir), (e: unknown) => e instanceof RunFolderError && /"metrics"/.test((e as Error).message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('CLI: report <DIR> writes report.html; a bad folder exits 2', async () => {
  const make = () => {
    const program = new Command().exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
    register(program);
    return program;
  };
  const dir = tmp();
  const out = process.stdout.write;
  try {
    const input = fixture(40);
    writeRunOutputs(dir, input.run, input.points);
    process.stdout.write = (() => true) as typeof process.stdout.write;
    await make().parseAsync(['report', dir, '--interactive'], { from: 'user' });
    process.stdout.write = out;
    assert.ok(readFileSync(path.join(dir, 'report.html'), 'utf8').includes('vegaEmbed'), 'readFileSync(path.join(dir, \'report.html\'), \'utf8\').includes(\'vegaEmbed\')');
    const missing = path.join(dir, 'missing');
    await assert.rejects(make().parseAsync(['report', missing], { from: 'user' }), (e: unknown) => (e as { exitCode?: number }).exitCode === 2 && /not found/.test((e as Error).message));
    mkdirSync(missing);
    writeFileSync(path.join(missing, 'run.json'), '[]');
    await assert.rejects(make().parseAsync(['report', missing], { from: 'user' }), (e: unknown) => (e as { exitCode?: number }).exitCode === 2 && !(e instanceof CommanderError));
  } finally {
    process.stdout.write = out;
    rmSync(dir, { recursive: true, force: true });
  }
});

test('large run: sampled non-front points, all front points kept', async () => {
  const input = syntheticRun({ n: 3000, seed: 3 });
  const html = await renderReport(input, { maxOtherPoints: 400 });
  assert.ok(/deterministic sample/.test(html), '/deterministic sample/.test(html)');
  assert.ok(html.length < 1_500_000, `${html.length} bytes`);
});

test('one-objective and breakdown-less runs still render', async () => {
  const input = syntheticRun({ n: 30, objectives: [{ metric: 'latency_s', goal: 'min' }], accuracy: false });
  input.run.highlights = [];
  input.run.hypervolume = [];
  const html = await renderReport(input);
  const figs = figures(html);
  // the objective per evaluation, and the area constraint (not an objective) against it
  assert.deepEqual(figs.map((f) => f.kind), ['objective', 'constraint']);
  assert.ok(html.includes('recorded no highlighted points'), 'html.includes(\'recorded no highlighted points\')');
});

test('helpers: CSV parser, 2-D front, log decision, sampling, SVG compaction', () => {
  assert.deepEqual(parseCsv('a,b\r\n"x,1","say ""hi""\nthere"\n3,\n'), [['a', 'b'], ['x,1', 'say "hi"\nthere'], ['3', '']]);
  const pts = [
    { x: 1, y: 5 },
    { x: 2, y: 3 },
    { x: 3, y: 4 },
    { x: 4, y: 1 },
  ];
  assert.deepEqual(front2d(pts, 'min', 'min').map((p) => p.x), [1, 2, 4]);
  assert.deepEqual(front2d(pts, 'max', 'max').map((p) => p.x), [1, 3, 4]);
  assert.equal(wantsLog([1, 50]), false);
  assert.equal(wantsLog([1, 500]), true);
  assert.equal(wantsLog([0, 500]), false);
  const s = sampleDeterministic([...Array(100).keys()], 10);
  assert.equal(s.length, 10);
  assert.deepEqual(s, sampleDeterministic([...Array(100).keys()], 10));
  assert.deepEqual(s, s.slice().sort((a, b) => a - b));
  const p = '<path transform="translate(1.23456,2)" d="M0,0L1.111111,2L3,4L5,6L7,8L9,9Z" fill="red"/>';
  const svg = compactSvg(`<svg x="1">${p.repeat(10)}</svg>`, 'c');
  assert.ok(svg.startsWith('<svg x="1"><defs><path id="c-s0" d="M0,0L1.11,2L3,4L5,6L7,8L9,9Z"/></defs>'), 'svg.startsWith(\'<svg x="1"><defs><path id="c-s0" d="M0,0L1.11,2L3,4L5,6L7,8L9,9Z"/></defs>\')');
  assert.equal((svg.match(/<use href="#c-s0" transform="translate\(1.23,2\)" fill="red"\/>/g) ?? []).length, 10);
});

test('degenerate runs render: no points, all failed, no objectives', async () => {
  const empty = syntheticRun({ n: 0 });
  let html = await renderReport(empty);
  assert.ok(html.includes('No point is on the front.'), 'html.includes(\'No point is on the front.\')');
  assert.ok(!html.includes('chart could not be rendered'), '!html.includes(\'chart could not be rendered\')');
  const failed = syntheticRun({ n: 12, failRate: 1 });
  html = await renderReport(failed, { interactive: true });
  assert.ok(html.includes('Failed evaluations (12)'), 'html.includes(\'Failed evaluations (12)\')');
  assert.ok(!html.includes('chart could not be rendered'), '!html.includes(\'chart could not be rendered\')');
  const none = syntheticRun({ n: 10 });
  none.run.objectives = [];
  html = await renderReport(none);
  assert.ok(html.includes('No objectives.'), 'html.includes(\'No objectives.\')');
});

test('a report drawn from a sample of the run says how many points the run had, and that points.csv has them all', async () => {
  const input = fixture();
  const total = input.points.length;
  const kept = input.points.filter((p, i) => p.pareto || i % 3 === 0);
  input.run.counts = { ...input.run.counts, total };
  const html = await renderReport({ run: input.run, points: kept });
  assert.match(html, new RegExp(`<p class="sub">[^<]*· ${total} points`), 'header counts the run');
  assert.match(html, new RegExp(`this report draws ${kept.length} of them: the front, a sample and each parameter's extremes; points.csv has every point`));
  // every row drawn: no note
  assert.doesNotMatch(await renderReport(input), /this report draws/);
});

test('report DIR on a run with more points than the report sample rewrites the report the run wrote, byte for byte (static and interactive)', () => {
  // 5,000 ok points: more than the run keeps for its report (a sample of 4,000 beside the front)
  const dir = tmp();
  try {
    const space = path.join(dir, 'grid.yaml');
    writeFileSync(
      space,
      `name: regen
workload: { model: gpt2-medium, stage: generation, seqLen: 992, genTokens: 32 }
fidelity: analytical
objectives:
  - { metric: latency_s, goal: min }
  - { metric: energy_j, goal: min }
constraints: ["area_mm2 <= 20"]
parameters:
  hw.qkMultipliers: [64, 128, 192, 256, 320, 384, 448, 512, 768, 1024]
  hw.topkParallelism: [1, 2, 3, 4, 6, 8, 12, 16, 24, 32]
  hw.clockGHz: [0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.1, 1.2, 1.3, 1.4]
  hw.keySramKB: [49, 98, 147, 196, 245]
search: { driver: grid }
`,
    );
    const bin = path.join(import.meta.dirname, '..', 'bin', 'spatten-dse.js');
    const cli = (...args: string[]) => {
      const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
      assert.equal(r.status, 0, r.stderr);
    };
    for (const extra of [[], ['--interactive']]) {
      const out = path.join(dir, `out${extra.length}`);
      cli('run', space, '--out', out, '--progress', 'none', ...extra);
      const written = readFileSync(path.join(out, 'report.html'), 'utf8');
      assert.match(written, /5000 total · 5000 ok/);
      assert.match(written, /this report draws \d+ of them: the front, a sample and each parameter's extremes; points\.csv has every point/);
      rmSync(path.join(out, 'report.html'));
      cli('report', out, ...extra);
      assert.ok(readFileSync(path.join(out, 'report.html'), 'utf8') === written, `report ${extra.join(' ')}: regenerated page differs from the run's`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
