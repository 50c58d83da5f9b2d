/**
 * `logits --text`: the ids of a text come from the model's own tokenizer, as Hugging Face's
 * `tokenizer(text)` gives them (BERT wraps them in [CLS] … [SEP]), checked against the ids HF's
 * tokenizers gave for the reference passage (test/fixtures/hf-reference/tokenizer-reference.json);
 * the forward is the one `--ids` runs; `--ids` and `--text` are exclusive, one is required (exit 2).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { textIds } from '../sim/nn/logits.ts';

const ROOT = path.join(import.meta.dirname, '..');
const BIN = path.join(ROOT, 'bin', 'spatten-dse.js');
const REF = path.join(ROOT, 'test', 'fixtures', 'hf-reference');
const tokRef = JSON.parse(readFileSync(path.join(REF, 'tokenizer-reference.json'), 'utf8')) as { text: string; bpe: number[]; wp: number[] };
const logits = (...args: string[]) => spawnSync(process.execPath, [BIN, 'logits', ...args], { encoding: 'utf8' });

test('the ids of a text are Hugging Face\'s: GPT-2 byte-level BPE as is, BERT WordPiece inside [CLS]=2 … [SEP]=3', async () => {
  assert.deepEqual(await textIds(path.join(REF, 'gpt2-tiny'), tokRef.text), tokRef.bpe);
  assert.deepEqual(await textIds(path.join(REF, 'bert-tiny'), tokRef.text), [2, ...tokRef.wp, 3]);
});

test('logits --text runs the forward --ids runs on the same ids, and --json prints those ids', () => {
  // the passage's first 20 words: a cut before a space, so its byte-level BPE ids open the passage's
  const words = tokRef.text.split(' ').slice(0, 20).join(' ');
  const t = logits('--model', path.join(REF, 'gpt2-tiny'), '--text', words, '--json');
  assert.equal(t.status, 0, t.stderr);
  const r = JSON.parse(t.stdout) as { ids: number[]; next_token_logprob: number[] };
  assert.deepEqual(r.ids, tokRef.bpe.slice(0, r.ids.length));
  assert.ok(r.ids.length >= 20, `${r.ids.length} ids for 20 words`);
  const i = logits('--model', path.join(REF, 'gpt2-tiny'), '--ids', r.ids.join(','), '--json');
  assert.equal(i.status, 0, i.stderr);
  assert.deepEqual(JSON.parse(i.stdout).next_token_logprob, r.next_token_logprob);
  assert.equal(r.next_token_logprob.length, r.ids.length - 1);
});

test('logits refuses (exit 2, nothing on stdout): no input, --ids with --text, an empty text, a text longer than n_positions, a one-token text', () => {
  const gpt = ['--model', path.join(REF, 'gpt2-tiny')];
  for (const [args, re] of [
    [gpt, /give the input: --ids 2,45,17 \(token ids\) or --text/],
    [[...gpt, '--ids', '1,2', '--text', 'a b'], /give --ids or --text, not both/],
    [[...gpt, '--text', ''], /--text: the value is empty/],
    [[...gpt, '--text', tokRef.text], new RegExp(`--text: ${tokRef.bpe.length} tokens exceed the n_positions of .*gpt2-tiny/config\\.json \\(128\\): shorten the text`)],
    [['--model', 'sotu-char', '--text', 'a'], /--text: 1 token gives no prediction: give a text of at least 2 tokens/],
  ] as [string[], RegExp][]) {
    const r = logits(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, re);
  }
});
