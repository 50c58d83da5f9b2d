/**
 * What the registries hold is documented where a user looks for it: a metric, knob, driver,
 * platform or figure added to its registry without its line in README.md or
 * dse/drivers/README.md fails here, naming the file and the entry. Also: the `search:` settings
 * a driver may read (SEARCH_SETTINGS) are the settings SearchSchema accepts, so a setting added to
 * the schema alone is not silently accepted beside every driver; and the report knows how each
 * driver picks its points.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ACCURACY_METRICS, METRICS } from '../sim/metrics.ts';
import { ciColumns } from '../core/metric-columns.ts';
import { AlgoSchema, HardwareSchema } from '../sim/schema.ts';
import { PLATFORM_NAMES } from '../sim/baselines/platforms.ts';
import { DRIVER_NAMES, SEARCH_SETTINGS } from '../dse/drivers/index.ts';
import { SearchSchema } from '../dse/space.ts';
import { FIGURES } from '../dse/reproduce/index.ts';
import { DRIVER_DESIGN, sensitivityDesign } from '../reports/sensitivity.ts';

const readme = readFileSync('README.md', 'utf8');
const missing = (names: readonly string[], text: string, form: (n: string) => string) => names.filter((n) => !text.includes(form(n)));

test('README.md names every metric and every hw.* / algo.* knob', () => {
  assert.deepEqual(missing(METRICS, readme, (m) => `\`${m}\``), [], 'metrics missing from README.md ("Metrics:" under Parameters)');
  assert.deepEqual(missing(Object.keys(HardwareSchema.shape), readme, (k) => `\`hw.${k}\``), [], 'hardware knobs missing from README.md\'s Parameters table');
  assert.deepEqual(missing(Object.keys(AlgoSchema.shape), readme, (k) => `\`algo.${k}\``), [], 'algorithm knobs missing from README.md\'s Parameters table');
});

test('README.md\'s "Metrics:" paragraph names the columns an accuracy block adds: the CI bounds and lsb_refetch_fraction', () => {
  const start = readme.indexOf('\nMetrics: ');
  assert.ok(start >= 0, 'README.md has a "Metrics:" paragraph');
  const paragraph = readme.slice(start, readme.indexOf('\n\n', start + 1));
  const columns = [...ACCURACY_METRICS.flatMap((m) => ciColumns(m)), 'lsb_refetch_fraction'];
  assert.deepEqual(columns.length, 5);
  assert.deepEqual(missing(columns, paragraph, (m) => `\`${m}\``), [], 'points.csv columns missing from README.md\'s "Metrics:" paragraph');
});

test('README.md names every baseline platform and reproduce figure; dse/drivers/README.md every driver', () => {
  const baselineLine = readme.split('\n').find((l) => l.startsWith('# baseline:')) ?? '';
  const words = baselineLine.split(/[\s|:#]+/);
  assert.deepEqual(PLATFORM_NAMES.filter((p) => !words.includes(p)), [], `platforms missing from README.md's space example line: ${baselineLine}`);
  // the figure lists of the command table's rows: `reproduce <fig19a\|fig20\|sram\|all> …`
  const listed = [...readme.matchAll(/`reproduce <([^>]*)>/g)].flatMap((m) => m[1].split('\\|'));
  assert.deepEqual(FIGURES.map((f) => f.name).filter((f) => !listed.includes(f)), [], `figures missing from README.md's reproduce rows (listed: ${listed.join(', ')})`);
  const drivers = readFileSync('dse/drivers/README.md', 'utf8');
  assert.deepEqual(missing(DRIVER_NAMES, drivers, (d) => `| \`${d}\` |`), [], 'drivers missing from the table of dse/drivers/README.md');
});

test('SEARCH_SETTINGS are the settings SearchSchema accepts besides driver, seed and the budgets', () => {
  const common = ['driver', 'seed', 'maxEvals', 'timeLimit'];
  const schema = Object.keys(SearchSchema.shape).filter((k) => !common.includes(k));
  assert.deepEqual([...SEARCH_SETTINGS].sort(), schema.sort(), 'a search: setting in SearchSchema (dse/space.ts) but not in SEARCH_SETTINGS (dse/drivers/index.ts) is accepted beside every driver');
});

test('every driver has its sample design in the report (reports/sensitivity.ts DRIVER_DESIGN)', () => {
  // a driver missing there had its points analysed as a search's correlated sample, whatever they were
  assert.deepEqual(DRIVER_NAMES.filter((d) => !(d in DRIVER_DESIGN)), [], 'add the driver to DRIVER_DESIGN in reports/sensitivity.ts: grid, independent or correlated');
  assert.equal(sensitivityDesign({ driver: 'grid', stopReason: 'completed' }), 'grid');
  assert.equal(sensitivityDesign({ driver: 'grid', stopReason: 'max-evals' }), 'correlated');
  assert.equal(sensitivityDesign({ driver: 'lhs' }), 'independent');
  assert.equal(sensitivityDesign({ driver: 'nsga2' }), 'correlated');
  assert.equal(sensitivityDesign({ driver: 'some-client' }), 'correlated');
});
