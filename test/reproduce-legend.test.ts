/**
 * README "Reproducing the paper" says how to read every figure's output: ok / MISS only where the
 * header names the target as this project's, a model name in every --json result, and a paper
 * value or "withheld" beside ours. Before, four headers printed ok / MISS next to "tolerance ±15%"
 * or "paper: ±10%" or a bare "target ±20%", and fig19a / fig20 / sram --json named no model.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FIGURES } from '../dse/reproduce/index.ts';

const models = (rows: unknown): unknown[] => (Array.isArray(rows) ? rows.map((r) => (r as { model?: unknown }).model) : [(rows as { model?: unknown }).model]);

for (const f of FIGURES) {
  test(`reproduce ${f.name}: marks only under a target named as this project's; --json names the model`, () => {
    const { text, rows } = f.run({ fidelity: 'analytical' });
    if (/ (ok|MISS)( |$)/m.test(text)) assert.match(text, /target \(this project's, the paper states none\)/, `${f.name} marks ok / MISS without naming whose target`);
    assert.doesNotMatch(text, /paper: ±|tolerance ±/, `${f.name} attributes a tolerance to the paper`);
    assert.doesNotMatch(text, /\bspec §/, `${f.name} cites a section of a document a reader of the paper does not have`);
    for (const m of models(rows)) assert.equal(m, 'analytical', `${f.name}: --json model`);
    const json = JSON.stringify(rows);
    assert.ok(/"paper/.test(json), `${f.name}: --json has no paper value or "withheld"`);
  });
}
