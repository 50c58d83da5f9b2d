/**
 * One run of a space in a process of its own, as a rerun from the command line is (no accuracy
 * run cached from an earlier one), counting the language model's forward passes
 * (Engine.generateBatch calls) with the in-process evaluation running the sources
 * (SPATTEN_WORKER_BUNDLE=0, which the caller sets). Used by test/accuracy-seed-key.test.ts:
 *   node --import tsx test/accuracy-seed-run.fixture.ts SPACE OUT [REUSE…]
 * prints one JSON line: { forwards, evaluations, points (points.csv's text), lines (the run's log) }.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Engine } from '../sim/nn/engine.ts';
import { runSpace } from '../dse/run.ts';

const [spaceFile, outDir, ...reuse] = process.argv.slice(2);
let forwards = 0;
const real = Engine.prototype.generateBatch;
Engine.prototype.generateBatch = function (this: Engine, ...args: Parameters<Engine['generateBatch']>) {
  forwards++;
  return real.apply(this, args);
};
const lines: string[] = [];
const r = await runSpace({ spaceFile, outDir, reuse: reuse.length > 0 ? reuse : undefined, jobs: 1, progress: 'none', report: false, log: (l) => lines.push(l) });
const points = fs.readFileSync(path.join(outDir, 'points.csv'), 'utf8');
process.stdout.write(JSON.stringify({ forwards, evaluations: r.run.evaluations, points, lines }) + '\n');
