/**
 * `compare` says which hardware model ran (text and --json) and that the paper's SpAtten1/8 column of
 * Table III is withheld (spec §5.6: "withheld (to be reproduced)"), next to A³'s and MNNFast's
 * values as the spec gives them. Before, --json did not name the model and neither output said
 * the SpAtten1/8 figures have no paper value to compare with.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const BIN = path.join(import.meta.dirname, '..', 'bin', 'spatten-dse.js');
const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, 'compare', ...args], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
};

type Row = { design: string; gops: number; gopPerJ: number; gopsPerMm2: number | null; source: string; paper?: string };

for (const model of ['analytical', 'cycle']) {
  test(`compare --fidelity ${model} --json: the model, and the SpAtten1/8 row withheld beside the spec's A³ and MNNFast`, () => {
    const j = JSON.parse(cli('--fidelity', model, '--json')) as { model: string; rows: Row[] };
    assert.equal(Object.keys(j)[0], 'model');
    assert.equal(j.model, model);
    const [mnn, a3, ours] = j.rows;
    // spec §5.6 Table III
    assert.deepEqual([mnn.gops, mnn.gopPerJ, mnn.gopsPerMm2, 'paper' in mnn], [120, 120, null, false]);
    assert.deepEqual([a3.gops, a3.gopPerJ, a3.gopsPerMm2, 'paper' in a3], [221, 269, 106, false]);
    assert.match(ours.design, /^SpAtten1\/8/);
    assert.equal(ours.paper, 'withheld');
    assert.equal(ours.source, `predicted: ${model} model`);
  });
}

test('compare (text): the SpAtten1/8 row says the paper value is withheld, and the header names the model', () => {
  const out = cli();
  assert.match(out.split('\n')[0], /, analytical model$/);
  const row = out.split('\n').find((l) => l.startsWith('SpAtten1/8 (this model)'));
  assert.ok(row?.endsWith("predicted: analytical model (paper's: withheld)"), row);
  assert.ok(!out.split('\n').find((l) => l.startsWith('A³'))!.includes('withheld'));
});
