/**
 * The highlights' measured relief (dse/relief.ts): each hardware resource doubled, one at a time.
 * The default sweep's knee named the pv stage (busy 88% of its cycles) as what bound its latency,
 * yet doubling hw.pvMultipliers moved it +0.2% and hw.qkMultipliers −10.5%: the recommendation and
 * the terminal's last line now say what the doubled evaluations measured.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AlgoSchema, HardwareSchema, WorkloadSchema, type HardwareConfig } from '../sim/schema.ts';
import { evaluateHardware } from '../sim/index.ts';
import { main } from '../dse/cli.ts';
import { parseRunJson, type Highlight, type RunJson } from '../core/results.ts';
import { kneeLine } from '../reports/recommend.ts';
import { reliefWords, reliefTable } from '../reports/relief.ts';
import { notesSection } from '../reports/sections.ts';
import { bindingText } from '../core/latency-bounds.ts';
import { writeReport } from '../reports/index.ts';

const WORKLOAD = { model: 'gpt2-small', stage: 'generation', seqLen: 128, genTokens: 4 } as const;
// inFlight at the schema's max (64): not doubled; topkParallelism 600 doubles to the max, 1024
const HW = { inFlight: 64, topkParallelism: 600 };

async function quiet(argv: string[]): Promise<number> {
  const we = process.stderr.write.bind(process.stderr);
  const wo = process.stdout.write.bind(process.stdout);
  process.stderr.write = (() => true) as typeof process.stderr.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    return await main(argv);
  } finally {
    process.stderr.write = we;
    process.stdout.write = wo;
  }
}

async function smallRun(): Promise<{ dir: string; run: RunJson }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sdse-relief-'));
  const space = path.join(dir, 'relief.yaml');
  writeFileSync(
    space,
    [
      'name: relief',
      `workload: { model: ${WORKLOAD.model}, stage: ${WORKLOAD.stage}, seqLen: ${WORKLOAD.seqLen}, genTokens: ${WORKLOAD.genTokens} }`,
      `hardware: { inFlight: ${HW.inFlight}, topkParallelism: ${HW.topkParallelism} }`,
      'fidelity: analytical',
      'objectives:',
      '  - { metric: latency_s }',
      '  - { metric: area_mm2 }',
      'constraints: ["area_mm2 <= 58"]',
      'parameters:',
      '  hw.qkMultipliers: [128, 512]',
      '  hw.dramChannels: [4, 16]',
      'search: { driver: grid }',
      '',
    ].join('\n'),
  );
  const out = path.join(dir, 'out');
  assert.equal(await quiet(['run', space, '--out', out, '--progress', 'none']), 0);
  return { dir: out, run: JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8')) as RunJson };
}

/** A highlight's hardware, built here from the space's hardware block and its parameters. */
function hwOf(h: Highlight): HardwareConfig {
  const set = Object.fromEntries(Object.entries(h.params).map(([k, v]) => [k.slice(3), v]));
  return HardwareSchema.parse({ ...HW, ...set });
}

/** The knobs' doubled values, by hand: softmax 0 = qkMultipliers / 64 lanes, topk 600 → 1024 (max), inFlight 64 at its max. */
function expectedDoubles(hw: HardwareConfig): Record<string, number> {
  return {
    qkMultipliers: 2 * hw.qkMultipliers,
    pvMultipliers: 2 * hw.pvMultipliers,
    topkParallelism: 1024,
    softmaxParallelism: 2 * (hw.qkMultipliers / 64),
    dramChannels: 2 * hw.dramChannels,
    keySramKB: 2 * hw.keySramKB,
    valueSramKB: 2 * hw.valueSramKB,
  };
}

const latency = (hw: HardwareConfig) =>
  evaluateHardware({ hw, algo: AlgoSchema.parse({}), workload: WorkloadSchema.parse(WORKLOAD) }, { fidelity: 'analytical' });

