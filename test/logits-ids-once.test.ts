/**
 * `logits --ids` takes one list: commander kept only the last of `--ids 73,102,109 --ids 73,102`, and
 * the command printed the 1 next-token log-prob of 73,102 with exit 0 (not the 2 of 73,102,109), the first
 * list dropped without a word. A repeat is refused (exit 2, nothing on stdout); one list still runs.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';

const BIN = path.join(import.meta.dirname, '..', 'bin', 'spatten-dse.js');
const logits = (...args: string[]) => spawnSync(process.execPath, [BIN, 'logits', '--model', 'sotu-char', ...args], { encoding: 'utf8' });

test('logits --ids given twice is refused (exit 2) naming both lists, nothing on stdout', () => {
  const r = logits('--ids', '73,102,109', '--ids', '73,102');
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, 'error: --ids given 2 times (--ids 73,102,109, --ids 73,102): give one comma-separated list, e.g. --ids 73,102,109,73,102\n');
});

test('logits --ids once runs (3 ids: 2 next-token log-probs); without --ids (or --text) it asks for one (exit 2)', () => {
  const r = logits('--ids', '73,102,109', '--json');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).next_token_logprob.length, 2);
  const m = logits();
  assert.equal(m.status, 2);
  assert.match(m.stderr, /give the input: --ids 2,45,17 \(token ids\) or --text/);
});
