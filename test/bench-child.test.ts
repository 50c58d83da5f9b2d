/**
 * bench/child.ts `freshChild`: a measurement in a fresh process returns its last stdout line
 * parsed; a child that fails or prints no JSON is an error that names the measurement.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freshChild } from '../bench/child.ts';

test('freshChild: the last stdout line of a fresh process, parsed, with the env it was given', () => {
  const r = freshChild<{ pid: number; x: string; sum: number }>(
    'child test',
    'console.log("warming up");\nconsole.log(JSON.stringify({ pid: process.pid, x: process.env.X_TEST, sum: 2 + 3 }));',
    { X_TEST: 'given' },
  );
  assert.notEqual(r.pid, process.pid);
  assert.equal(r.x, 'given');
  assert.equal(r.sum, 5);
});

test('freshChild: a child that exits non-zero, is killed, or prints no JSON is an error naming the measurement', () => {
  assert.throws(() => freshChild('phase A', 'console.error("boom"); process.exit(3);'), /^Error: phase A: child process failed \(exit 3\): boom/);
  assert.throws(() => freshChild('phase B', 'process.kill(process.pid, "SIGKILL");'), /^Error: phase B: child process failed \(signal SIGKILL\)/);
  assert.throws(() => freshChild('phase C', 'console.log("no json here");'), /^Error: phase C: child process printed no JSON result: "no json here"/);
});
