/**
 * Numbers that are not finite in a space file (`.nan`, `.inf`, a literal beyond the doubles such
 * as 1e400) or a `--set`: the error says so. It read "expected number, received number (null)"
 * in a block and "expected number, string or boolean, not null" in a parameter list (JSON shows
 * NaN and Infinity as null), and `--set hw.clockGHz=1e400` "expected number, received string".
 * A constraint bound of 1e400 was taken as Infinity: "area_mm2 >= 1e400" made every point
 * infeasible with a violation of NaN, and the summary said it "excluded 0 of 2".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConstraint, parseSets, parseSpace, violation } from '../dse/space.ts';
import { inputErrorOf } from './input-error.ts';
import { checkParams } from '../dse/serve.ts';

const space = (lines: string) => `name: nf
objectives:
  - { metric: latency_s, goal: min }
${lines}`;


test('.nan, .inf and 1e400 in blocks, lists and ranges: "expected a finite number", at their line and column', () => {
  const msg = inputErrorOf(() =>
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
  assert.equal(inputErrorOf(() => parseSets(['hw.clockGHz=1e400'])), '--set hw.clockGHz=1e400: hw.clockGHz: expected a finite number, got 1e400 (beyond ±1.8e308)');
  // a finite one still parses
  assert.deepEqual(parseSets(['hw.clockGHz=1e0']), { 'hw.clockGHz': 1 });
});

test('a constraint bound beyond the doubles is refused at its line; the largest finite one still parses and excludes', () => {
  assert.equal(parseConstraint('area_mm2 >= 1e400'), '"area_mm2 >= 1e400": 1e400 is beyond the largest number (±1.8e308); give a finite bound');
  assert.equal(parseConstraint('accuracy >= dense - 1e999'), '"accuracy >= dense - 1e999": 1e999 is beyond the largest number (±1.8e308); give a finite bound');
  const msg = inputErrorOf(() => parseSpace(space(`constraints: ["area_mm2 >= 1e400"]\nparameters:\n  hw.topkParallelism: [1, 2]\n`), 'x.yaml'));
  assert.match(msg, /^x\.yaml:4:15: constraints\[0\]: "area_mm2 >= 1e400": 1e400 is beyond/);
  const c = parseConstraint('area_mm2 >= 1e308');
  assert.ok(typeof c !== 'string');
  // 18.71 mm² is short of 1e308 by (1e308 - 18.71) / 1e308 of the bound: 1 to the doubles' precision
  assert.equal(violation(c, 18.71), 1);
});

test('serve: a request value beyond the doubles (JSON 1e400) is echoed as Infinity, not null', () => {
  const domains = [{ key: 'hw.dramChannelGBps', kind: 'choice' as const, values: [8, 16] }];
  assert.throws(() => checkParams({ 'hw.dramChannelGBps': Number.POSITIVE_INFINITY }, domains), { message: 'params.hw.dramChannelGBps: Infinity is not one of 8, 16' });
  assert.throws(() => checkParams({ 'hw.dramChannelGBps': JSON.parse('-1e400') }, domains), { message: 'params.hw.dramChannelGBps: -Infinity is not one of 8, 16' });
});
