// The measured trace (`accuracy --trace-out`) lists head requests in the order the accelerator
// runs them, as the official workloads do: sentence (iteration) by sentence, layer by layer. The
// engine evaluates a batch of examples at once, and its rows came out layer by layer across the
// batch (iterations 0, 32, 64, … of layer 0, then layer 1 …), so the cycle model simulated 16
// windows interleaved.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { AlgoSchema } from '../sim/schema.ts';
import { CHECKPOINT_ROOT } from '../sim/nn/paths.ts';
import { evaluateAccuracy } from '../sim/nn/api.ts';
import type { HeadRequest } from '../sim/workload/types.ts';

const has = (m: string) => existsSync(join(CHECKPOINT_ROOT, m, 'model.safetensors'));

/** The first row that comes before its predecessor in (iteration, layer) order, or -1. */
function firstOutOfOrder(rows: HeadRequest[]): number {
  for (let i = 1; i < rows.length; i++) {
    const a = rows[i - 1];
    const b = rows[i];
    if (b.iteration < a.iteration || (b.iteration === a.iteration && b.layer < a.layer)) return i;
  }
  return -1;
}

test('sotu-gpt trace: rows in execution order (iteration, then layer) over a batch of 16 windows', { skip: !has('sotu-gpt') && 'no checkpoint' }, async () => {
  const r = await evaluateAccuracy({ model: 'sotu-gpt', maxExamples: 16 }, AlgoSchema.parse({ tokenKeep: 0.25 }));
  const rows = r.trace.requests;
  assert.equal(new Set(rows.map((q) => q.iteration)).size, 16 * 32, 'every window × step is in the trace');
  const i = firstOutOfOrder(rows);
  assert.equal(i, -1, i < 0 ? '' : `row ${i}: iteration ${rows[i].iteration} layer ${rows[i].layer} after iteration ${rows[i - 1].iteration} layer ${rows[i - 1].layer}`);
  // within a layer of an iteration the heads keep their order, and the rows are the same multiset
  const first = rows.filter((q) => q.iteration === rows[0].iteration && q.layer === 0).map((q) => q.head);
  assert.deepEqual(first, [...first].sort((a, b) => a - b), 'heads in order within a layer');
});

test('spam-bert trace: rows in execution order (example, then layer) over a batch of 32 emails', { skip: !has('spam-bert') && 'no checkpoint' }, async () => {
  const r = await evaluateAccuracy({ model: 'spam-bert', maxExamples: 32 }, AlgoSchema.parse({ tokenKeep: 0.5 }));
  const rows = r.trace.requests;
  assert.equal(new Set(rows.map((q) => q.iteration)).size, 32, 'every email is in the trace');
  const i = firstOutOfOrder(rows);
  assert.equal(i, -1, i < 0 ? '' : `row ${i}: iteration ${rows[i].iteration} layer ${rows[i].layer} after iteration ${rows[i - 1].iteration} layer ${rows[i - 1].layer}`);
});
