/**
 * Two errors of a Hugging Face folder that did not say where or what: a config.json JSON syntax
 * error gave only JSON.parse's "at position 37" (now file:line:column, as a space file's errors),
 * and a folder holding only the fast tokenizer's tokenizer.json was told it had "no tokenizer
 * files" (now: tokenizer.json is not read, and how to write the files that are).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { jsonErrorPlace } from '../sim/nn/checkpoint.ts';
import { cli } from './cli-in-process.ts';

const FIX = path.join(import.meta.dirname, 'fixtures/hf-reference');

test('jsonErrorPlace: line and column (1-based) of the position JSON.parse names', () => {
  const text = '{"model_type": "gpt2",\n "n_embd": 64,,\n}';
  let msg = '';
  try {
    JSON.parse(text);
  } catch (e) {
    msg = (e as Error).message;
  }
  assert.match(msg, /at position 37/);
  // line 1 is 22 characters and its newline; position 37 is the 15th character of line 2, the second comma
  assert.equal(text.split('\n')[1][14], ',');
  assert.equal(jsonErrorPlace(text, msg), ':2:15');
  assert.equal(jsonErrorPlace('x', 'Unexpected token'), '');
  assert.equal(jsonErrorPlace('{', 'Unexpected end of JSON input at position 1'), ':1:2');
});

test('logits on a folder with a broken config.json or only tokenizer.json: exit 2, the file and the place or the fix named', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sdse-folder-err-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const bad = path.join(dir, 'bad');
  cpSync(path.join(FIX, 'gpt2-tiny'), bad, { recursive: true });
  writeFileSync(path.join(bad, 'config.json'), '{"model_type": "gpt2",\n "n_embd": 64,,\n}');
  const a = await cli(['logits', '--model', bad, '--ids', '1,2,3']);
  assert.equal(a.code, 2, a.err);
  assert.match(a.err, new RegExp(`^error: ${path.join(bad, 'config.json').replace(/[.]/g, '\\.')}:2:15: invalid JSON \\(`));
  const fast = path.join(dir, 'fast');
  cpSync(path.join(FIX, 'gpt2-tiny'), fast, { recursive: true });
  rmSync(path.join(fast, 'vocab.json'));
  rmSync(path.join(fast, 'merges.txt'));
  writeFileSync(path.join(fast, 'tokenizer.json'), '{}');
  const b = await cli(['logits', '--model', fast, '--ids', '1,2,3']);
  assert.equal(b.code, 2, b.err);
  assert.equal(b.err, `error: no tokenizer files (vocab.json + merges.txt, or vocab.txt) in ${fast}: tokenizer.json is not read; tokenizer.save_pretrained(folder, legacy_format=True) writes them\n`);
});
