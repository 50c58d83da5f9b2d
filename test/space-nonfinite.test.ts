/**
 * Numbers that are not finite in a space file (`.nan`, `.inf`, a literal beyond the doubles such
 * as 1e400) or a `--set`: the error says so. It read "expected number, received number (null)"
 * in a block and "expected number, string or boolean, not null" in a parameter list (JSON shows
 * NaN and Infinity as null), and `--set hw.clockGHz=1e400` "expected number, received string".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSets, parseSpace } from '../dse/space.ts';
import { InputError } from '../dse/errors.ts';

const space = (lines: string) => `name: nf
objectives:
  - { metric: latency_s, goal: min }
${lines}`;

function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof InputError, `expected InputError, got ${e}`);
    return (e as Error).message;
  }
  assert.fail('expected an error');
}

test('.nan, .inf and 1e400 in blocks, lists and ranges: "expected a finite number", at their line and column', () => {
  const msg = errorOf(() =>
    parseSpace(
      space(`hardware: { clockGHz: .inf }
algo: { tokenKeep: .nan }
parameters:
  hw.topkParallelism: [1, 1e400]
  algo.headKeep: { range: [0.1, -.inf], step: 0.1 }
`),
      'x.yaml',
    ),
  );
  const lines = msg.split('\n');
  assert.deepEqual(
    lines,
    [
      'x.yaml:4:23: hardware.clockGHz: expected a finite number, got Infinity (YAML\'s .nan or .inf, or a number beyond ±1.8e308)',
      'x.yaml:5:20: algo.tokenKeep: expected a finite number, got NaN (YAML\'s .nan or .inf, or a number beyond ±1.8e308)',
      'x.yaml:7:27: parameters.hw.topkParallelism[1]: expected a finite number, got Infinity (YAML\'s .nan or .inf, or a number beyond ±1.8e308)',
      'x.yaml:8:33: parameters.algo.headKeep.range[1]: expected a finite number, got -Infinity (YAML\'s .nan or .inf, or a number beyond ±1.8e308)',
    ],
  );
  assert.doesNotMatch(msg, /null/);
});

test('--set with a number beyond the doubles: "expected a finite number"', () => {
  assert.equal(errorOf(() => parseSets(['hw.clockGHz=1e400'])), '--set hw.clockGHz=1e400: hw.clockGHz: expected a finite number, got 1e400 (beyond ±1.8e308)');
  // a finite one still parses
  assert.deepEqual(parseSets(['hw.clockGHz=1e0']), { 'hw.clockGHz': 1 });
});
