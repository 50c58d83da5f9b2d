/**
 * `report A B --interactive` and `report A B --max-points N`: a comparison page is static and draws
 * each run's front only, so both options are refused there (exit 2, nothing written), as `--out`
 * is with one folder. They were accepted and ignored: the page was byte for byte the one without.
 * One folder given twice is refused too: it drew the same front twice as two runs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cli } from './cli-in-process.ts';

const SPACE = `name: cmp
workload: { model: gpt2-small, stage: generation, seqLen: 128, genTokens: 4 }
objectives:
  - { metric: latency_s, goal: min }
  - { metric: energy_j, goal: min }
parameters:
  hw.dramChannels: [8, 16]
`;

test('report A B: --interactive and --max-points are refused (exit 2, no page); without them the page is written', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sdse-cmpopt-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const space = path.join(dir, 's.yaml');
  writeFileSync(space, SPACE);
  for (const o of ['a', 'b']) assert.equal((await cli(['run', space, '--out', path.join(dir, o), '--progress', 'none', '--no-report'])).code, 0);
  const [a, b, page] = [path.join(dir, 'a'), path.join(dir, 'b'), path.join(dir, 'c.html')];
  const i = await cli(['report', a, b, '--interactive', '--out', page]);
  assert.equal(i.code, 2, i.err);
  assert.match(i.err, /^error: --interactive: only for one results folder's report\.html/);
  const m = await cli(['report', a, b, '--max-points', '10', '--out', page]);
  assert.equal(m.code, 2, m.err);
  assert.match(m.err, /^error: --max-points: only for one results folder's report\.html/);
  // the same run twice, as written or through another path, is no comparison
  for (const twice of [[a, a], [a, b, path.join(dir, '.', 'a', '')]]) {
    const r = await cli(['report', ...twice, '--out', page]);
    assert.equal(r.code, 2, r.err);
    assert.equal(r.err, `error: ${twice.at(-1)}: the same results folder as ${a}; a comparison needs different runs\n`);
  }
  assert.ok(!existsSync(page), 'no comparison page written');
  const ok = await cli(['report', a, b, '--out', page]);
  assert.equal(ok.code, 0, ok.err);
  assert.ok(existsSync(page));
  // one folder takes both
  assert.equal((await cli(['report', a, '--interactive', '--max-points', '10'])).code, 0);
  assert.ok(existsSync(path.join(a, 'report.html')));
});
