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
    const s = await runSpace({ spaceFile: file, outDir: out, report: false, progress: 'none', jobs: 1, log: () => {} });
    const n = s.run.counts.total;
    const est = bytesPerPoint(s.run.parameters.length, c.bulky);
    // the peak: the journal, and points.csv beside the temporary body it is assembled from; the
    // journal's lines (as many as the host's load cuts: ~60 B each, dse/journal-batch.ts) included
    const peak = fs.statSync(path.join(out, 'journal.jsonl')).size + 2 * fs.statSync(path.join(out, 'points.csv')).size;
    assert.ok(est * n >= peak, `${c.name}: ${n} points wrote ${peak} B at the peak, estimated ${est * n} B`);
    // ... and is within 2x of what was written
    assert.ok(est * n <= 2 * peak, `${c.name}: the estimate ${est * n} B stays within 2x of the ${peak} B written`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * A host too loaded to finish two results within the executor's 100 ms journal interval writes a
 * journal line per result (dse/journal-flush.ts). Forced here both ways — `journalFlushMs` 0, a line
 * per point, and 10⁹, a line per batch of the driver as on an idle host — on a cycle-model grid and
 * on continuous random samples (the longest rows). The constant material of a step is on one head
 * line per journal; a batch line adds its own `{"batch":2,"head":N,"t":"<ISO time>","rows":[…]}`,
 * 60 B. (When every batch line carried the material, a line cost 1,254 B besides its rows here,
 * and a 54-point cycle grid's journal took 1,475 B a point at a line per point against 224 B in one
 * line: its peak disk use was 1.29x the estimate.)
 */
test('a journal costs about the same bytes a point at a line per point as at a line per batch; the estimate covers both', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'disk-note-lines-'));
  const cases = [
    { name: 'cyc18', bulky: true, factor: 1.3, yaml: space('cyc18', '  hw.qkMultipliers: [128, 256, 512]\n  hw.dramChannels: [4, 8, 16]\n  algo.tokenKeep: [0.5, 1]', 'cycle') + '\nsearch: { driver: grid }' },
    { name: 'rand10', bulky: false, factor: 1.2, yaml: space('rand10', ['clockGHz: { range: [0.5, 1.5] }', 'keySramKB: { range: [49, 784] }', 'valueSramKB: { range: [49, 784] }', 'dramChannelGBps: { range: [16, 64] }'].map((p) => `  hw.${p}`).concat(['tokenKeep: { range: [0.2, 1] }', 'headKeep: { range: [0.5, 1] }', 'valueKeep: { range: [0.3, 1] }', 'lsbThreshold: { range: [0.02, 0.2] }', 'tokenSpread: { range: [0, 0.9] }', 'headSpread: { range: [0, 0.9] }'].map((p) => `  algo.${p}`)).join('\n') + '\nsearch: { driver: random, samples: 120, seed: 4 }') },
  ];
  for (const c of cases) {
    const file = path.join(dir, `${c.name}.yaml`);
    fs.writeFileSync(file, c.yaml);
    const runs = [];
    for (const journalFlushMs of [0, 1e9]) {
      const out = path.join(dir, `${c.name}-${journalFlushMs}`);
      const s = await runSpace({ spaceFile: file, outDir: out, report: false, progress: 'none', jobs: 1, journalFlushMs, log: () => {} });
      const lines = fs.readFileSync(path.join(out, 'journal.jsonl'), 'utf8').trim().split('\n');
      const journal = fs.statSync(path.join(out, 'journal.jsonl')).size;
      const peak = journal + 2 * fs.statSync(path.join(out, 'points.csv')).size;
      runs.push({ n: s.run.counts.total, lines: lines.length, batchLines: lines.filter((l) => l.startsWith('{"batch":')).length, journal, peak, est: bytesPerPoint(s.run.parameters.length, c.bulky) * s.run.counts.total });
    }
    const [each, together] = runs;
    assert.equal(each.n, together.n, `${c.name}: the same points`);
    assert.equal(each.batchLines, each.n, `${c.name}: a batch line per point when results are journaled one at a time`);
    assert.ok(together.batchLines <= each.n / 10, `${c.name}: ${together.batchLines} batch lines for ${together.n} points journaled together`);
    // the same head lines either way: what the extra lines cost is their own ~60 B each
    assert.equal(each.lines - each.batchLines, together.lines - together.batchLines, `${c.name}: the same header and head lines`);
    const perLine = (each.journal - together.journal) / (each.batchLines - together.batchLines);
    assert.ok(perLine > 50 && perLine <= 64, `${c.name}: a batch line costs ${perLine.toFixed(1)} B besides its rows`);
    const ratio = each.journal / together.journal;
    assert.ok(ratio <= c.factor, `${c.name}: ${(each.journal / each.n).toFixed(0)} B a point at a line per point, ${(together.journal / together.n).toFixed(0)} B at ${together.batchLines} lines: ${ratio.toFixed(2)}x, at most ${c.factor}x`);
    for (const [how, r] of [['a line per point', each], ['a line per batch', together]] as const) assert.ok(r.est >= r.peak, `${c.name}, ${how}: ${r.n} points wrote ${r.peak} B at the peak, estimated ${r.est} B`);
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
