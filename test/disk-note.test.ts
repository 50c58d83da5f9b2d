/**
 * The note a run prints before it starts when its outputs may not fit on its folder's disk
 * (dse/disk-note.ts): its per-point estimate is checked against what real runs write.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runSpace } from '../dse/run.ts';
import { bytesPerPoint, diskNote } from '../dse/disk-note.ts';

const space = (name: string, params: string, fidelity = 'analytical') => `name: ${name}
workload: { model: gpt2-small, stage: generation, seqLen: 64, genTokens: 4 }
fidelity: ${fidelity}
objectives:
  - { metric: latency_s, goal: min }
  - { metric: energy_j, goal: min }
constraints: ["area_mm2 <= 20"]
parameters:
${params}
`;

test('the per-point estimate covers what runs write to points.csv and journal.jsonl (analytical grid, continuous random, cycle)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'disk-note-'));
  const cases = [
    { name: 'grid6', bulky: false, yaml: space('grid6', ['qkMultipliers: [64, 128, 256, 512]', 'pvMultipliers: [64, 128, 256, 512]', 'topkParallelism: [1, 2, 4, 8]', 'keySramKB: [49, 98, 196, 392]', 'valueSramKB: [49, 98, 196, 392]', 'dramChannels: [4, 8, 16, 32]'].map((p) => `  hw.${p}`).join('\n') + '\nsearch: { driver: grid }') },
    { name: 'rand10', bulky: false, yaml: space('rand10', ['clockGHz: { range: [0.5, 1.5] }', 'keySramKB: { range: [49, 784] }', 'valueSramKB: { range: [49, 784] }', 'dramChannelGBps: { range: [16, 64] }'].map((p) => `  hw.${p}`).concat(['tokenKeep: { range: [0.2, 1] }', 'headKeep: { range: [0.5, 1] }', 'valueKeep: { range: [0.3, 1] }', 'lsbThreshold: { range: [0.02, 0.2] }', 'tokenSpread: { range: [0, 0.9] }', 'headSpread: { range: [0, 0.9] }'].map((p) => `  algo.${p}`)).join('\n') + '\nsearch: { driver: random, samples: 300, seed: 4 }') },
    { name: 'cyc3', bulky: true, yaml: space('cyc3', '  hw.qkMultipliers: [128, 256]\n  hw.dramChannels: [4, 8]\n  algo.tokenKeep: [0.5, 1]', 'cycle') + '\nsearch: { driver: grid }' },
  ];
  for (const c of cases) {
    const file = path.join(dir, `${c.name}.yaml`);
    fs.writeFileSync(file, c.yaml);
    const out = path.join(dir, c.name);
    const s = await runSpace({ spaceFile: file, outDir: out, report: false, progress: 'none', log: () => {} });
    const n = s.run.counts.total;
    const written = fs.statSync(path.join(out, 'points.csv')).size + fs.statSync(path.join(out, 'journal.jsonl')).size;
    const est = bytesPerPoint(s.run.parameters.length, c.bulky);
    // the peak: the journal, and points.csv beside the temporary body it is assembled from
    const peak = written + fs.statSync(path.join(out, 'points.csv')).size;
    assert.ok(est * n >= peak, `${c.name}: ${n} points needed ${peak} B at the peak, estimated ${est * n} B`);
    assert.ok(est * n <= 2 * peak, `${c.name}: the estimate ${est * n} B stays within 2x of the ${peak} B needed`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a note when the outputs need more than 90% of the free space, none otherwise', () => {
  const per = bytesPerPoint(6, false);
  const note = diskNote('/tmp/x', 1_000_000, 6, false, 40e6);
  assert.ok(note?.startsWith(`this run needs about ${Math.round(per)} MB of disk (journal.jsonl, and points.csv twice while it is assembled: ~${per} B a point for 1.00×10^6 points) and /tmp/x has 40 MB free`), note);
  assert.equal(diskNote('/tmp/x', 1_000_000, 6, false, per * 1e6 / 0.85), undefined);
  assert.match(diskNote('/tmp/x', 10_000_000, 6, false, 1e9) ?? '', /about 8\.6 GB of disk \(.*~856 B a point for 1\.00×10\^7 points\) and \/tmp\/x has 1\.0 GB free/);
  assert.equal(diskNote('/tmp/x', Infinity, 6, false, 1), undefined, 'an unbounded budget: no estimate');
  // below 1 MB in kB: a 100 kB disk for 256 points of ~1,410 B
  assert.match(diskNote('/tmp/x', 256, 5, true, 102_400) ?? '', /about 361 kB of disk \(.*~1410 B a point for 256 points\) and \/tmp\/x has 102 kB free/);
});
