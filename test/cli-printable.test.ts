/**
 * Error lines for the terminal (dse/cli-util.ts printable, echoed, clipped): control characters
 * replaced; a legitimate message whole, even with long paths; a dump (a huge value echoed back)
 * cut where it is echoed, and any line past LINE_MAX cut in the middle so that its end — where an
 * error says what to do — is kept.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { clipped, echoed, ECHO_MAX, LINE_MAX, printable } from '../dse/cli-util.ts';
import { cli } from './cli-in-process.ts';

test('a line past LINE_MAX keeps its start and its advice at the end; short lines and control characters', () => {
  const line = `error: results folder r: ${'x'.repeat(1_000_000)}; rerun with --fresh to discard it and start over, or choose another --out folder`;
  const out = printable(line);
  assert.ok(out.startsWith('error: results folder r: xxx'), out.slice(0, 40));
  assert.ok(out.endsWith('rerun with --fresh to discard it and start over, or choose another --out folder'), out.slice(-90));
  assert.equal(out.length, LINE_MAX);
  assert.equal(LINE_MAX, 2000);
  assert.equal(printable('short\u0007 line\nsecond'), 'short? line\nsecond');
  assert.equal(printable('y'.repeat(LINE_MAX)), 'y'.repeat(LINE_MAX));
});

test('a legitimate message naming a long folder three times is shown whole (619 characters; the cap of 400 cut it before)', () => {
  // the refusal of a journal of another space, in a 147-character folder (measured: `run other.yaml --out <that folder>/out`)
  const d = '/tmp/pG/experiments/spatten-dse-sweeps/2026-12-04-gpt2-small-generation-wordbits-and-dram-channels/run-with-longer-sequences-and-wider-sram-buffers';
  assert.equal(d.length, 147);
  const msg = `--out ${d}/out: ${d}/out/journal.jsonl holds the evaluations of space "tiny" (${d}/tiny.yaml), not of "other"; rerun with --fresh to discard it and start over, or choose another --out folder`;
  assert.equal(msg.length, 619);
  assert.equal(printable(msg), msg);
});

test('echoed: a value as a message shows it, a long rendering cut and saying what it was', () => {
  assert.equal(echoed('latency'), '"latency"');
  assert.equal(echoed([4, 8, 16]), '[4,8,16]');
  assert.equal(echoed({ a: 1 }), '{"a":1}');
  assert.equal(echoed(true), 'true');
  const list = Array.from({ length: 100_000 }, (_, i) => i);
  assert.equal(echoed(list), `${JSON.stringify(list).slice(0, ECHO_MAX)}… (a list of 100000 values)`);
  assert.equal(echoed('x'.repeat(1_000_000)), `"${'x'.repeat(ECHO_MAX - 1)}… (1000000 characters)`);
  assert.equal(echoed({ a: list }), `${JSON.stringify({ a: list }).slice(0, ECHO_MAX)}… (a map of 1 key)`);
  assert.equal(clipped('hw.wordBits=8'), 'hw.wordBits=8');
  assert.equal(clipped(`k=${'9'.repeat(998)}`), `k=${'9'.repeat(498)}… (1000 characters)`);
});

test('a space file with a 100,000-character metric name: one readable line naming the value\'s length and what is allowed, exit 2', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sdse-printable-'));
  const file = path.join(dir, 's.yaml');
  writeFileSync(file, `name: s\nworkload: { model: gpt2-small, stage: generation, seqLen: 128, genTokens: 4 }\nobjectives:\n  - { metric: ${'x'.repeat(100_000)}, goal: min }\nparameters:\n  hw.dramChannels: [4, 8]\n`);
  const { code, err } = await cli(['run', file, '--out', path.join(dir, 'out')]);
  assert.equal(code, 2);
  assert.equal(err.split('\n').length, 2, err.slice(0, 600));
  assert.ok(err.length < 400, `${err.length} characters`);
  assert.ok(err.includes('… (100000 characters) is not one of latency_s, energy_j'), err);
  assert.ok(err.trimEnd().endsWith('accuracy, perplexity'), err);
});

test('--set with a 100 KB list: the argument and the value each cut where they are echoed, exit 2', async () => {
  const list = `[${Array.from({ length: 20_000 }, (_, i) => i).join(',')}]`;
  const { code, err } = await cli(['simulate', '--set', `hw.dramChannels=${list}`]);
  assert.equal(code, 2);
  assert.ok(err.length < 800, `${err.length} characters: ${err.slice(0, 200)}`);
  assert.ok(err.startsWith(`error: --set hw.dramChannels=[0,1,2,`), err.slice(0, 100));
  assert.ok(err.includes(`… (${list.length + 'hw.dramChannels='.length} characters)`), err);
});

test("a status note goes through the same printer as an error: a dump is bounded, control characters replaced", async () => {
  const { createProgress } = await import('../dse/progress.ts');
  const written: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((s: string) => (written.push(String(s)), true)) as typeof process.stderr.write;
  try {
    const p = createProgress('lines', 10, 'evaluating');
    p.note(`note: \u001b[31m${'y'.repeat(100_000)} – narrow the range`);
  } finally {
    process.stderr.write = write;
  }
  const line = written.join('');
  assert.ok(!line.includes('\u001b'), 'the escape sequence is replaced');
  assert.ok(line.startsWith('note: ?[31myyy'), line.slice(0, 20));
  assert.ok(line.endsWith('– narrow the range\n'), line.slice(-30));
  assert.equal(line.length, LINE_MAX + 1);
});
