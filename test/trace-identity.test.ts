/**
 * A trace workload named by path outside the checkout: its contents are part of the journal's
 * identity, so a trace file whose rows were replaced is not answered from the journal of the old
 * rows (the model version covers only the traces under sim/).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileHash } from '../dse/file-hash.ts';

const ROOT = path.join(import.meta.dirname, '..');
const TRACES = path.join(ROOT, 'sim', 'workload', 'traces');

/** `run SPACE --out OUT …` in its own process: exit code, stderr, the latency column of points.csv. */
function run(spaceFile: string, out: string, ...more: string[]): { code: number | null; err: string; latency: number[] } {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'spatten-dse.js'), 'run', spaceFile, '--out', out, '--progress', 'none', '--no-report', ...more], { cwd: ROOT, encoding: 'utf8' });
  const csv = r.status === 0 ? fs.readFileSync(path.join(out, 'points.csv'), 'utf8').trim().split('\n') : [];
  const col = csv.length ? csv[0].split(',').indexOf('latency_s') : -1;
  return { code: r.status, err: r.stderr, latency: csv.slice(1).map((l) => Number(l.split(',')[col])) };
}

test('a rerun after the trace file\'s rows were replaced is not answered from the journal of the old rows', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trace-id-'));
  try {
    const trace = path.join(dir, 'trace.csv');
    fs.copyFileSync(path.join(TRACES, 'summary-gpt2-small-wikitext2-per8.csv'), trace);
    const spaceFile = path.join(dir, 'space.yaml');
    fs.writeFileSync(spaceFile, `name: trace-id\nworkload: { trace: ${JSON.stringify(trace)} }\nobjectives:\n  - { metric: latency_s, goal: min }\n  - { metric: energy_j, goal: min }\nparameters:\n  hw.dramChannels: [8, 16]\nsearch: { driver: grid }\n`);
    const out = path.join(dir, 'out');
    const per8 = run(spaceFile, out);
    assert.equal(per8.code, 0, per8.err);
    const journal = fs.readFileSync(path.join(out, 'journal.jsonl'), 'utf8');
    const h0 = fileHash(trace);
    fs.copyFileSync(path.join(TRACES, 'small.csv'), trace);
    assert.notEqual(fileHash(trace), h0);
    const refused = run(spaceFile, out);
    assert.equal(refused.code, 2, refused.err);
    assert.match(refused.err, /another version of space "trace-id" .*trace file contents/);
    assert.equal(fs.readFileSync(path.join(out, 'journal.jsonl'), 'utf8'), journal, 'journal untouched');
    const small = run(spaceFile, path.join(dir, 'small'));
    const again = run(spaceFile, out, '--fresh');
    assert.equal(again.code, 0, again.err);
    assert.deepEqual(again.latency, small.latency);
    // the two traces give other numbers: a reused journal would have answered with per8's
    for (const [a, b] of per8.latency.map((v, i) => [v, small.latency[i]])) assert.ok(a > 10 * b, `${a} vs ${b}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a long-lived process (a queue worker\'s threads, serve) reads a trace file whose rows were replaced at the same path again', async () => {
  const { evaluateHardware } = await import('../sim/index.ts');
  const { prepareRun } = await import('../dse/run.ts');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trace-cache-'));
  try {
    const trace = path.join(dir, 'trace.csv');
    fs.copyFileSync(path.join(TRACES, 'summary-gpt2-small-wikitext2-per8.csv'), trace);
    const spaceFile = path.join(dir, 'space.yaml');
    fs.writeFileSync(spaceFile, `name: trace-cache\nworkload: { trace: ${JSON.stringify(trace)} }\nobjectives:\n  - { metric: latency_s, goal: min }\n  - { metric: energy_j, goal: min }\nparameters:\n  hw.dramChannels: [8, 16]\nsearch: { driver: grid }\n`);
    const base = prepareRun({ spaceFile, outDir: path.join(dir, 'o') }).ctx.base;
    const latency = () => evaluateHardware(base, { fidelity: 'analytical' }).latency_s;
    const per8 = latency();
    fs.copyFileSync(path.join(TRACES, 'small.csv'), trace);
    const small = latency();
    assert.ok(per8 > 10 * small, `${per8} vs ${small}: the old rows were used`);
    fs.copyFileSync(path.join(TRACES, 'summary-gpt2-small-wikitext2-per8.csv'), trace);
    assert.equal(latency(), per8);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
