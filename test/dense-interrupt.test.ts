/**
 * Ctrl-C (SIGINT) or SIGTERM while a run evaluates the dense model (dse/steps/dense.ts): the dense
 * run is abandoned at once (the executor's work in flight aborted), nothing is journaled, the
 * relative constraints stay unresolved, and the run ends as interrupted (exit 130) writing nothing.
 * The signals are delivered with process.emit, which calls the handlers the run installed.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { prepareRun } from '../dse/run.ts';
import { denseInterrupted, resolveDense } from '../dse/steps/dense.ts';
import { Abandoned, Interrupts } from '../dse/steps/interrupts.ts';
import { exitCodeFor, type StopReason } from '../dse/stop.ts';

/** A prepared run with "accuracy >= dense - 0.01" on spam-bert. */
function prepared(dir: string) {
  const spaceFile = path.join(dir, 's.yaml');
  fs.writeFileSync(spaceFile, ['name: t', 'workload: { model: bert-base, stage: summarization, seqLen: 128 }', 'accuracy: { model: spam-bert, maxExamples: 600 }', 'objectives:', '  - { metric: latency_s, goal: min }', 'constraints: ["accuracy >= dense - 0.01"]', 'parameters:', '  algo.tokenKeep: [0.5, 1.0]', ''].join('\n'));
  return prepareRun({ spaceFile, outDir: path.join(dir, 'out') });
}

/** An executor whose dense run goes on until it is aborted; it records what it journals. */
function slowExecutor() {
  const journal: Record<string, number>[] = [];
  const calls: string[] = [];
  let aborted = false;
  let stopDense: (e: Error) => void = () => {};
  const executor = {
    journal,
    calls,
    get aborted() {
      return aborted;
    },
    denseScores: () => undefined,
    keepDenseScores: () => {},
    journaled: async (_n: string, _m: unknown, compute: () => Promise<Record<string, number>>) => {
      const metrics = await compute();
      journal.push(metrics);
      return { metrics, reused: false };
    },
    call: (task: string) => {
      calls.push(task);
      return new Promise((_, reject) => (stopDense = reject));
    },
    interrupt: () => {},
    abort: async () => {
      aborted = true;
      stopDense(new Error('pool stopped'));
    },
  };
  return executor;
}

test('a signal during the dense model\'s run abandons it at once: nothing journaled, constraints unresolved, interrupted with nothing written', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dense-int-'));
  const lines: string[] = [];
  const interrupts = new Interrupts((s) => lines.push(s));
  try {
    const p = prepared(dir);
    const executor = slowExecutor();
    interrupts.attach(executor as never);
    const t0 = performance.now();
    const resolving = resolveDense(p, executor as never, (s) => lines.push(s), interrupts);
    setTimeout(() => process.emit('SIGINT', 'SIGINT'), 50);
    const e = await resolving.then(() => undefined, (err: unknown) => err);
    assert.ok(e instanceof Abandoned, `rejects with Abandoned: ${String(e)}`);
    assert.equal((e as Abandoned).signal, 'SIGINT');
    assert.ok(performance.now() - t0 < 2000, `promptly: ${(performance.now() - t0).toFixed(0)} ms`);
    assert.deepEqual(executor.calls, ['dense']);
    assert.ok(executor.aborted, 'executor.aborted: the dense run in flight is stopped');
    assert.deepEqual(executor.journal, [], 'nothing journaled');
    assert.ok(Number.isNaN(p.parsed.constraints[0].bound) && p.parsed.constraints[0].relative !== undefined, `the constraint stays relative: ${JSON.stringify(p.parsed.constraints[0])}`);
    assert.equal(p.dense, undefined);
    assert.ok(lines.some((l) => l.includes("interrupt: abandoning the dense model's run (before the search: nothing is written; the same command runs it again and continues)")), lines.join('\n'));
    assert.ok(!lines.some((l) => l.includes('finishing the evaluations in flight')), `no promise to finish the evaluations: ${lines.join('\n')}`);

    const s = denseInterrupted(p, 'SIGINT');
    assert.equal(s.written, false);
    assert.equal(s.run.stopReason, 'interrupted');
    assert.equal(exitCodeFor(s.run.stopReason as StopReason), 130);
    assert.match(s.run.stopDetail ?? '', /^SIGINT received during the dense model's run, before the search: nothing written; the same command runs it again and continues$/);
    assert.equal(s.run.counts.total, 0);
  } finally {
    interrupts.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a signal received before the dense model\'s run starts it not; SIGTERM ends the run as terminated', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dense-int-'));
  const interrupts = new Interrupts(() => {});
  try {
    const p = prepared(dir);
    const executor = slowExecutor();
    interrupts.attach(executor as never);
    process.emit('SIGTERM', 'SIGTERM');
    const e = await resolveDense(p, executor as never, () => {}, interrupts).then(() => undefined, (err: unknown) => err);
    assert.ok(e instanceof Abandoned && e.signal === 'SIGTERM', `rejects with Abandoned(SIGTERM): ${String(e)}`);
    assert.deepEqual(executor.calls, [], 'the dense model is not run');
    assert.equal(exitCodeFor(denseInterrupted(p, 'SIGTERM').run.stopReason as StopReason), 143);
  } finally {
    interrupts.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('without a signal the dense model\'s run resolves the constraints as before', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dense-int-'));
  const interrupts = new Interrupts(() => {});
  try {
    const p = prepared(dir);
    const executor = {
      denseScores: () => undefined,
      keepDenseScores: () => {},
      journaled: async (_n: string, _m: unknown, compute: () => Promise<Record<string, number>>) => ({ metrics: await compute(), reused: false }),
      call: async () => ({ metric: 'accuracy', value: 0.98, ci95: [0.97, 0.99], n: 600 }),
    };
    await resolveDense(p, executor as never, () => {}, interrupts);
    assert.deepEqual(p.parsed.constraints.map((c) => c.text), ['accuracy >= 0.97']);
  } finally {
    interrupts.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
