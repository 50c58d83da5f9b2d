/**
 * `simulate -w <benchmark>` names the benchmark and the pruning/quantization it runs: the text
 * header read "gpt2-medium generation seqLen=992 genTokens=32" for both `-w gpt2-medium` (dense,
 * 7.61 ms) and `-w gpt2-medium-wikitext2` (the suite's §5.3-derived setting, 1.39 ms), so the two
 * results could not be told apart.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'spatten-dse.js');
const run = (...args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, 'simulate', ...args], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
};

test('simulate -w <benchmark>: the header names the benchmark and an algo line its settings', () => {
  const b = run('-w', 'gpt2-medium-wikitext2');
  assert.match(b, /^workload {2}benchmark gpt2-medium-wikitext2: gpt2-medium generation seqLen=992 genTokens=32 /m);
  assert.match(b, /^algo {6}tokenKeep=0\.326 headKeep=0\.87 valueKeep=0\.2 msbBits=6 lsbBits=4 valueBits=6$/m);
  const m = run('-w', 'gpt2-medium');
  assert.doesNotMatch(m, /benchmark/);
  assert.match(m, /^algo {6}defaults \(no pruning, 12-bit K\/V, no LSB refetch\)$/m);
  // --set on top of a benchmark's settings shows in the line
  assert.match(run('-w', 'bert-base-cola', '--set', 'algo.tokenKeep=0.5'), /^algo {6}tokenKeep=0\.5 headKeep=0\.87 msbBits=8 valueBits=8$/m);
});
