/**
 * `simulate --set` and `compare --set` of a knob that changes no number of the point are refused
 * (exit 2), as a space file refuses them: the FC weight width without scope e2e, the LSB-refetch
 * knobs on BERT (quantized statically), the accuracy engine's token-selection knobs without a
 * language model. They were accepted, the algo line (compare: "8+4-bit progressive") naming a
 * setting the numbers did not have. The first test shows each knob indeed changes nothing there.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { evaluateHardware } from '../sim/index.ts';
import { WorkloadSchema } from '../sim/schema.ts';
import { applyParams, basePoint } from '../dse/evaluate.ts';
import type { Params } from '../dse/driver.ts';

const BIN = path.join(import.meta.dirname, '..', 'bin', 'spatten-dse.js');
const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

/** The analytical model's latency and energy of a point of `workload` with `params`. */
function metrics(workload: Record<string, unknown>, params: Params): [number, number] {
  const p = applyParams(basePoint({ workload: WorkloadSchema.parse(workload), hardware: { preset: 'spatten' }, algo: {} }), params);
  const r = evaluateHardware(p, { fidelity: 'analytical' });
  return [r.latency_s, r.energy_j];
}

test('the refused knobs change no number of such a point (and fcWeightBits does with scope e2e)', () => {
  const gpt = { model: 'gpt2-medium', stage: 'generation', seqLen: 992, genTokens: 32 };
  const bert = { model: 'bert-base', stage: 'summarization', seqLen: 128 };
  assert.deepEqual(metrics(gpt, { 'algo.fcWeightBits': 12 }), metrics(gpt, {}));
  assert.notDeepEqual(metrics({ ...gpt, scope: 'e2e' }, { 'algo.fcWeightBits': 12 }), metrics({ ...gpt, scope: 'e2e' }, {}));
  assert.deepEqual(metrics(gpt, { 'algo.tokenKeep': 0.5, 'algo.tokenPolicy': 'llm', 'algo.tokenScore': 'sum' }), metrics(gpt, { 'algo.tokenKeep': 0.5 }));
  assert.deepEqual(metrics(bert, { 'algo.msbBits': 8, 'algo.lsbBits': 4, 'algo.lsbRefetchFraction': 0.5 }), metrics(bert, { 'algo.msbBits': 8 }));
});

test('simulate: each such --set exits 2 naming it and why, nothing on stdout; the ones that apply run', () => {
  const refused: [string[], RegExp][] = [
    [['--set', 'algo.fcWeightBits=12'], /^error: --set algo\.fcWeightBits=12: does not apply: the FC\/FFN weight width counts only in SpAtten-e2e \(scope e2e\).*; add --scope e2e, or drop it\n$/],
    [['--set', 'algo.tokenPolicy=llm'], /^error: --set algo\.tokenPolicy=llm: does not apply: the token selection runs in the accuracy engine's language model only .*no --accuracy model runs; add --accuracy sotu-char/],
    [['-w', 'bert-base', '--set', 'algo.msbBits=8', '--set', 'algo.lsbBits=4'], /^error: --set algo\.lsbBits=4: does not apply: bert-base is an encoder, quantized statically \(no LSB refetch\); drop it\n$/],
    [['-w', 'bert-base-cola', '--set', 'algo.lsbThreshold=0.2'], /^error: --set algo\.lsbThreshold=0\.2: does not apply: bert-base is an encoder/],
    [['-w', 'bert-base', '--set', 'algo.tokenScore=sum', '--accuracy', 'spam-bert'], /^error: --set algo\.tokenScore=sum: does not apply: .*--accuracy spam-bert is a classifier/],
  ];
  for (const [args, re] of refused) {
    const r = cli('simulate', ...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, re);
    assert.equal(r.out, '');
  }
  for (const args of [['--scope', 'e2e', '--set', 'algo.fcWeightBits=12'], ['-w', 'bert-base', '--set', 'algo.lsbBits=0'], ['--set', 'hw.wordBits=16', '--set', 'algo.lsbBits=4']]) {
    const r = cli('simulate', ...args);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.err}`);
  }
});

test('compare: the FC weight width and progressive quantization are refused (its BERT runs attention, statically quantized)', () => {
  const fc = cli('compare', '--set', 'algo.fcWeightBits=12');
  assert.equal(fc.code, 2, fc.err);
  assert.match(fc.err, /^error: --set algo\.fcWeightBits=12: does not apply: .*attention layers only; drop it\n$/);
  const lsb = cli('compare', '--set', 'algo.lsbBits=4');
  assert.equal(lsb.code, 2, lsb.err);
  assert.match(lsb.err, /^error: --set algo\.lsbBits=4: does not apply: bert-base is an encoder/);
});

test('simulate: the LSB knobs that change no number of a GPT-2 point run with a note saying why; none where they act', () => {
  const gpt = { model: 'gpt2-medium', stage: 'generation', seqLen: 992, genTokens: 32 };
  const lsb = { 'hw.wordBits': 16, 'algo.lsbBits': 4 };
  // the invariants behind the notes: no refetch at lsbBits 0; the threshold is not read by the hardware models
  assert.deepEqual(metrics(gpt, { 'algo.lsbRefetchFraction': 0.5, 'algo.lsbThreshold': 0.5 }), metrics(gpt, {}));
  assert.deepEqual(metrics(gpt, { ...lsb, 'algo.lsbThreshold': 0.5 }), metrics(gpt, lsb));
  assert.notDeepEqual(metrics(gpt, { ...lsb, 'algo.lsbRefetchFraction': 0.5 }), metrics(gpt, lsb));
  const off = cli('simulate', '--set', 'algo.lsbRefetchFraction=0.5');
  assert.equal(off.code, 0, off.err);
  assert.equal(off.err, 'note: --set algo.lsbRefetchFraction=0.5: changes no number here: algo.lsbBits is 0 (progressive quantization off), so no head refetches its LSBs; add --set algo.lsbBits=4 (the word must hold the key\'s MSBs + 4 bits)\n');
  const thr = cli('simulate', '--set', 'hw.wordBits=16', '--set', 'algo.lsbBits=4', '--set', 'algo.lsbThreshold=0.5');
  assert.equal(thr.code, 0, thr.err);
  assert.match(thr.err, /^note: --set algo\.lsbThreshold=0\.5: changes no number here: the hardware models price LSB refetches with algo\.lsbRefetchFraction \(0\.059\), .*no --accuracy model runs: set algo\.lsbRefetchFraction, or add --accuracy sotu-char\n$/);
  const acts = cli('simulate', '--set', 'hw.wordBits=16', '--set', 'algo.lsbBits=4', '--set', 'algo.lsbRefetchFraction=0.5');
  assert.equal(acts.code, 0, acts.err);
  assert.equal(acts.err, '');
});
