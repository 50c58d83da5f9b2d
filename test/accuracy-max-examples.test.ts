// `accuracy --max-examples N` above the test split runs all of it and says so on stderr (a space
// file refuses a classifier's, and caps a language model's with a note); within the split, no note.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin/spatten-dse.js');
const MODEL = path.join(ROOT, 'test/fixtures/hf-reference/bert-tiny');
// stderr without the progress lines a slow host may print (a line every 10 s when stderr is not a terminal)
const accuracy = (n: number) => {
  const r = spawnSync(process.execPath, [BIN, 'accuracy', '--model', MODEL, '--max-examples', String(n), '--json'], { encoding: 'utf8' });
  return { ...r, stderr: r.stderr.split(/(?<=\n)/).filter((l) => !/^\S+: [\d,]+\/[\d,]+ examples \(\d+%\), /.test(l)).join('') };
};

test('--max-examples beyond the test split: every example evaluated, a note naming both counts', () => {
  const r = accuracy(99999);
  assert.equal(r.status, 0, r.stderr);
  const n = JSON.parse(r.stdout).n;
  assert.equal(n, 1209); // the spam-assassin test split (sim/nn/README.md, Evaluation protocol)
  assert.equal(r.stderr, `note: --max-examples 99999 is more than the 1,209 test examples of ${MODEL}: all 1,209 were evaluated\n`);
  const within = accuracy(64);
  assert.equal(within.status, 0, within.stderr);
  assert.equal(JSON.parse(within.stdout).n, 64);
  assert.equal(within.stderr, '');
});

test('the note is the same for --context runs (they printed none): all windows evaluated, both counts named', async () => {
  const { maxExamplesNote } = await import('../dse/commands/accuracy.ts');
  assert.equal(maxExamplesNote('sotu-char', 5000, 3750, 'perplexity'), 'note: --max-examples 5000 is more than the 3,750 evaluation windows of sotu-char: all 3,750 were evaluated\n');
  assert.equal(maxExamplesNote('spam-bert', 99999, 1209, 'accuracy'), 'note: --max-examples 99999 is more than the 1,209 test examples of spam-bert: all 1,209 were evaluated\n');
  assert.equal(maxExamplesNote('sotu-char', 64, 64, 'perplexity'), undefined);
  assert.equal(maxExamplesNote('sotu-char', undefined, 64, 'perplexity'), undefined);
  // the --context command takes it: its source calls the same helper on the context run's count
  const src = (await import('node:fs')).readFileSync(path.join(ROOT, 'dse/commands/accuracy.ts'), 'utf8');
  assert.match(src, /maxExamplesNote\(o\.model, maxExamples, c\.n, 'perplexity'\)/);
});
