/**
 * `train --resume-from`: the checkpoint must be of the recipe's model. The shipped checkpoints are
 * accepted by their own recipes and refused by a recipe of another kind, size or position scheme
 * (the CLI's exit 2 is in bad-inputs.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCheckpoint } from '../sim/nn/checkpoint.ts';
import { RECIPES } from '../sim/nn/recipes.ts';
import { checkResumeConfig } from '../sim/nn/train.ts';
import { CHECKPOINT_ROOT } from '../sim/nn/paths.ts';
import type { ModelConfig } from '../sim/nn/model.ts';
import path from 'node:path';

/** The recipe's model as trainModel builds it (vocabulary from the checkpoint's tokenizer size). */
function recipeModel(name: string, vocabSize: number): ModelConfig {
  const isBert = RECIPES[name].config.kind === 'bert';
  return { ...RECIPES[name].config, vocabSize, padId: isBert ? 0 : -1, clsId: isBert ? 2 : -1, sepId: isBert ? 3 : -1, eosId: isBert ? -1 : 0 } as ModelConfig;
}

test('shipped checkpoints continue their own recipes', () => {
  for (const name of ['spam-bert', 'sotu-gpt', 'sotu-char', 'sotu-char-alibi', 'sotu-char-rope']) {
    const dir = path.join(CHECKPOINT_ROOT, name);
    const ck = loadCheckpoint(dir);
    assert.doesNotThrow(() => checkResumeConfig(dir, ck.config, recipeModel(name, ck.config.vocabSize), name), name);
  }
});

test('a checkpoint of another kind, width or position scheme is refused, naming the field', () => {
  const char = loadCheckpoint(path.join(CHECKPOINT_ROOT, 'sotu-char')).config;
  const bert = loadCheckpoint(path.join(CHECKPOINT_ROOT, 'spam-bert')).config;
  const rope = loadCheckpoint(path.join(CHECKPOINT_ROOT, 'sotu-char-rope')).config;
  assert.throws(() => checkResumeConfig('b', bert, recipeModel('sotu-char', 257), 'sotu-char'), /^ConfigError: --resume-from b: its config\.json gives kind "bert", the sotu-char recipe's model has "gpt"/);
  assert.throws(() => checkResumeConfig('r', rope, recipeModel('sotu-char', 257), 'sotu-char'), /gives positions "rope", the sotu-char recipe's model has "learned"/);
  assert.throws(() => checkResumeConfig('c', char, recipeModel('sotu-char-w128', 257), 'sotu-char-w128'), /gives hidden 64, the sotu-char-w128 recipe's model has 128/);
  assert.throws(() => checkResumeConfig('g', loadCheckpoint(path.join(CHECKPOINT_ROOT, 'sotu-gpt')).config, recipeModel('sotu-char', 257), 'sotu-char'), /gives vocabSize 512, the sotu-char recipe's model has 257/);
});