test('relief: each ratio is a separate evaluation with the knob doubled; a knob at its max is skipped; the knee line names the lowest ratio', async () => {
  const { dir, run } = await smallRun();
  const hs = run.highlights ?? [];
  assert.ok(hs.length >= 2, 'knee and best points');
  for (const h of hs) {
    const hw = hwOf(h);
    assert.equal(hw.softmaxParallelism, 0, 'the softmax lanes follow the Q·K rate');
    const base = latency(hw);
    const want = expectedDoubles(hw);
    assert.deepEqual(h.relief!.map((r) => r.knob), Object.keys(want).map((k) => `hw.${k}`), 'hw.inFlight (at 64, the max) is not doubled');
    for (const r of h.relief!) {
      const knob = r.knob.slice(3) as keyof HardwareConfig;
      assert.equal(r.to, want[knob], r.knob);
      const d = latency({ ...hw, [knob]: want[knob] });
      assert.ok(Math.abs(r.latencyRatio / (d.latency_s / base.latency_s) - 1) < 1e-12, `${r.knob}: ${r.latencyRatio} vs ${d.latency_s / base.latency_s}`);
      assert.ok(Math.abs(r.energyRatio / (d.energy_j / base.energy_j) - 1) < 1e-12, `${r.knob} energy`);
      assert.ok(Math.abs(r.areaDelta - (d.area_mm2 - base.area_mm2)) < 1e-9, `${r.knob} area`);
      assert.equal(!!r.breaks, d.area_mm2 > 58, `${r.knob}: ${d.area_mm2} mm² against area_mm2 <= 58`);
    }
  }
  // the knee line names the knob whose doubling gave the lowest latency, with its cut
  const knee = hs.find((h) => h.label.split(', ').includes('knee'))!;
  const hw = hwOf(knee);
  const base = latency(hw).latency_s;
  const ratios = Object.entries(expectedDoubles(hw)).map(([k, v]) => [k, latency({ ...hw, [k]: v }).latency_s / base] as const);
  const [bestKnob, bestRatio] = ratios.reduce((a, b) => (b[1] < a[1] ? b : a));
  assert.ok(bestRatio < 0.99, `some resource relieves the knee (${bestKnob} ${bestRatio})`);
  const swept = ['qkMultipliers', 'dramChannels'].includes(bestKnob) ? '' : ' (not swept)';
  const cut = `−${(100 * (1 - bestRatio)).toFixed(1)}%`;
  const line = kneeLine(parseRunJson(run))!;
  assert.ok(line.includes(`doubling hw.${bestKnob}${swept} cuts latency most (${cut}, `), line);
  assert.ok(!/bound by/.test(line), line);
  // and the bound that sets its latency: the largest of the knee's bounds, which is its latency
  const bounds = knee.bounds!;
  const largest = Math.max(...Object.entries(bounds).filter(([k]) => k.startsWith('limit_')).map(([, v]) => v));
  assert.ok(Math.abs(largest - knee.metrics.cycles) <= 0.5, `${largest} vs ${knee.metrics.cycles} (run.json's cycles are whole)`);
  assert.ok(line.includes(`, ${bindingText(bounds)}; doubling`), line);
  // the report shows the table with the best relief in bold
  await writeReport(dir);
  const html = readFileSync(path.join(dir, 'report.html'), 'utf8');
  assert.match(html, /Relief: each hardware resource doubled/);
  assert.ok(html.includes(`<b>${cut}</b>`), 'the knee\'s largest cut is bold');
  // a run.json written before relief was measured still renders, with the busiest stage and no relief claim
  const old = { ...run, highlights: hs.map(({ relief: _r, bounds: _b, ...h }) => h) };
  writeFileSync(path.join(dir, 'run.json'), JSON.stringify(old));
  await writeReport(dir);
  const oldHtml = readFileSync(path.join(dir, 'report.html'), 'utf8');
  assert.ok(!oldHtml.includes('Relief: each hardware resource doubled'));
  assert.match(oldHtml, /Why: busiest stage \w+ \(\d+% of its cycles\); over the run/);
  assert.ok(!kneeLine(parseRunJson(old))!.includes('doubling'));
});

const hl = (relief: Highlight['relief']): Highlight =>
  ({ id: 7, label: 'knee', params: { 'hw.qkMultipliers': 512 }, metrics: { latency_s: 1e-3, energy_j: 1e-2, cycles: 1000 }, stages: { pv: 880, qk: 800, overhead: 900 }, energy: {}, area: {}, relief }) as unknown as Highlight;
const r = (knob: string, latencyRatio: number, areaDelta: number, breaks?: string[]) => ({ knob, from: 1, to: 2, latencyRatio, energyRatio: 1, areaDelta, ...(breaks ? { breaks } : {}) });

test('relief words: the busiest stage, the best relief (swept or not), the best within the constraints and the busiest stage\'s own resource', () => {
  const h = hl([r('hw.qkMultipliers', 0.895, 4.48, ['area_mm2 <= 20']), r('hw.pvMultipliers', 1.0019, 1.9), r('hw.inFlight', 0.9473, 0)]);
  assert.equal(
    reliefWords(h, ['hw.qkMultipliers'], { stage: 'pv', share: 0.88 }),
    'busiest stage pv (88% of its cycles); doubling hw.qkMultipliers cuts latency most (−10.5%, +4.48 mm², breaks area_mm2 <= 20), ' +
      'within the constraints hw.inFlight (not swept) −5.3% (+0.00 mm²), doubling hw.pvMultipliers (not swept) +0.2%',
  );
  // no doubling cuts: no "cuts" claim
  const flat = hl([r('hw.pvMultipliers', 1.0, 1.9), r('hw.dramChannels', 1.001, 2.4)]);
  assert.equal(reliefWords(flat, [], { stage: 'pv', share: 0.88 }), 'busiest stage pv (88% of its cycles); doubling no single resource cuts latency (least change: hw.pvMultipliers (not swept) +0.0%)');
});

test('a highlight without relief (an older run.json) renders: no table, the busiest stage without a "bound by" claim', () => {
  const h = hl(undefined);
  const run = {
    parameters: ['hw.qkMultipliers'], metrics: ['latency_s', 'energy_j'], constraints: [], driver: 'grid', stopReason: 'completed',
    objectives: [{ metric: 'latency_s', goal: 'min' }, { metric: 'energy_j', goal: 'min' }],
    counts: { total: 1, ok: 1, failed: 0, feasible: 1, pareto: 1 }, highlights: [h],
  } as unknown as RunJson;
  assert.equal(reliefTable(run), '');
  assert.match(kneeLine(run)!, /; busiest stage pv \(88% of its cycles\)$/);
  const notes = notesSection(run, []).replace(/<[^>]+>/g, ' ');
  assert.match(notes, /Why: busiest stage pv \(88% of its cycles\)/);
  assert.ok(!/bound by/.test(notes), notes);
});
