/**
 * `compare --seq-len` above the workload's bound (16,384, sim/schema.ts) is bad input, as
 * `simulate --seq-len` says it: it was an unexpected error (exit 1) printing zod's issue list.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { WorkloadSchema } from '../sim/schema.ts';

const BIN = path.join(import.meta.dirname, '..', 'bin', 'spatten-dse.js');
const cli = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });

test('compare --seq-len above the bound: exit 2 naming the bound; at the bound it runs', () => {
  const max = 16384;
  assert.ok(WorkloadSchema.shape.seqLen.safeParse(max).success && !WorkloadSchema.shape.seqLen.safeParse(max + 1).success, 'the schema bound is 16,384');
  const r = cli('compare', '--seq-len', String(max + 1));
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stderr, `error: --seq-len: ${max + 1} is too large (at most ${max})\n`);
  assert.equal(r.stdout, '');
  const ok = cli('compare', '--seq-len', String(max), '--json');
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(JSON.parse(ok.stdout).settings.workload.seqLen, max);
});
