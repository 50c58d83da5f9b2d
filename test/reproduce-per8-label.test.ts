/**
 * The per8 workload line Fig. 19a and the SRAM study print agrees with the trace: the prompt is
 * the paper's initial length 992 (spec §4.3), the first iteration's L = 993 counting the current
 * token — as the GPU baseline reads the same trace (sim/baselines/compare.ts fromWorkload). It
 * said "a 993-token prompt".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PER8, PER8_SETTINGS, trace } from '../dse/reproduce/common.ts';
import { fromWorkload } from '../sim/baselines/compare.ts';

test('per8 label: prompt length and tokens generated as the trace and the baseline read them', () => {
  const w = trace(PER8);
  const shape = fromWorkload(w);
  const m = /(\d+) tokens after a (\d+)-token prompt/.exec(PER8_SETTINGS);
  assert.ok(m, PER8_SETTINGS);
  assert.equal(Number(m[1]), shape.genTokens);
  assert.equal(Number(m[2]), shape.seqLen);
  const Ls = w.requests.map((r) => r.L);
  assert.match(PER8_SETTINGS, new RegExp(`L = ${Math.min(...Ls)}…${Math.max(...Ls)}`));
});
