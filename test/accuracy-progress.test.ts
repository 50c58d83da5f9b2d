/**
 * `accuracy` printed nothing until its forward passes ended: 15 s on spam-bert's 1,209 emails, 30 s
 * on 300 sotu-char windows, ~6 min on all 3,750. It now reports progress on stderr (stdout keeps
 * the result): the engine calls back after each batch with the examples scored and the total, and
 * the CLI prints a line every 10 s (a terminal: one line rewritten every 0.5 s, erased at the end).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { progressLine, progressReporter } from '../dse/commands/accuracy.ts';
import { evaluateAccuracy } from '../sim/nn/api.ts';
import { contextPerplexity } from '../sim/nn/context.ts';
import { AlgoSchema } from '../sim/schema.ts';

const ROOT = path.join(import.meta.dirname, '..');

test('progressLine: done of total, the percentage floored, elapsed seconds, the ETA at the rate so far', () => {
  // 48 of 300 in 5 s: 252 left at 9.6/s = 26.25 s → 27 s
  assert.equal(progressLine('sotu-char', 'windows', 48, 300, 5), 'sotu-char: 48/300 windows (16%), 5.0 s, ETA 27 s');
  assert.equal(progressLine('spam-bert', 'examples', 1184, 1209, 12.34), 'spam-bert: 1,184/1,209 examples (97%), 12.3 s, ETA 1 s');
  assert.equal(progressLine('m', 'examples', 0, 10, 2), 'm: 0/10 examples (0%), 2.0 s'); // no rate yet: no ETA
});

test('progressReporter: nothing before 10 s off a terminal, then a line every 10 s; never at the last batch', () => {
  let t = 0;
  const lines: string[] = [];
  const p = progressReporter('m', 'examples', { tty: false, now: () => t, out: (s) => lines.push(s) });
  for (const [at, done] of [[4, 32], [9.9, 64], [10, 96], [15, 128], [20.5, 160], [31, 192]] as const) {
    t = at;
    p.onBatch(done, 200);
  }
  t = 40;
  p.onBatch(200, 200);
  p.end();
  assert.deepEqual(lines, ['m: 96/200 examples (48%), 10.0 s, ETA 11 s\n', 'm: 160/200 examples (80%), 20.5 s, ETA 6 s\n', 'm: 192/200 examples (96%), 31.0 s, ETA 2 s\n']);
});

test('progressReporter on a terminal: one line rewritten from the first second, at most every 0.5 s, erased at the end; a short run writes nothing', () => {
  let t = 0;
  const out: string[] = [];
  const p = progressReporter('m', 'windows', { tty: true, now: () => t, out: (s) => out.push(s) });
  for (const [at, done] of [[0.5, 16], [1, 32], [1.2, 48], [1.6, 64]] as const) {
    t = at;
    p.onBatch(done, 80);
  }
  p.end();
  assert.deepEqual(out, ['\r\x1b[Km: 32/80 windows (40%), 1.0 s, ETA 2 s', '\r\x1b[Km: 64/80 windows (80%), 1.6 s, ETA 1 s', '\r\x1b[K']);
  const quiet: string[] = [];
  const q = progressReporter('m', 'windows', { tty: true, now: () => 0.2, out: (s) => quiet.push(s) });
  q.onBatch(16, 80);
  q.end();
  assert.deepEqual(quiet, []);
});

test('the engine calls back after every batch: 32 emails a batch for a classifier, windows for --context', async () => {
  const calls: [number, number][] = [];
  const r = await evaluateAccuracy({ model: path.join(ROOT, 'test/fixtures/hf-reference/bert-tiny'), maxExamples: 70 }, AlgoSchema.parse({}), (d, n) => calls.push([d, n]));
  assert.equal(r.n, 70);
  assert.deepEqual(calls, [[32, 70], [64, 70], [70, 70]]);
  // sotu-char, last 8 characters: 512 (window, step) jobs a batch = 16 windows of 32 steps
  const ctx: [number, number][] = [];
  const c = await contextPerplexity({ model: 'sotu-char', maxExamples: 20 }, 8, 'fresh', (d, n) => ctx.push([d, n]));
  assert.equal(c.n, 20);
  assert.deepEqual(ctx, [[16, 20], [20, 20]]);
});
