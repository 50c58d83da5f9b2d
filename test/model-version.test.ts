import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { modelFiles, modelVersion } from '../dse/model-version.ts';

test("the model version covers sim/'s code, tables and checkpoints and the evaluator, not sim/'s READMEs", () => {
  const root = path.join(import.meta.dirname, '..');
  const rel = modelFiles().map((f) => path.relative(root, f));
  for (const f of ['sim/hw/analytical.ts', 'sim/schema.ts', 'sim/hw/tables/pipeline.json', 'dse/evaluate.ts', 'dse/accuracy-runs.ts', 'dse/point-checks.ts']) assert.ok(rel.includes(f), f);
  assert.ok(rel.some((f) => f.startsWith('sim/nn/checkpoints/')), 'the shipped checkpoints');
  assert.deepEqual(rel.filter((f) => f.endsWith('.md')), []);
  assert.match(modelVersion(), /^src-[0-9a-f]{16}$/);
});

test('a README written into sim/ leaves the list unchanged; a module written there joins it', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mv-'));
  fs.mkdirSync(path.join(root, 'sim', 'nn'), { recursive: true });
  fs.writeFileSync(path.join(root, 'sim', 'a.ts'), 'export {};\n');
  const before = modelFiles(root);
  fs.writeFileSync(path.join(root, 'sim', 'nn', 'README.md'), '# figures\n');
  assert.deepEqual(modelFiles(root), before);
  fs.writeFileSync(path.join(root, 'sim', 'nn', 'b.json'), '{}\n');
  assert.deepEqual(modelFiles(root).map((f) => path.relative(root, f)), ['dse/accuracy-runs.ts', 'dse/evaluate.ts', 'dse/point-checks.ts', 'sim/a.ts', 'sim/nn/b.json']);
  fs.rmSync(root, { recursive: true });
});
