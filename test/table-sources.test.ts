import { test } from 'node:test';
import assert from 'node:assert/strict';
import baselines from '../sim/baselines/baselines.json' with { type: 'json' };
import platforms from '../sim/baselines/platforms.json' with { type: 'json' };
import benchmarks from '../sim/workload/benchmarks.json' with { type: 'json' };
import energy from '../sim/hw/tables/energy.json' with { type: 'json' };
import area from '../sim/hw/tables/area.json' with { type: 'json' };
import pipeline from '../sim/hw/tables/pipeline.json' with { type: 'json' };
import { MAX_ALLOCS } from '../sim/cycle/buffers.ts';
import { PAPER_KB_BYTES } from '../sim/cycle/geometry.ts';
import { HBM2_2GBPS_NS } from '../sim/cycle/hbm-timing.ts';
import { L_DRAM_REGS } from '../sim/cycle/latency.ts';

/**
 * Objects whose numbers are documented by a text field of their parent rather than a `source` of
 * their own: path → the parent's field that must be non-empty.
 */
const DOCUMENTED_BY_PARENT: Record<string, string> = {
  'energy.calibration.workload': 'workloadNote',
  'energy.calibration.algo': 'workloadNote',
  'benchmarks.settings.bert.algo': 'derivation',
  'benchmarks.settings.gpt2.algo': 'derivation',
};

const hasText = (x: unknown): boolean => typeof x === 'string' && x.trim().length >= 5;

/**
 * Every object that holds a number (directly, or as an array of numbers) must carry a non-empty
 * `source` string, unless DOCUMENTED_BY_PARENT names a text field of its parent that explains it.
 * Returns the paths that break the rule.
 */
function unsourcedNumbers(root: unknown, rootPath: string): string[] {
  const bad: string[] = [];
  const walk = (o: unknown, path: string, parent: Record<string, unknown> | undefined) => {
    if (Array.isArray(o)) {
      o.forEach((v, i) => walk(v, `${path}[${i}]`, parent));
      return;
    }
    if (!o || typeof o !== 'object') return;
    const r = o as Record<string, unknown>;
    const numeric = Object.entries(r).some(
      ([k, v]) => !k.startsWith('_') && (typeof v === 'number' || (Array.isArray(v) && v.some((x) => typeof x === 'number'))),
    );
    if (numeric) {
      const by = DOCUMENTED_BY_PARENT[path];
      if (by ? !hasText(parent?.[by]) : !hasText(r.source)) bad.push(path);
    }
    for (const [k, v] of Object.entries(r)) if (!k.startsWith('_')) walk(v, `${path}.${k}`, r);
  };
  walk(root, rootPath, undefined);
  return bad;
}

const TABLES: [string, unknown][] = [
  ['baselines', baselines],
  ['platforms', platforms],
  ['benchmarks', benchmarks],
  ['energy', energy],
  ['area', area],
  ['pipeline', pipeline],
];

test('every number in the cited-data tables (baselines, platforms, benchmarks, hw tables) has a non-empty source', () => {
  for (const [name, t] of TABLES) assert.deepEqual(unsourcedNumbers(t, name), [], `${name}.json: numbers without a source`);
});

test('the source check catches a removed, blank or missing source, and a number documented by no parent note', () => {
  const b = structuredClone(baselines) as Record<string, any>;
  delete b.a3.multipliers.source;
  b.mnnfast.powerW.source = '  ';
  b.paperRatios.vsA3.source = '';
  b.titanXp.extra = { value: 3 };
  assert.deepEqual(unsourcedNumbers(b, 'baselines').sort(), ['baselines.a3.multipliers', 'baselines.mnnfast.powerW', 'baselines.paperRatios.vsA3', 'baselines.titanXp.extra'].sort());
  const p = structuredClone(platforms) as Record<string, any>;
  delete p.platforms.rpi4.anchors.attentionLatencyS.source;
  delete p.calibrationWorkload.source;
  assert.deepEqual(unsourcedNumbers(p, 'platforms').sort(), ['platforms.calibrationWorkload', 'platforms.platforms.rpi4.anchors.attentionLatencyS']);
  const e = structuredClone(energy) as Record<string, any>;
  e.calibration.workloadNote = '';
  assert.deepEqual(unsourcedNumbers(e, 'energy'), ['energy.calibration.workload', 'energy.calibration.algo']);
  const k = structuredClone(benchmarks) as Record<string, any>;
  k.bertTasks[2].source = '';
  assert.deepEqual(unsourcedNumbers(k, 'benchmarks'), ['benchmarks.bertTasks[2]']);
});

test('the cycle model\'s literal copies of pipeline.json constants agree with the cited entries', () => {
  // sim/cycle keeps these as literals; pipeline.json's sources say they are the same values.
  assert.equal(MAX_ALLOCS, pipeline.keyBufferMaxAllocations.value, 'sim/cycle/buffers.ts MAX_ALLOCS vs keyBufferMaxAllocations');
  assert.equal(PAPER_KB_BYTES, pipeline.paperKBBytes.value, 'sim/cycle/geometry.ts PAPER_KB_BYTES vs paperKBBytes');
  // HBM2_2Gbps preset in ns (tCK = 1 ns): refresh period and refresh cycle time.
  assert.equal(HBM2_2GBPS_NS.tCK, 1, 'the preset is in 1-ns clocks');
  assert.equal(HBM2_2GBPS_NS.nREFI, pipeline.dramRefreshInterval.value, 'sim/cycle/hbm-timing.ts nREFI vs dramRefreshInterval');
  assert.equal(HBM2_2GBPS_NS.nRFC, pipeline.dramRefreshCycle.value, 'sim/cycle/hbm-timing.ts nRFC vs dramRefreshCycle');
  // the DRAM-side registers: the simulator reads them from pipeline.json, as the analytical model does
  assert.equal(L_DRAM_REGS, pipeline.dramRegisterLatency.value, 'sim/cycle/latency.ts L_DRAM_REGS vs dramRegisterLatency');
});
