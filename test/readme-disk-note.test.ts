/**
 * README's size-guard bullet quotes the disk note a run prints before it starts: it said "796 MB"
 * and "~340–800 B a point" after dse/disk-note.ts's estimate grew with the gop_per_j and
 * gops_per_mm2 columns (856 MB for the same 10⁶-point 6-parameter grid). The quoted note and
 * per-point terms must be what diskNote and bytesPerPoint give.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { bytesPerPoint, diskNote } from '../dse/disk-note.ts';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8').replace(/\s+/g, ' ');
const num = (s: string) => Number(s.replace(/,/g, ''));

test("README's disk note example is the note diskNote prints for a 10⁶-point grid of 6 parameters", () => {
  const m = /`note: this run needs about (\d+) MB of disk …` for a 10⁶-point grid of (\d+) parameters/.exec(README);
  assert.ok(m, 'the disk-note example is not in the README');
  const note = diskNote('/nowhere', 1e6, Number(m[2]), false, 1e6);
  assert.ok(note?.startsWith(`this run needs about ${m[1]} MB of disk`), `README quotes ${m[1]} MB; diskNote says: ${note}`);
});

test("README's per-point disk estimate is bytesPerPoint's: a constant plus a per-parameter term, analytical and bulky", () => {
  const m = /estimated at ~([\d,]+) B a point plus ~(\d+) B a parameter, ~([\d,]+) B plus the same with the cycle model or accuracy/.exec(README);
  assert.ok(m, 'the per-point estimate is not in the README');
  assert.equal(bytesPerPoint(0, false), num(m[1]), 'analytical constant term');
  assert.equal(bytesPerPoint(1, false) - bytesPerPoint(0, false), num(m[2]), 'per-parameter term (analytical)');
  assert.equal(bytesPerPoint(1, true) - bytesPerPoint(0, true), num(m[2]), 'per-parameter term (cycle or accuracy)');
  assert.equal(bytesPerPoint(0, true), num(m[3]), 'cycle/accuracy constant term');
});
