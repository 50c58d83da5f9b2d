/**
 * An unknown key that is a field of another block is pointed there (dse/space-issues.ts
 * `elsewhere`). The blocks searched are the schema's (every top-level key with keys of its own),
 * not a list kept by hand beside it: a block the schema gains is searched too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { issueMessages, type KnownKeys } from '../dse/space-issues.ts';
import type { ZodIssue } from '../dse/params.ts';

const unknownKey = (key: string, path: string[] = []): ZodIssue => ({ code: 'unrecognized_keys', keys: [key], path, message: '' }) as unknown as ZodIssue;

/** A schema of a top level { name, workload, telemetry, objectives } whose blocks are workload { seqLen } and telemetry { sampleRate }. */
const known: KnownKeys = (path) => {
  const shapes: Record<string, string[]> = { '': ['name', 'workload', 'telemetry', 'objectives'], workload: ['seqLen'], telemetry: ['sampleRate'] };
  return path.length <= 1 ? (shapes[path.length ? String(path[0]) : ''] ?? []) : [];
};

test('a field of a block the schema has (not in any hand-kept list) at the top level: pointed to its block', () => {
  const [m] = issueMessages([unknownKey('sampleRate')], [], {}, known);
  assert.equal(m.message, 'unknown key "sampleRate" (a field of the telemetry block: write it there, telemetry: { sampleRate: … })');
});

test('a top-level key inside a block, and a key of no block', () => {
  assert.equal(issueMessages([unknownKey('name', ['workload'])], [], {}, known)[0].message, 'unknown key "name" (a top-level key: write it on a line of its own, name: …)');
  // a key of no block and no typo: the keys the place takes (it said only `unknown key "frobnicate"`)
  assert.equal(issueMessages([unknownKey('frobnicate')], [], {}, known)[0].message, 'unknown key "frobnicate" (known: name, workload, telemetry, objectives)');
  assert.equal(issueMessages([unknownKey('budget', ['telemetry'])], [], {}, known)[0].message, 'unknown key "budget" (known: sampleRate)');
  // where the keys are not known (deeper than a block), nothing is listed
  assert.equal(issueMessages([unknownKey('colour', ['report', '0'])], [], {}, known)[0].message, 'unknown key "colour"');
});

test('a plain value where a block or a list entry takes keys: its keys named (it said only "expected mapping, received string")', () => {
  const notMapping = (path: (string | number)[]): ZodIssue => ({ code: 'invalid_type', expected: 'object', path, message: '' }) as unknown as ZodIssue;
  const [m] = issueMessages([notMapping(['telemetry'])], [], { telemetry: 'fast' }, known);
  assert.equal(m.message, 'Invalid input: expected mapping, received string ("fast") (its keys: sampleRate)');
  // a list where a mapping goes is not a plain value, and a place without known keys lists none
  assert.equal(issueMessages([notMapping(['telemetry'])], [], { telemetry: [1] }, known)[0].message, 'Invalid input: expected mapping, received list ([1])');
  assert.equal(issueMessages([notMapping(['report', 0])], [], { report: ['x'] }, known)[0].message, 'Invalid input: expected mapping, received string ("x")');
});
