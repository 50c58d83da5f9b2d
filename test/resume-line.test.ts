/**
 * The resume lines of `run --resume`: a rerun of a run that failed at start (here: Redis
 * unreachable, so nothing was written) has nothing to resume and says nothing of a resume; a
 * rerun of a folder whose journal holds evaluations says how many, at the start and at the end.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runSpace } from '../dse/run.ts';
import { InputError } from '../dse/errors.ts';
import { freePort } from './own-redis.ts';

/** 2 × 2 analytical points. */
const SPACE = `name: resume-line
workload: { model: gpt2-small, stage: generation, seqLen: 256, genTokens: 4 }
fidelity: analytical
objectives:
  - { metric: latency_s, goal: min }
parameters:
  hw.qkMultipliers: [128, 256]
  hw.dramChannels: [4, 8]
search: { driver: grid }
`;


test('--resume after a start that failed (Redis unreachable): no "resume: 0 finished evaluations" line; a later --resume of the same folder says its 4', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdse-resume-line-'));
  try {
    const spaceFile = path.join(dir, 'space.yaml');
    fs.writeFileSync(spaceFile, SPACE);
    const out = path.join(dir, 'out');
    const lines: string[] = [];
    const opts = { spaceFile, outDir: out, jobs: 1, progress: 'none' as const, report: false, log: (l: string) => void lines.push(l) };

    await assert.rejects(runSpace({ ...opts, queue: `redis://127.0.0.1:${await freePort()}` }), (e) => e instanceof InputError && /cannot connect to Redis \(ECONNREFUSED\)/.test(e.message));
    assert.ok(!fs.existsSync(out), 'the failed start wrote the folder');

    lines.length = 0;
    const first = await runSpace({ ...opts, resume: true });
    assert.equal(first.rows.length, 4);
    assert.deepEqual(lines.filter((l) => /^resume\b/.test(l)), [], 'a first run says nothing of a resume');

    lines.length = 0;
    const again = await runSpace({ ...opts, resume: true });
    assert.equal(again.rows.length, 4);
    const journal = path.join(out, 'journal.jsonl');
    assert.deepEqual(lines.filter((l) => /^resume\b/.test(l)), [`resume: 4 finished evaluations in ${journal}`, 'resume: 4 evaluations reused from the journal, 0 new']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
