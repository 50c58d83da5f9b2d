/**
 * A run builds the report's rows (RunSink.reportRows: the front and the sample, converted to
 * PointRows) once: with accuracy on, run.json's separability and the write step both read them;
 * run.json's paired effects are over every row.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runSpace } from '../dse/run.ts';
import { RunSink } from '../dse/sink.ts';

const SPACE = [
  'name: report-rows',
  'workload: { model: bert-base, stage: summarization, seqLen: 128 }',
  'accuracy: { model: spam-bert, maxExamples: 16 }',
  'objectives:',
  '  - { metric: latency_s, goal: min }',
  '  - { metric: accuracy, goal: max }',
  'parameters:',
  '  algo.tokenKeep: [1.0, 0.5]',
  '  hw.dramChannels: [8, 16]',
  'search: { driver: grid }',
  '',
].join('\n');

test('an accuracy run builds the report rows once, and returns the rows run.json separability was computed from', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'report-rows-'));
  const original = RunSink.prototype.reportRows;
  const built: unknown[] = [];
  RunSink.prototype.reportRows = function (this: RunSink) {
    const rows = original.call(this);
    built.push(rows);
    return rows;
  };
  try {
    const spaceFile = path.join(dir, 's.yaml');
    fs.writeFileSync(spaceFile, SPACE);
    const r = await runSpace({ spaceFile, outDir: path.join(dir, 'out'), progress: 'none', report: false, jobs: 1, log: () => {} });
    assert.ok(r.run.separability, 'an accuracy run records its separability (computed from the report rows)');
    assert.equal(r.rows.length, 4, 'the 4 points of the grid');
    assert.equal(built.length, 1, `reportRows built ${built.length} times`);
    assert.equal(built[0], r.rows, 'the rows returned are the ones built');
    // run.json's paired effects: over the 4 points' 2 configurations on the 16 examples they both ran
    const [paired] = JSON.parse(fs.readFileSync(path.join(dir, 'out', 'run.json'), 'utf8')).pairedEffects;
    assert.deepEqual([paired.metric, paired.examples, paired.points, paired.unit], ['accuracy', 16, 4, 'score']);
    assert.deepEqual(paired.effects.map((e: { param: string }) => e.param).sort(), ['algo.tokenKeep', 'hw.dramChannels']);
  } finally {
    RunSink.prototype.reportRows = original;
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
