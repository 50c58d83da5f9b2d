/**
 * `accuracy --trace-out FILE` checks FILE's folder before the model runs, as `reproduce --report`
 * does: a missing folder or a folder given as the file was found only when the trace was written,
 * after the whole forward pass (minutes on a language model's windows). The model here is a BERT
 * folder whose weights file is not safetensors: a run would fail on it, so the --trace-out error
 * shows the check came first.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cli } from './cli-in-process.ts';

const ROOT = path.join(import.meta.dirname, '..');

test('accuracy --trace-out into a missing folder, or naming a folder: exit 2 before the model runs, nothing written', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sdse-traceout-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const ck = path.join(dir, 'ck');
  mkdirSync(ck);
  for (const f of ['config.json', 'vocab.txt']) writeFileSync(path.join(ck, f), readFileSync(path.join(ROOT, 'test/fixtures/hf-reference/bert-tiny', f)));
  writeFileSync(path.join(ck, 'model.safetensors'), 'not safetensors');
  // the run itself fails on the weights (so a --trace-out error below came before it)
  const run = await cli(['accuracy', '--model', ck, '--max-examples', '2']);
  assert.equal(run.code, 2, run.err);
  assert.match(run.err, /model\.safetensors/);
  const missing = path.join(dir, 'nope', 't.csv');
  const a = await cli(['accuracy', '--model', ck, '--max-examples', '2', '--trace-out', missing]);
  assert.equal(a.code, 2, a.err);
  assert.equal(a.err, `error: --trace-out ${missing}: folder ${path.dirname(missing)} does not exist\n`);
  const b = await cli(['accuracy', '--model', ck, '--max-examples', '2', '--trace-out', dir]);
  assert.equal(b.code, 2, b.err);
  assert.equal(b.err, `error: --trace-out ${dir}: is a folder; give a file name, e.g. ${path.join(dir, 'trace.csv')}\n`);
  assert.ok(!existsSync(path.dirname(missing)), 'no folder created');
});
