// accuracy --context N: the full-window value equals the engine's own unquantized generation-stage
// perplexity (two independent code paths: batched training forward vs KV-cache generation), and a
// truncated context is an actual truncation (different predictions, same count).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { AlgoSchema } from '../sim/schema.ts';
import { evaluateAccuracy } from '../sim/nn/api.ts';
import { contextPerplexity } from '../sim/nn/context.ts';
import { evalInputs, getEngine } from '../sim/nn/api.ts';

const GPT = join(fileURLToPath(new URL('..', import.meta.url)), 'test/fixtures/hf-reference/gpt2-tiny');

test('context full = unquantized engine perplexity; truncation changes it; N = 1 uses one token', async () => {
  const spec = { model: GPT, maxExamples: 3 };
  const eng = await evaluateAccuracy(spec, AlgoSchema.parse({ msbBits: 32, queryBits: 32, valueBits: 32 }));
  const full = await contextPerplexity(spec, Infinity);
  assert.equal(full.context, 'full');
  assert.equal(full.n, 3);
  assert.equal(full.predictions, 96);
  assert.ok(Math.abs(full.perplexity / eng.value - 1) < 1e-4, `${full.perplexity} vs ${eng.value}`);
  const big = await contextPerplexity(spec, 500);
  assert.equal(big.context, 'full');
  const one = await contextPerplexity(spec, 1);
  const four = await contextPerplexity(spec, 4);
  assert.equal(one.context, 1);
  assert.ok(Math.abs(one.perplexity - full.perplexity) > 1e-3 && Math.abs(four.perplexity - one.perplexity) > 1e-3, 'Math.abs(one.perplexity - full.perplexity) > 1e-3 && Math.abs(four.perplexity - one.perplexity) >…');
  assert.ok(one.ci95[0] <= one.perplexity && one.perplexity <= one.ci95[1], 'one.ci95[0] <= one.perplexity && one.perplexity <= one.ci95[1]');
  // the first scored token has prompt + 1 tokens before it: N = prompt + 1 is the longest truncation,
  // a longer one (short of the full window) would cut before the window's start and is bad input
  const P = (evalInputs(await getEngine(GPT), 3) as { prompt: number }).prompt;
  const longest = await contextPerplexity(spec, P + 1);
  assert.equal(longest.context, P + 1);
  await assert.rejects(contextPerplexity(spec, P + 2), (e: Error & { exitCode?: number }) => /--context: \d+ tokens are more than the \d+ before the first scored token/.test(e.message));
});
