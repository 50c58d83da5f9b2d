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
  // LSB refetch on (6 + 4 bits): the refetch fraction the hardware prices it with is named, though it is the default 0.059
  assert.match(b, /^algo {6}tokenKeep=0\.326 headKeep=0\.87 valueKeep=0\.2 msbBits=6 lsbBits=4 lsbRefetchFraction=0\.059 valueBits=6$/m);
  const m = run('-w', 'gpt2-medium');
  assert.doesNotMatch(m, /benchmark/);
  assert.match(m, /^algo {6}defaults \(no pruning, 12-bit K\/V, no LSB refetch\)$/m);
  // --set on top of a benchmark's settings shows in the line
  assert.match(run('-w', 'bert-base-cola', '--set', 'algo.tokenKeep=0.5'), /^algo {6}tokenKeep=0\.5 headKeep=0\.87 msbBits=8 valueBits=8$/m);
});

test('simulate --accuracy: a line gives the measured pruning and refetch fraction that drove the hardware model, as `accuracy` measures them', () => {
  const sets = ['algo.tokenKeep=0.326', 'algo.headKeep=0.87', 'algo.valueKeep=0.2', 'algo.msbBits=6', 'algo.lsbBits=4', 'algo.valueBits=6'];
  const out = run('-w', 'gpt2-medium-wikitext2', '--accuracy', 'sotu-char', '--accuracy-examples', '4');
  const m = /^measured {2}by sotu-char on 4 examples, driving the hardware model in place of the algo line's keep ratios and lsbRefetchFraction: tokens kept ([\d.]+), heads kept ([\d.]+), values kept ([\d.]+) \(means per layer\), LSB refetch fraction ([\d.]+)$/m.exec(out);
  assert.ok(m, out);
  // the same settings through `accuracy`: its per-layer ratios over sotu-char's 4 layers (gpt2-medium's 24 take each 6 times, so the means agree)
  const r = spawnSync(process.execPath, [BIN, 'accuracy', '--model', 'sotu-char', '--max-examples', '4', '--json', ...sets.flatMap((s) => ['--set', s])], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const a = JSON.parse(r.stdout);
  const avg = (xs: number[]) => xs.reduce((x, y) => x + y, 0) / xs.length;
  assert.equal(Number(m[1]), Number(avg(a.tokenKeepPerLayer).toFixed(3)));
  assert.equal(Number(m[2]), Number(avg(a.headKeepPerLayer).toFixed(3)));
  assert.equal(Number(m[3]), Number(avg(a.valueKeepPerLayer).toFixed(3)));
  assert.equal(Number(m[4]), Number(a.lsbRefetchFraction.toFixed(4)));
  assert.notEqual(Number(m[4]), 0.059, 'the measured fraction, not the algo default');
  // a classifier measures no refetch: the line names keep ratios only
  const c = run('-w', 'bert-base', '--set', 'algo.tokenKeep=0.5', '--accuracy', 'spam-bert', '--accuracy-examples', '4');
  assert.match(c, /^measured {2}by spam-bert on 4 examples, driving the hardware model in place of the algo line's keep ratios: tokens kept [\d.]+, heads kept 1\.000, values kept 1\.000 \(means per layer\)$/m);
});
