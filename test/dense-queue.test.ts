/**
 * `run --queue` with a constraint relative to the dense model: the dense model runs as a queue job
 * and the workers score every point against the resolved bound. Needs Redis (SPATTEN_TEST_REDIS,
 * default redis://127.0.0.1:6390); skipped with a message without one, as test/distributed.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkRedis, parseRedisUrl } from '../dse/backends/redis.ts';
import { runSpace } from '../dse/run.ts';

const ROOT = path.join(import.meta.dirname, '..');
const REDIS = process.env.SPATTEN_TEST_REDIS ?? 'redis://127.0.0.1:6390';
const NS = `dense-${process.pid}-${Date.now().toString(36)}`;

let skip: string | false = false;
try {
  await checkRedis(parseRedisUrl(REDIS), 'SPATTEN_TEST_REDIS', 2000);
} catch {
  skip = `no Redis at ${REDIS} (set SPATTEN_TEST_REDIS)`;
}

const SPACE = [
  'name: dense-queue',
  'workload: { model: bert-base, stage: summarization, seqLen: 128 }',
  'accuracy: { model: spam-bert, maxExamples: 64 }',
  'objectives:',
  '  - { metric: latency_s, goal: min }',
  'constraints: ["accuracy >= dense - 0.03"]',
  'parameters:',
  '  algo.tokenKeep: [1.0, 0.1, 0.05]',
  '  algo.headKeep: [1.0, 0.25]',
  'search: { driver: grid }',
  '',
].join('\n');

test('a queue run resolves the dense bound on a worker and its workers score the points against it', { skip }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dense-queue-'));
  const worker = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), path.join(ROOT, 'dse', 'cli.ts'), 'worker', '--queue', REDIS, '--namespace', NS, '--concurrency', '1', '--progress-every', '0'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  worker.stderr!.on('data', (d) => (err += d));
  const exited = new Promise((r) => worker.once('exit', r));
  try {
    const spaceFile = path.join(dir, 's.yaml');
    fs.writeFileSync(spaceFile, SPACE);
    const lines: string[] = [];
    const r = await runSpace({ spaceFile, outDir: path.join(dir, 'q'), queue: REDIS, namespace: NS, progress: 'none', report: false, log: (s) => lines.push(s) });
    // dense spam-bert on the first 64 emails is 63/64 (test/dense-constraints.test.ts checks it against the engine's API)
    assert.ok(lines.includes('accuracy >= dense - 0.03: dense 98.4375% (64 examples) → accuracy >= 95.4375%'), lines.join('\n'));
    assert.deepEqual(r.run.constraints, ['accuracy >= 0.954375']);
    assert.equal(r.run.backend?.kind, 'queue');
    const feasible = r.rows.filter((p) => p.feasible).length;
    assert.ok(feasible > 0 && feasible < r.rows.length, `both feasible and infeasible points (${feasible} of ${r.rows.length})`);
    for (const p of r.rows) assert.equal(p.feasible, p.metrics.accuracy >= 0.954375, `point ${JSON.stringify(p.params)}: accuracy ${p.metrics.accuracy}`);
  } finally {
    worker.kill('SIGINT');
    await exited;
    fs.rmSync(dir, { recursive: true, force: true });
  }
  assert.match(err, /serving run "dense-queue"/, 'the worker served the run');
});
