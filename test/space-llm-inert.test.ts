/**
 * The cascade's schedule and ranking knobs (tokenScore, tokenSpread, tokenMinKeep, tokenFrontFrac)
 * change nothing under algo.tokenPolicy llm (test/accuracy-llm-inert.test.ts: the same perplexity
 * and kept keys with each). `accuracy` and `logits` refuse them; a space file accepted them and ran
 * the same points once per value (`simulate --accuracy sotu-char --accuracy-examples 4 --set
 * algo.tokenPolicy=llm --set algo.tokenKeep=0.25` gave perplexity 5.09095498926607, latency
 * 0.0007999889546956338 s with tokenSpread 0.3 and 0.9), and so did `simulate --accuracy --set`.
 * Both now refuse them when every point is on llm; a sweep of tokenPolicy with cascade keeps them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseSpace } from '../dse/space.ts';
import { InputError } from '../dse/errors.ts';
import { inputErrorOf } from './input-error.ts';
import { checkSetsApply } from '../dse/set-applies.ts';
import { AlgoSchema, HardwareSchema, WorkloadSchema } from '../sim/schema.ts';
import { LLM_INERT } from '../dse/llm-inert.ts';
import { cli } from './cli-in-process.ts';

const SPACE = (algo: string, params: string) => `name: llm-inert
workload: { model: gpt2-small, stage: generation, seqLen: 128, genTokens: 4 }
model: analytical
accuracy: { model: sotu-char, maxExamples: 4 }
${algo}objectives:
  - { metric: latency_s, goal: min }
  - { metric: perplexity, goal: min }
parameters:
  algo.tokenKeep: [0.25, 0.5]
${params}search: { driver: grid, seed: 1 }
`;

const errorOf = (text: string): string => inputErrorOf(() => parseSpace(text, 's.yaml'));

test('every listed knob swept beside algo: { tokenPolicy: llm } is refused at its line; written in the block too', () => {
  const values: Record<string, string> = { tokenScore: '[sum, mean]', tokenSpread: '[0.3, 0.9]', tokenMinKeep: '[0.1, 0.3]', tokenFrontFrac: '[0, 0.5]' };
  assert.deepEqual(Object.keys(values), [...LLM_INERT]);
  for (const k of LLM_INERT) {
    // line 11: the swept key (below name, workload, model, accuracy, algo, 3 objective lines, parameters, tokenKeep)
    const msg = errorOf(SPACE('algo: { tokenPolicy: llm }\n', `  algo.${k}: ${values[k]}\n`));
    assert.match(msg, new RegExp(`^s\\.yaml:11:\\d+: parameters\\.algo\\.${k}: ${k} does not apply: it shapes the cascade's per-layer schedule and ranking, and the llm token policy has neither: .*; every point uses the llm token policy, so each value would repeat the same points; remove it, or use algo\\.tokenPolicy cascade \\(or sweep it with cascade\\)$`), msg);
  }
  assert.match(errorOf(SPACE('algo: { tokenPolicy: llm, tokenMinKeep: 0.3 }\n', '')), /^s\.yaml:5:\d+: algo\.tokenMinKeep: tokenMinKeep does not apply: it shapes the cascade's/);
});

test('tokenPolicy swept: refused when every value is llm (said so), kept when cascade is among them; cascade alone keeps them', () => {
  assert.match(errorOf(SPACE('', '  algo.tokenPolicy: [llm]\n  algo.tokenSpread: [0.3, 0.9]\n')), /^s\.yaml:11:\d+: parameters\.algo\.tokenSpread: .*; every value of the swept algo\.tokenPolicy is llm, so each value would repeat/);
  // 2 tokenKeep × 2 policies × 2 spreads: the spread moves the cascade points
  assert.equal(parseSpace(SPACE('', '  algo.tokenPolicy: [cascade, llm]\n  algo.tokenSpread: [0.3, 0.9]\n'), 's.yaml').domains.length, 3);
  assert.equal(parseSpace(SPACE('', '  algo.tokenSpread: [0.3, 0.9]\n'), 's.yaml').domains.length, 2);
  assert.equal(parseSpace(SPACE('algo: { tokenPolicy: llm }\n', '  algo.startTokens: [4, 8]\n'), 's.yaml').domains.length, 2);
});

test('run refuses the space: exit 2, file:line: field, nothing written', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sdse-llm-inert-'));
  const file = path.join(dir, 's.yaml');
  writeFileSync(file, SPACE('algo: { tokenPolicy: llm }\n', '  algo.tokenSpread: [0.3, 0.9]\n'));
  const out = path.join(dir, 'out');
  const r = await cli(['run', file, '--out', out, '--progress', 'none', '--no-report']);
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, new RegExp(`^error: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:11:\\d+: parameters\\.algo\\.tokenSpread: tokenSpread does not apply`));
  assert.equal(existsSync(out), false);
});

test('simulate --accuracy: --set of a cascade knob beside --set algo.tokenPolicy=llm is refused as accuracy refuses it; under cascade it applies', () => {
  const point = (algo: Record<string, unknown>) => ({ hw: HardwareSchema.parse({}), algo: AlgoSchema.parse(algo), workload: WorkloadSchema.parse({ model: 'gpt2-small', stage: 'generation' }) });
  const ctx = { accuracy: { model: 'sotu-char', kind: 'lm' }, offersAccuracy: true, offersE2e: true };
  const sets = ['algo.tokenPolicy=llm', 'algo.tokenFrontFrac=0.5'];
  assert.throws(() => checkSetsApply(sets, point({ tokenPolicy: 'llm', tokenFrontFrac: 0.5 }), ctx), (e: Error) => e instanceof InputError && /^--set algo\.tokenFrontFrac=0\.5: does not apply: it shapes the cascade's per-layer schedule and ranking, and the llm token policy has neither: .*; drop it, or drop --set algo\.tokenPolicy=llm$/.test(e.message));
  assert.doesNotThrow(() => checkSetsApply(['algo.tokenFrontFrac=0.5'], point({ tokenFrontFrac: 0.5 }), ctx));
});
