/**
 * Under `algo.tokenPolicy=llm` the cascade's schedule and ranking knobs (tokenScore, tokenSpread,
 * tokenMinKeep, tokenFrontFrac) change nothing: `accuracy --model sotu-char --set
 * algo.tokenPolicy=llm --set algo.tokenKeep=0.25` gave perplexity 5.061462321369872 and 64 keys a
 * layer on 4 windows with and without each of them. Like startTokens/recentTokens without llm, they
 * are refused (exit 2) as settings the run would ignore; under cascade they are read.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inertReason } from '../dse/commands/accuracy.ts';
import { AlgoSchema } from '../sim/schema.ts';
import { evaluateAccuracy } from '../sim/nn/api.ts';
import { cli } from './cli-in-process.ts';

const KNOBS = { tokenScore: 'sum', tokenSpread: 0.9, tokenMinKeep: 0.3, tokenFrontFrac: 0.5 } as const;

test('the llm policy ignores the cascade knobs: the same perplexity and kept keys with each of them (so refusing them loses nothing)', async () => {
  const base = { tokenPolicy: 'llm', tokenKeep: 0.25 } as const;
  const ref = await evaluateAccuracy({ model: 'sotu-char', maxExamples: 2 }, AlgoSchema.parse(base));
  for (const [k, v] of Object.entries(KNOBS)) {
    const r = await evaluateAccuracy({ model: 'sotu-char', maxExamples: 2 }, AlgoSchema.parse({ ...base, [k]: v }));
    assert.equal(r.value, ref.value, k);
    assert.deepEqual(r.measured.tokenKeepPerLayer, ref.measured.tokenKeepPerLayer, k);
  }
  // under cascade the same knob moves the kept tokens: front 50% of 4 layers dense keeps layer 1 whole
  const c0 = await evaluateAccuracy({ model: 'sotu-char', maxExamples: 2 }, AlgoSchema.parse({ tokenKeep: 0.25 }));
  const c1 = await evaluateAccuracy({ model: 'sotu-char', maxExamples: 2 }, AlgoSchema.parse({ tokenKeep: 0.25, tokenFrontFrac: 0.5 }));
  assert.ok(c0.measured.tokenKeepPerLayer[1] < 0.5, String(c0.measured.tokenKeepPerLayer));
  assert.equal(c1.measured.tokenKeepPerLayer[1], 1);
});

test('inertReason: each cascade knob is refused for an LM under llm, read under cascade and by a classifier', () => {
  for (const [k, v] of Object.entries(KNOBS)) {
    assert.match(inertReason(k, 'lm', AlgoSchema.parse({ tokenPolicy: 'llm', [k]: v })) ?? '', /the llm token policy has neither/, k);
    assert.equal(inertReason(k, 'lm', AlgoSchema.parse({ [k]: v })), undefined, k);
  }
  assert.equal(inertReason('tokenSpread', 'classifier', AlgoSchema.parse({ tokenSpread: 0.9 })), undefined);
  assert.equal(inertReason('tokenKeep', 'lm', AlgoSchema.parse({ tokenPolicy: 'llm', tokenKeep: 0.25 })), undefined);
});

test('accuracy and logits refuse them: exit 2 naming the --set', async () => {
  const a = await cli(['accuracy', '--model', 'sotu-char', '--max-examples', '2', '--set', 'algo.tokenPolicy=llm', '--set', 'algo.tokenMinKeep=0.3']);
  assert.equal(a.code, 2, a.err);
  assert.match(a.err, /^error: --set algo\.tokenMinKeep=0\.3: does not apply to sotu-char, a language model: it shapes the cascade's per-layer schedule and ranking, and the llm token policy has neither/);
  const l = await cli(['logits', '--model', 'sotu-char', '--ids', '73,102,109', '--set', 'algo.tokenPolicy=llm', '--set', 'algo.tokenScore=sum']);
  assert.equal(l.code, 2, l.err);
  assert.match(l.err, /^error: --set algo\.tokenScore=sum: does not apply to sotu-char/);
});
