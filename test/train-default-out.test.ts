/**
 * `train` without --out writes the recipe's folder of sim/nn/checkpoints, the one `accuracy --model
 * NAME` reads. A run that does not reproduce the recipe (a quick --steps run, another seed, a
 * fine-tuning override, another worker count) used to replace the shipped checkpoint there without
 * a word: `train --model spam-bert --steps 5` left a 5-step model behind every later spam-bert
 * accuracy. It is refused (exit 2) while that folder holds a checkpoint, unless --force.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { refuseVariantOverShipped, variantOptions } from '../dse/commands/train.ts';
import { InputError } from '../dse/errors.ts';

const ROOT = path.join(import.meta.dirname, '..');

test('variantOptions names, as typed, every option that makes a run differ from its recipe', () => {
  assert.deepEqual(variantOptions({}, 1, 1), []);
  assert.deepEqual(variantOptions({ steps: '5' }, 1, 1), ['--steps 5']);
  assert.deepEqual(variantOptions({ ftMasks: 'cascade', ftSteps: '10', ftMinKeep: '0.01' }, 2, 2), ['--seed 2', '--ft-masks cascade', '--ft-steps 10', '--ft-min-keep 0.01', '--workers 2']);
});

test('a variant run over a folder holding a checkpoint is refused; a reproduction, --force or an empty default folder is not', (t) => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'sdse-train-default-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(path.join(root, 'spam-bert'));
  writeFileSync(path.join(root, 'spam-bert', 'model.safetensors'), 'x');
  assert.throws(() => refuseVariantOverShipped('spam-bert', ['--steps 5'], false, root), (e: unknown) => {
    assert.ok(e instanceof InputError);
    assert.equal(e.message, `--steps 5: this run does not reproduce the spam-bert checkpoint, and without --out it would replace ${path.join(root, 'spam-bert')}, which every accuracy run of spam-bert reads; give --out DIR (or add --force to replace the checkpoint anyway)`);
    return true;
  });
  assert.doesNotThrow(() => refuseVariantOverShipped('spam-bert', [], false, root)); // the recipe itself: reproduces it
  assert.doesNotThrow(() => refuseVariantOverShipped('spam-bert', ['--steps 5'], true, root));
  assert.doesNotThrow(() => refuseVariantOverShipped('sotu-char-kd', ['--steps 5'], false, root)); // no checkpoint there yet
});

test('train --seed 2 --ft-masks cascade without --out: exit 2 before training, the shipped sotu-char checkpoint untouched', () => {
  const file = path.join(ROOT, 'sim/nn/checkpoints/sotu-char/model.safetensors');
  const hash = () => createHash('sha256').update(readFileSync(file)).digest('hex');
  const before = hash();
  // a child process with a time limit: were the check gone, the recipe's hour-long training is killed
  // long before it could write anything
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'dse/cli.ts', 'train', '--model', 'sotu-char', '--seed', '2', '--ft-masks', 'cascade'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /^error: --seed 2 --ft-masks cascade: this run does not reproduce the sotu-char checkpoint, and without --out it would replace .*sim\/nn\/checkpoints\/sotu-char, which every accuracy run of sotu-char reads; give --out DIR/);
  assert.equal(hash(), before);
});
