/**
 * Shared by the executor's accuracy tests (executor-accuracy, executor-chunks): their space, prepared
 * in a temporary folder, and an accuracy outcome no real run gives, so those tests need no engine.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { prepareRun } from '../dse/run.ts';
import type { EvalContext } from '../dse/evaluate.ts';
import type { AccuracyOutcome } from '../dse/accuracy-runs.ts';

/** A grid over `parameters` (YAML lines) on BERT-Base summarization, spam-bert accuracy on 8 emails, accuracy and latency objectives. */
export function accuracySpaceYaml(name: string, parameters: string[]): string {
  return [
    `name: ${name}`,
    'workload: { model: bert-base, stage: summarization, seqLen: 128 }',
    'accuracy: { model: spam-bert, maxExamples: 8 }',
    'objectives:',
    '  - { metric: accuracy, goal: max }',
    '  - { metric: latency_s, goal: min }',
    'parameters:',
    ...parameters.map((l) => `  ${l}`),
    'search: { driver: grid }',
    '',
  ].join('\n');
}

/** The run context of `space` (YAML text), written into a fresh temporary folder (`dir`: remove it when done). */
export function preparedSpace(space: string, prefix: string): { dir: string; ctx: EvalContext } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const spaceFile = path.join(dir, 'space.yaml');
  fs.writeFileSync(spaceFile, space);
  return { dir, ctx: prepareRun({ spaceFile }).ctx };
}

/** Accuracy 0.123 on 8 examples for a 12-layer workload: a point that shows it used this outcome. */
export const FAKE_OUTCOME: AccuracyOutcome = {
  metric: 'accuracy',
  value: 0.123,
  ci95: [0.1, 0.2],
  n: 8,
  lsbRefetchFraction: 0,
  overrides: { tokenKeepPerLayer: Array(12).fill(0.5), headKeepPerLayer: Array(12).fill(1), valueKeepPerLayer: Array(12).fill(1), refetchPerLayer: Array(12).fill(0) },
};
