/**
 * What a run does at its start while its evaluations run elsewhere (dse/run.ts): the report's
 * modules are preloaded once (the `preloadReport` hook) and the git commit is looked up without
 * blocking — only when evaluations are off this thread and a report will be written.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runSpace } from '../dse/run.ts';
import { gitCommit, prefetchGitCommit } from '../dse/run-checks.ts';

const SPACE = `name: prefetch
workload: { model: gpt2-small, stage: generation, seqLen: 64, genTokens: 4 }
fidelity: cycle
objectives:
  - { metric: latency_s, goal: min }
  - { metric: energy_j, goal: min }
parameters:
  hw.qkMultipliers: [128, 256]
  hw.dramChannels: [4, 8]
search: { driver: grid }
`;

test('the report is preloaded once at the start of a run on pool workers; not with --jobs 1, not without a report', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prefetch-'));
  const spaceFile = path.join(dir, 'space.yaml');
  fs.writeFileSync(spaceFile, SPACE);
  const calls: string[] = [];
  const hooks = {
    writeReport: async () => void calls.push('write'),
    preloadReport: () => void calls.push('preload'),
    progress: 'none' as const,
    log: () => {},
  };
  const j2 = await runSpace({ spaceFile, outDir: path.join(dir, 'j2'), jobs: 2, ...hooks });
  assert.deepEqual(calls, ['preload', 'write']);
  assert.equal(j2.run.counts.ok, 4);
  // the commit looked up at the start is the one run.json records, the same as looked up now
  assert.equal(j2.run.versions.git, gitCommit());
  calls.length = 0;
  await runSpace({ spaceFile, outDir: path.join(dir, 'j1'), jobs: 1, ...hooks });
  assert.deepEqual(calls, ['write'], '--jobs 1 evaluates on this thread: nothing to overlap');
  calls.length = 0;
  await runSpace({ spaceFile, outDir: path.join(dir, 'nr'), jobs: 2, report: false, ...hooks });
  assert.deepEqual(calls, [], 'no report, no preload');
  assert.deepEqual(fs.readFileSync(path.join(dir, 'j1', 'points.csv'), 'utf8'), fs.readFileSync(path.join(dir, 'j2', 'points.csv'), 'utf8'));
  fs.rmSync(dir, { recursive: true, force: true });
});

test('gitCommit after prefetchGitCommit has finished: the synchronous answer', async () => {
  const now = gitCommit();
  await prefetchGitCommit();
  const early = gitCommit();
  assert.equal(early, now);
  if (fs.existsSync(path.join(import.meta.dirname, '..', '.git'))) assert.match(String(early), /^[0-9a-f]{40}(\+dirty)?$/);
});
