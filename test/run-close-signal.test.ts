/**
 * A signal while a run closes (its outputs written; its workers, journal and lock being closed):
 * the run's handlers are still installed, so the signal is noted instead of killing the process by
 * the default action (which printed no summary, exited 130 for a completed run and left the folder
 * lock behind). Signals are delivered with process.emit, which calls the installed handlers.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runSpace } from '../dse/run.ts';
import { Executor } from '../dse/executor.ts';
import { Interrupts } from '../dse/steps/interrupts.ts';
import { LOCK_FILE } from '../dse/journal.ts';

test('a run keeps its signal handlers while it closes: a SIGINT there is noted, the run completes and releases its lock', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'close-signal-'));
  const spaceFile = path.join(dir, 's.yaml');
  fs.writeFileSync(spaceFile, ['name: t', 'workload: { model: bert-base, stage: summarization, seqLen: 128 }', 'objectives:', '  - { metric: latency_s, goal: min }', 'parameters:', '  hw.dramChannels: [8, 16]', ''].join('\n'));
  const before = process.listenerCount('SIGINT');
  const close = Executor.prototype.close;
  let during = -1;
  Executor.prototype.close = async function (this: Executor) {
    during = process.listenerCount('SIGINT');
    process.emit('SIGINT', 'SIGINT'); // Ctrl-C while the workers stop
    return close.call(this);
  };
  const lines: string[] = [];
  try {
    const r = await runSpace({ spaceFile, outDir: path.join(dir, 'out'), progress: 'none', log: (s) => lines.push(s) });
    assert.equal(during, before + 1, 'the run\'s SIGINT handler is installed while it closes');
    assert.equal(r.run.stopReason, 'completed');
    assert.equal(r.run.counts.total, 2);
    assert.ok(lines.some((l) => /interrupt: the run is over; stopping its workers and releasing the folder/.test(l)), `the signal is noted: ${lines.join(' | ')}`);
    assert.ok(!fs.existsSync(path.join(dir, 'out', LOCK_FILE)), 'the folder lock is released');
    assert.equal(process.listenerCount('SIGINT'), before, 'the handlers are removed once the run is closed');
  } finally {
    Executor.prototype.close = close;
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('Interrupts: once closing, a signal neither stops nor aborts anything', () => {
  const lines: string[] = [];
  const i = new Interrupts((s) => lines.push(s));
  let aborted = 0;
  try {
    i.attach({ interrupt: () => {}, abort: async () => void aborted++, isAborted: false } as unknown as Executor);
    i.searchDone();
    i.closing();
    process.emit('SIGTERM', 'SIGTERM');
    assert.equal(aborted, 0);
    assert.equal(lines.join(''), '\nterminate: the run is over; stopping its workers and releasing the folder');
  } finally {
    i.dispose();
  }
});
