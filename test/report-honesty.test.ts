/** What the report pages say must match what the run and its numbers support. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderReport } from '../reports/index.ts';
import { syntheticRun } from './fixtures/synthetic-run.ts';

test('run.json notes appear on report.html', async () => {
  const input = syntheticRun({ n: 40 });
  input.run.notes = ['no feasible point: "area_mm2 <= 1" excluded 2 of 2 (area_mm2 from 18.28 to 18.71)', 'fidelity both: 1 front point meets the constraints by the analytical model but not by the cycle model: #28 <x>'];
  const html = await renderReport(input);
  assert.match(html, /<section id="notes">/);
  assert.ok(html.includes('no feasible point: &quot;area_mm2 &lt;= 1&quot; excluded 2 of 2'), 'the no-feasible note');
  assert.ok(html.includes('fidelity both: 1 front point meets the constraints by the analytical model but not by the cycle model: #28 &lt;x&gt;'), 'the fidelity note, escaped');
});
