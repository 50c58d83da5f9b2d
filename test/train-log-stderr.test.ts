/**
 * `train` prints one JSON object (the training record) on stdout; its progress lines ("[train
 * HH:MM:SS] …") went to stdout too, so `train … > result.json` was not JSON. They go to stderr.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RECIPES, trainModel } from '../sim/nn/train.ts';

test('trainModel writes its progress lines on stderr and nothing on stdout', async (t) => {
  RECIPES['test-tiny-log'] = {
    config: { kind: 'gpt', hidden: 16, layers: 2, heads: 2, intermediate: 32, maxPositions: 32, numLabels: 0, lnEps: 1e-5, act: 'relu' },
    vocabSize: 257, tokenizer: 'bytes', seqLen: 32, batch: 2, steps: 2, lr: 3e-3, warmup: 1, schedule: 'rsqrt', fastKernels: true,
  };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sdse-trainlog-'));
  t.after(() => {
    delete RECIPES['test-tiny-log'];
    rmSync(dir, { recursive: true, force: true });
  });
  let out = '';
  let err = '';
  const [wo, we] = [process.stdout.write.bind(process.stdout), process.stderr.write.bind(process.stderr)];
  process.stdout.write = ((s: string | Uint8Array) => ((out += String(s)), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string | Uint8Array) => ((err += String(s)), true)) as typeof process.stderr.write;
  let r: Record<string, unknown>;
  try {
    r = await trainModel('test-tiny-log', 1, { outDir: dir });
  } finally {
    process.stdout.write = wo;
    process.stderr.write = we;
  }
  // (the test runner's own messages to its parent pass through stdout too)
  assert.doesNotMatch(out, /\[train /);
  const lines = err.trim().split('\n');
  // tokenizer, tokenizer done, the data, steps 0 and 1 (every 20th and the last), done
  assert.ok(lines.every((l) => /^\[train \d\d:\d\d:\d\d\] /.test(l)), err);
  assert.ok(lines.some((l) => / test-tiny-log step 0\/2 loss \d/.test(l)), err);
  assert.ok(lines.some((l) => / test-tiny-log step 1\/2 loss \d/.test(l)), err);
  assert.equal(r.model, 'test-tiny-log');
});
