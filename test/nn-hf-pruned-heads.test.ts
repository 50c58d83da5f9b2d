/**
 * `pruned_heads` in a Hugging Face config.json ({layer: [head, …]}, what `model.prune_heads` saves)
 * changes the forward pass: Hugging Face builds those layers without the heads. The engine runs
 * every head, and read such a folder without a word (logits of bert-tiny with
 * `"pruned_heads": {"0": [1]}` were those of the unpruned model). It is now refused as every other
 * unimplemented key is: exit 2 naming the key and the file, nothing printed on stdout.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { configFromHf, ConfigError } from '../sim/nn/hfconfig.ts';
import { cli } from './cli-in-process.ts';

const FIX = path.join(import.meta.dirname, 'fixtures/hf-reference');
const cfg = (folder: string) => JSON.parse(readFileSync(path.join(FIX, folder, 'config.json'), 'utf8')) as Record<string, unknown>;

test('pruned_heads: absent, null, {} or only empty lists are read; any pruned head is a ConfigError naming the key and the file', () => {
  for (const folder of ['bert-tiny', 'gpt2-tiny']) {
    const base = cfg(folder);
    const heads = configFromHf(base, 'x/config.json').heads;
    for (const ok of [null, {}, { '0': [] }]) assert.equal(configFromHf({ ...base, pruned_heads: ok }, 'x/config.json').heads, heads);
    for (const bad of [{ '0': [1] }, { '1': [0, 2], '0': [] }, [1], 'all']) {
      assert.throws(() => configFromHf({ ...base, pruned_heads: bad }, 'x/config.json'), (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.equal(e.message, `x/config.json: 'pruned_heads': ${JSON.stringify(bad)} changes the forward pass and is not implemented (the engine runs every head: supported {} or absent)`);
        return true;
      });
    }
  }
});

test('logits on a folder with pruned heads: exit 2 naming the key and the file', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sdse-pruned-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(path.join(FIX, 'bert-tiny'), dir, { recursive: true });
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ ...cfg('bert-tiny'), pruned_heads: { '0': [1] } }));
  const r = await cli(['logits', '--model', dir, '--ids', '2,15,385,3']);
  assert.equal(r.code, 2, r.err);
  assert.equal(r.err, `error: ${path.join(dir, 'config.json')}: 'pruned_heads': {"0":[1]} changes the forward pass and is not implemented (the engine runs every head: supported {} or absent)\n`);
});
