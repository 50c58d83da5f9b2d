/**
 * The reports as a person sees them: rendered by headless Chromium (static, interactive, a
 * space-declared figure, a comparison of two runs). Checks that every chart shows its marks, that
 * the interactive page's scripts ran without errors and vega-embed drew every live chart.
 * Needs a `chromium` binary (apt-get install -y chromium; .ci/run installs it). Under CI=true a
 * missing browser fails the test; elsewhere the test is skipped with a printed reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { renderComparison, renderReport } from '../reports/index.ts';
import { syntheticRun } from './fixtures/synthetic-run.ts';

function findChromium(): string | undefined {
  for (const name of [process.env.CHROMIUM_BIN, 'chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'].filter(Boolean) as string[]) {
    try {
      const p = execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
      if (p) return p;
    } catch {
      // not on PATH
    }
  }
  return undefined;
}

const browser = findChromium();
const inCi = process.env.CI === 'true';
const skip = !browser && !inCi ? 'chromium not found: install it (apt-get install -y chromium) to check the reports in a browser' : false;
if (skip) console.log(`# SKIP report-browser: ${skip}`);

/** DOM after scripts ran (virtual time lets vega-embed finish) and the console lines Chromium logged. */
function load(file: string): { dom: string; log: string } {
  const r = spawnSync(
    browser!,
    ['--headless', '--no-sandbox', '--disable-gpu', '--enable-logging=stderr', '--v=0', '--virtual-time-budget=15000', '--window-size=1280,2400', '--dump-dom', `file://${file}`],
    { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 << 20 },
  );
  assert.equal(r.status, 0, `chromium failed: ${r.stderr}`);
  return { dom: r.stdout, log: r.stderr };
}

/** Every chart figure in the DOM and the number of drawn marks (paths, uses, text-free shapes) in its SVG or canvas. */
function charts(dom: string): { id: string; kind: string; marks: number; canvas: boolean; body: string }[] {
  return [...dom.matchAll(/<figure class="chart[^"]*" data-chart="(\w+)" id="([^"]+)">([\s\S]*?)<\/figure>/g)].map((m) => ({
    kind: m[1],
    id: m[2],
    marks: (m[3].match(/<(path|use|line|rect|circle)\b/g) ?? []).length,
    canvas: /<canvas\b/.test(m[3]),
    body: m[3],
  }));
}

function consoleErrors(log: string): string[] {
  return log.split('\n').filter((l) => /CONSOLE/.test(l) && /(Uncaught|Error|error)/.test(l));
}

test('headless Chromium: static, interactive, declared-figure and comparison reports display their charts', { skip }, async () => {
  assert.ok(browser, 'CI=true but no chromium binary on PATH: .ci/run must install it');
  const dir = mkdtempSync(path.join(tmpdir(), 'spatten-browser-'));
  try {
    const input = syntheticRun({ n: 400, seed: 5 });
    // a space-declared figure, as fig19a-topk.yaml declares it
    input.run.space = {
      report: { x: 'hw.topkParallelism', y: 'gops', normalize: { 'hw.topkParallelism': 16 }, reference: { label: 'paper', points: [[1, 0.2], [16, 1]] } },
    };
    const files = {
      static: path.join(dir, 'static.html'),
      live: path.join(dir, 'live.html'),
      compare: path.join(dir, 'compare.html'),
    };
    writeFileSync(files.static, await renderReport(input));
    writeFileSync(files.live, await renderReport(input, { interactive: true }));
    const other = syntheticRun({ n: 300, seed: 9 });
    writeFileSync(files.compare, await renderComparison([{ label: 'A', ...input }, { label: 'B', ...other }]));

    const st = load(files.static);
    const sc = charts(st.dom);
    const kinds = new Set(sc.map((c) => c.kind));
    for (const k of ['declared', 'pareto', 'constraint', 'parallel', 'latency', 'energy', 'area', 'hypervolume', 'accuracy']) assert.ok(kinds.has(k), `static report has a ${k} chart (has ${[...kinds]})`);
    for (const c of sc) assert.ok(c.marks >= 5, `static chart ${c.id} (${c.kind}) draws marks: ${c.marks}`);
    assert.match(st.dom, /id="sensitivity"/);
    assert.match(st.dom, /npx spatten-dse simulate/);
    assert.deepEqual(consoleErrors(st.log), []);

    const lv = load(files.live);
    assert.match(lv.dom, /<html[^>]*data-interactive="ready"/, 'boot script ran');
    assert.ok(!/<p class="err">interactive chart failed/.test(lv.dom), 'every vega-embed call succeeded');
    assert.deepEqual(consoleErrors(lv.log), []);
    const live = charts(lv.dom).filter((c) => c.kind !== 'constraint');
    assert.ok(live.length >= 8, 'live.length >= 8');
    for (const c of live) assert.ok(/class="[^"]*\bvega-embed\b/.test(c.body) && (c.marks >= 5 || c.canvas), `vega-embed drew ${c.id} (${c.kind})`);
    // the explorer: brush + one drop-down filter per parameter
    assert.match(lv.dom, /data-chart="explorer"/);
    assert.ok((lv.dom.match(/<select\b/g) ?? []).length >= 3, 'parameter filters are drop-downs');

    const cp = load(files.compare);
    const cc = charts(cp.dom);
    assert.equal(cc.length, 3, 'one overlay per objective pair');
    for (const c of cc) assert.ok(c.marks >= 5, `comparison chart ${c.id} draws marks`);
    assert.match(cp.dom, /hypervolume \(common reference\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
