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
import type { BatchLine } from '../dse/journal-batch.ts';

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

/**
 * The journal lines a loaded host added to a run, and the bytes of their heads. The executor
 * writes a journal line per batch of the driver, cut whenever 100 ms of wall time have passed
 * since the last line (dse/executor.ts journalBatch), and each line repeats its head (key material,
 * parameter and metric names: ~1.3 KB). A loaded host stretches the same evaluations over more
 * wall time, so their rows are spread over more lines: 300 random points of 10 continuous
 * parameters wrote 8 lines on an idle 2-core host and 21 with the test's process stopped 85% of
 * the time (SIGSTOP/SIGCONT, as at load average 13-17): ~18 KB more, which the estimate (4% above
 * the idle run's peak) does not cover and should not. The lines an idle host would write are
 * replayed with the same rule on each row's evaluation time (`ms` in the journal) divided by the
 * run's slowdown (its wall time over the CPU time of this process, which evaluates every point
 * itself with --jobs 1); the heads of the lines beyond those are the host's, not the run's.
 */
function journalLinesOfHost(file: string, batchEnds: number[], slowdown: number): { lines: number; idle: number; bytes: number } {
  const lines = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{"batch":1,'));
  const heads = lines.map((l) => Buffer.byteLength(l.slice(0, l.indexOf('"rows":['))));
  const ms = new Map<number, number>();
  for (const l of lines) for (const row of (JSON.parse(l) as BatchLine).rows) ms.set(row[0], row[6] ?? 0);
  const ids = [...ms.keys()].sort((a, b) => a - b);
  let idle = 0;
  let from = 0;
  for (const end of batchEnds) {
    let elapsed = 0;
    let pending = 0;
    for (const id of ids.slice(from, end)) {
      elapsed += (ms.get(id) ?? 0) / slowdown;
      pending++;
      if (elapsed >= 100) [idle, elapsed, pending] = [idle + 1, 0, 0];
    }
    if (pending > 0) idle++;
    from = end;
  }
  const extra = heads.sort((a, b) => a - b).slice(0, Math.max(0, heads.length - idle));
  return { lines: extra.length, idle, bytes: extra.reduce((a, b) => a + b, 0) };
}

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
    const [cpu0, t0] = [process.cpuUsage(), performance.now()];
    // --jobs 1: every evaluation in this thread, so this process's CPU time is the run's (no worker threads)
    const s = await runSpace({ spaceFile: file, outDir: out, report: false, progress: 'none', jobs: 1, log: () => {} });
    const cpu = process.cpuUsage(cpu0);
    const slowdown = Math.max(1, (performance.now() - t0) / ((cpu.user + cpu.system) / 1000));
    const n = s.run.counts.total;
    const journal = path.join(out, 'journal.jsonl');
    const est = bytesPerPoint(s.run.parameters.length, c.bulky);
    // the peak: the journal, and points.csv beside the temporary body it is assembled from
    const peak = fs.statSync(journal).size + 2 * fs.statSync(path.join(out, 'points.csv')).size;
    // the estimate covers the peak less the heads of the journal lines a loaded host adds (journalLinesOfHost) ...
    const host = journalLinesOfHost(journal, s.run.hypervolume.map((h) => h.evals), slowdown);
    const why = `${peak} B written, of which ${host.bytes} B the heads of ${host.lines} journal lines beyond the ${host.idle} an idle host writes (slowdown ${slowdown.toFixed(1)}x)`;
    assert.ok(est * n >= peak - host.bytes, `${c.name}: ${n} points needed ${peak - host.bytes} B at the peak (${why}), estimated ${est * n} B`);
    // ... and is within 2x of what was written (a loaded host only writes more)
    assert.ok(est * n <= 2 * peak, `${c.name}: the estimate ${est * n} B stays within 2x of the ${peak} B written`);
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
