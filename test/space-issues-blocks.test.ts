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
  assert.equal(issueMessages([unknownKey('frobnicate')], [], {}, known)[0].message, 'unknown key "frobnicate"');
});
