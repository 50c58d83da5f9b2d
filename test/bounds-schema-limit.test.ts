/**
 * "What to look at" told the user to "widen the range of algo.headKeep" when every front point had
 * headKeep = 1, the highest value swept: 1 is the most the schema allows (no head pruning), so no
 * range can be widened. At the schema's own limit (read from sim/schema.ts's zod fields) the note
 * says which extreme the front prefers; at a bound of the range only, it still says to widen it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boundNotes, schemaLimit } from '../core/bounds.ts';
import type { PointRow } from '../core/results.ts';

function row(id: number, params: Record<string, number>, metrics: Record<string, number>, pareto = false): PointRow {
  return { id, params, metrics, feasible: true, pareto, status: 'ok', error: '', fidelity: 'analytical' };
}

test('schemaLimit: the zod bounds of sim/schema.ts, through .default(); none for a non-number field or an unknown key', () => {
  assert.equal(schemaLimit('algo.headKeep', 'highest'), 1); // .gt(0).max(1)
  assert.equal(schemaLimit('algo.headKeep', 'lowest'), 0); // exclusive: no swept value equals it
  assert.equal(schemaLimit('algo.msbBits', 'lowest'), 2);
  assert.equal(schemaLimit('algo.msbBits', 'highest'), 32);
  assert.equal(schemaLimit('algo.lsbBits', 'lowest'), 0);
  assert.equal(schemaLimit('algo.startTokens', 'highest'), 4096); // .optional()
  assert.equal(schemaLimit('workload.seqLen', 'highest'), 16384);
  assert.equal(schemaLimit('algo.valueBits', 'highest'), undefined); // a union (0 or 2..32)
  assert.equal(schemaLimit('algo.tokenPolicy', 'highest'), undefined);
  assert.equal(schemaLimit('hw.nope', 'highest'), undefined);
  assert.equal(schemaLimit('sram', 'lowest'), undefined);
});

// accuracy = 0.9 + 0.05·headKeep (more heads, better), latency = headKeep·bw⁻¹: a real trade-off on
// headKeep, but the front is taken as the points at headKeep 1 only (as a tight accuracy constraint leaves it)
const run = { parameters: ['algo.headKeep', 'hw.dramChannels'], objectives: [{ metric: 'latency_s', goal: 'min' as const }, { metric: 'accuracy', goal: 'max' as const }] };
const pts = (keeps: number[]) =>
  keeps.flatMap((k, i) => [8, 16].map((c, j) => row(2 * i + j, { 'algo.headKeep': k, 'hw.dramChannels': c }, { latency_s: k / c, accuracy: 0.9 + 0.05 * k }, k === Math.max(...keeps))));

test('a front at headKeep 1 (the schema limit) is said to prefer no head pruning, not told to widen the range', () => {
  const notes = boundNotes(run, pts([0.25, 0.5, 1]));
  const head = notes.find((n) => n.includes('algo.headKeep'));
  assert.equal(head, 'every front point has algo.headKeep = 1, the highest value swept: the front prefers no head pruning: every front point keeps all heads (1 is the most algo.headKeep can be, so there is no range to widen).');
});

test('a front at headKeep 0.75, the highest swept but below the limit, is still told to widen the range', () => {
  const notes = boundNotes(run, pts([0.25, 0.5, 0.75]));
  assert.ok(notes.includes('every front point has algo.headKeep = 0.75, the highest value swept: the front sits on the bound of an algorithm knob (widen the range of algo.headKeep).'), notes.join(' | '));
});

test('a knob at its schema limit without a name for its extreme, and without an accuracy objective: the generic sentence', () => {
  // latency grows with lsbBits (refetched bits), nothing else prices it: the front takes lsbBits 0, the least there is
  const r = { parameters: ['algo.lsbBits', 'hw.dramChannels'], objectives: [{ metric: 'latency_s', goal: 'min' as const }, { metric: 'area_mm2', goal: 'min' as const }] };
  const p = [0, 2, 4].flatMap((b, i) => [8, 16].map((c, j) => row(2 * i + j, { 'algo.lsbBits': b, 'hw.dramChannels': c }, { latency_s: (1 + b) / c, area_mm2: c }, b === 0)));
  const notes = boundNotes(r, p);
  assert.equal(notes[0], 'every front point has algo.lsbBits = 0, the lowest value swept: the front prefers that extreme (0 is the least algo.lsbBits can be, so there is no range to widen); no objective prices it: add an accuracy objective.');
});
