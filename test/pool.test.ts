import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EvalPool, type PoolTask } from '../dse/pool.ts';

const mod = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'pool-tasks.ts');
const call = (fn: string, ...args: unknown[]): PoolTask => ({ kind: 'call', module: mod, fn, args });

test('a throwing task is returned as failed and the others complete', async () => {
  const pool = new EvalPool({ jobs: 2 });
  try {
    const rs = await pool.runAll([call('square', 3), call('fails', 'bad point'), call('square', 4)]);
    assert.equal(rs[0].status, 'ok');
    assert.deepEqual(rs[0].status === 'ok' && rs[0].value, { x: 3, y: 9 });
    assert.equal(rs[1].status, 'failed');
    assert.ok(rs[1].status === 'failed' && rs[1].error === 'bad point' && !rs[1].crashed);
    assert.deepEqual(rs[2].status === 'ok' && rs[2].value, { x: 4, y: 16 });
  } finally {
    await pool.close();
  }
});

test('a crashed worker is replaced and its point retried once', async () => {
  const marker = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pool-')), 'crashed');
  const pool = new EvalPool({ jobs: 2 });
  try {
    const [once, always, after] = await pool.runAll([call('crashOnce', marker, 42), call('crashAlways'), call('square', 5)]);
    assert.deepEqual(once, { ...once, status: 'ok', value: 42, attempts: 2 });
    assert.ok(always.status === 'failed' && always.crashed && always.attempts === 2, JSON.stringify(always));
    assert.match((always as { error: string }).error, /worker crashed/);
    assert.equal(after.status, 'ok');
    // the pool still works afterwards
    const again = await pool.run(call('square', 6));
    assert.deepEqual(again.status === 'ok' && again.value, { x: 6, y: 36 });
  } finally {
    await pool.close();
  }
});

test('same results with 1 and 2 workers', async () => {
  const tasks = Array.from({ length: 12 }, (_, i) => call('spin', 200_000 + i * 1000, i));
  tasks.splice(5, 0, call('fails', 'x'));
  const strip = (rs: Awaited<ReturnType<EvalPool['runAll']>>) => rs.map((r) => (r.status === 'ok' ? ['ok', r.value] : [r.status, (r as { error: string }).error]));
  const p1 = new EvalPool({ jobs: 1 });
  const p2 = new EvalPool({ jobs: 2 });
  try {
    const [r1, r2] = await Promise.all([p1.runAll(tasks), p2.runAll(tasks)]);
    assert.deepEqual(strip(r2), strip(r1));
    assert.equal(r1.length, 13);
  } finally {
    await Promise.all([p1.close(), p2.close()]);
  }
});

test('abort resolves queued and in-flight tasks as aborted', async () => {
  const pool = new EvalPool({ jobs: 1 });
  const runs = [pool.run(call('spin', 50_000_000, 1)), pool.run(call('square', 2)), pool.run(call('square', 3))];
  await new Promise((r) => setTimeout(r, 300));
  await pool.abort();
  const rs = await Promise.all(runs);
  assert.ok(rs.every((r) => r.status === 'aborted' || r.status === 'ok'));
  assert.ok(rs.some((r) => r.status === 'aborted'));
});

test('hw task: evaluates a design point through sim/index.ts when the models exist', { skip: !fs.existsSync(new URL('../sim/hw/analytical.ts', import.meta.url)) }, async () => {
  const { defaultHardware, defaultAlgo, defaultWorkload } = await import('../sim/schema.ts');
  const point = { hw: defaultHardware(), algo: defaultAlgo(), workload: { ...defaultWorkload(), genTokens: 2 } };
  const pool = new EvalPool({ jobs: 1 });
  try {
    const r = await pool.run<{ latency_s: number }>({ kind: 'hw', model: 'analytical', point });
    assert.equal(r.status, 'ok', JSON.stringify(r));
    assert.ok(r.status === 'ok' && r.value.latency_s > 0);
  } finally {
    await pool.close();
  }
});
