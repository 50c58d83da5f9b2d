/**
 * Which `accuracy --set algo.X` the command refuses as settings the model would not run (the CLI's
 * exit 2 cases are in bad-inputs.test.ts): the refusal follows the value where the value decides.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inertReason } from '../dse/commands/accuracy.ts';
import { AlgoSchema } from '../sim/schema.ts';

test('a classifier runs lsbBits 0 (progressive quantization off) and refuses lsbBits > 0 and lsbThreshold', () => {
  assert.equal(inertReason('lsbBits', 'classifier', AlgoSchema.parse({ lsbBits: 0 })), undefined);
  assert.match(inertReason('lsbBits', 'classifier', AlgoSchema.parse({ lsbBits: 4 })) ?? '', /BERT is quantized statically/);
  assert.match(inertReason('lsbThreshold', 'classifier', AlgoSchema.parse({ lsbThreshold: 0.2 })) ?? '', /BERT is quantized statically/);
  assert.equal(inertReason('lsbBits', 'lm', AlgoSchema.parse({ lsbBits: 4 })), undefined);
  assert.equal(inertReason('tokenKeep', 'classifier', AlgoSchema.parse({ tokenKeep: 0.5 })), undefined);
});

test('startTokens / recentTokens apply to an LM under the llm policy only', () => {
  assert.match(inertReason('startTokens', 'lm', AlgoSchema.parse({ startTokens: 8 })) ?? '', /belongs to the llm token policy/);
  assert.equal(inertReason('startTokens', 'lm', AlgoSchema.parse({ startTokens: 8, tokenPolicy: 'llm' })), undefined);
});

test('an LM refuses lsbThreshold with lsbBits 0 and lsbBits with unquantized keys (msbBits 32): the run would ignore them', () => {
  assert.match(inertReason('lsbThreshold', 'lm', AlgoSchema.parse({ lsbThreshold: 0.9 })) ?? '', /progressive quantization is off/);
  assert.equal(inertReason('lsbThreshold', 'lm', AlgoSchema.parse({ lsbThreshold: 0.9, lsbBits: 4 })), undefined);
  assert.match(inertReason('lsbBits', 'lm', AlgoSchema.parse({ lsbBits: 4, msbBits: 32 })) ?? '', /not quantized at algo\.msbBits 32/);
  assert.equal(inertReason('lsbBits', 'lm', AlgoSchema.parse({ lsbBits: 4, msbBits: 8 })), undefined);
});
