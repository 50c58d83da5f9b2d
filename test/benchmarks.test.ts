import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BENCHMARKS, BENCHMARK_NAMES, benchmark, geomean } from '../sim/workload/benchmarks.ts';
import { AlgoSchema, WorkloadSchema } from '../sim/schema.ts';
import { buildWorkload } from '../sim/workload/build.ts';
import { basePoint } from '../dse/evaluate.ts';
import { SpaceSchema } from '../dse/space.ts';

test('30 benchmarks: 11 tasks × BERT-Base/Large, 4 corpora × GPT-2-Small/Medium', () => {
  assert.equal(BENCHMARKS.length, 30);
  assert.equal(new Set(BENCHMARK_NAMES).size, 30);
  const bert = BENCHMARKS.filter((b) => b.model.startsWith('bert'));
  assert.equal(bert.length, 22);
  assert.ok(bert.every((b) => b.stage === 'summarization' && b.seqLen > 0 && b.seqLen <= 384), 'bert.every((b) => b.stage === \'summarization\' && b.seqLen > 0 && b.seqLen <= 384)');
  const gpt = BENCHMARKS.filter((b) => b.model.startsWith('gpt2'));
  assert.equal(gpt.length, 8);
  assert.ok(gpt.every((b) => b.stage === 'generation' && b.seqLen === 992 && b.genTokens === 32), 'gpt.every((b) => b.stage === \'generation\' && b.seqLen === 992 && b.genTokens === 32)');
  assert.ok(BENCHMARK_NAMES.includes('bert-base-cola') && BENCHMARK_NAMES.includes('gpt2-medium-wikitext2'), 'BENCHMARK_NAMES.includes(\'bert-base-cola\') && BENCHMARK_NAMES.includes(\'gpt2-medium-wikitext2\')');
});

test('BERT lengths follow the documented derivation (CoLA, MRPC by hand)', () => {
  // CoLA validation: 60322 B / 1043 examples − (4 offset + 8 label + 4 idx) = 41.8 chars; /4 + 2 specials.
  assert.equal(benchmark('bert-base-cola').seqLen, Math.round((60322 / 1043 - 16) / 4 + 2));
  // MRPC: two strings (2 × 4 B offsets) + 8 + 4; /4 + 3 specials.
  assert.equal(benchmark('bert-large-mrpc').seqLen, Math.round((105879 / 408 - 20) / 4 + 3));
  assert.equal(benchmark('bert-base-cola').seqLen, benchmark('bert-large-cola').seqLen);
});

test('unknown benchmark names are rejected with the list of known ones', () => {
  assert.throws(() => benchmark('bert-base-colax'), /unknown benchmark "bert-base-colax" \(known: .*bert-base-cola/);
  assert.equal(WorkloadSchema.safeParse({ benchmark: 'nope' }).success, false);
  assert.equal(WorkloadSchema.safeParse({ benchmark: 'bert-large-rte' }).success, true);
});

/** Keys + values fetched (per head) by a benchmark's workload over the dense one, and heads kept. */
function reduction(name: string): { tokens: number; heads: number } {
  const b = benchmark(name);
  const wl = WorkloadSchema.parse({ model: b.model, stage: b.stage, seqLen: b.seqLen, genTokens: b.genTokens });
  const dense = buildWorkload(wl, AlgoSchema.parse({}));
  const pruned = buildWorkload(wl, AlgoSchema.parse(b.algo));
  const kv = (w: typeof dense) => w.requests.reduce((s, r) => s + r.keys + r.valuesPerQuery, 0) / w.requests.length;
  return { tokens: kv(dense) / kv(pruned), heads: dense.requests.length / pruned.requests.length };
}

test('settings reproduce §5.3: tokens/values 3.8× on GPT-2, 1.9× overall (geomean), heads 1.1×', () => {
  const red = BENCHMARK_NAMES.map(reduction);
  const gpt = red.slice(22).map((r) => r.tokens);
  assert.ok(Math.abs(geomean(gpt) / 3.8 - 1) < 0.05, `GPT-2 tokens/values ${geomean(gpt)}`);
  assert.ok(Math.abs(geomean(red.map((r) => r.tokens)) / 1.9 - 1) < 0.05, `overall ${geomean(red.map((r) => r.tokens))}`);
  assert.ok(Math.abs(geomean(red.map((r) => r.heads)) / 1.1 - 1) < 0.05, `heads ${geomean(red.map((r) => r.heads))}`);
});

test('a space naming a benchmark gets its workload shape and algorithm settings; the algo block overrides', () => {
  const sp = SpaceSchema.parse({ name: 'x', objectives: [{ metric: 'latency_s', goal: 'min' }], workload: { benchmark: 'gpt2-small-ptb' }, algo: { headKeep: 1 } });
  const p = basePoint(sp);
  assert.equal(p.workload.model, 'gpt2-small');
  assert.equal(p.workload.stage, 'generation');
  assert.equal(p.workload.seqLen, 992);
  assert.equal(p.algo.tokenKeep, benchmark('gpt2-small-ptb').algo.tokenKeep);
  assert.equal(p.algo.lsbBits, 4);
  assert.equal(p.algo.headKeep, 1);
});
