/**
 * The folders' import rules of ARCHITECTURE.md ("may import"), read from the sources' import graph:
 * data flows sim → core → dse → results → reports, so
 * - sim/ imports sim/ and three leaf modules of core/ (zod.ts, file-stamp.ts, suggest.ts);
 * - core/ imports core/ and sim/;
 * - core/ and dse/ never reach reports/, directly or through another module, but from the command
 *   line (dse/cli*.ts, dse/commands/: `run` passes the HTML report to the runner as a hook,
 *   `report` and `reproduce --report` write it);
 * - reports/ never reaches the runner (dse/run.ts, dse/steps/, dse/executor.ts) nor the commands;
 *   of dse/ it imports only what a report shares with the run (REPORTS_MAY_IMPORT: the sampler,
 *   constraints and promotion, driver types) and the figure modules of `reproduce` (dse/reproduce/,
 *   for their rows' types and their labels and paper values; not the FIGURES registry, index.ts:
 *   the rows are computed by `reproduce` and handed to reports/figures/, which runs no figure).
 * An import is any `from '…'`, `import '…'` or `import('…')` of a relative path (type-only
 * imports included: a type a lower layer needs belongs there too).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const FOLDERS = ['sim', 'core', 'dse', 'reports'];

function sources(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sources(rel);
    return e.name.endsWith('.ts') ? [rel] : [];
  });
}

/** Module → the modules it imports (paths relative to the project root). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const re = /(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g;
  for (const f of FOLDERS.flatMap(sources)) {
    const src = fs.readFileSync(path.join(ROOT, f), 'utf8');
    const out: string[] = [];
    for (const m of src.matchAll(re)) out.push(path.posix.normalize(path.posix.join(path.posix.dirname(f), m[1])));
    graph.set(f, out);
  }
  return graph;
}

const graph = importGraph();

/** The import chain from `from` to the first module `hit` accepts (breadth-first), or undefined. */
function chainTo(from: string, hit: (m: string) => boolean): string[] | undefined {
  const parent = new Map<string, string>([[from, '']]);
  const queue = [from];
  while (queue.length) {
    const m = queue.shift()!;
    for (const t of graph.get(m) ?? []) {
      if (parent.has(t)) continue;
      parent.set(t, m);
      if (hit(t)) {
        const chain = [t];
        for (let p = m; p; p = parent.get(p)!) chain.unshift(p);
        return chain;
      }
      queue.push(t);
    }
  }
  return undefined;
}

const folderOf = (m: string) => m.split('/')[0];
const isCli = (m: string) => /^dse\/(cli[^/]*\.ts|commands\/)/.test(m);
const isRunner = (m: string) => /^dse\/(run\.ts$|executor\.ts$|steps\/)/.test(m);

/**
 * The modules of dse/ that reports/ may import directly (ARCHITECTURE.md, the reports/ row): what a
 * report shares with the run, and the figure modules whose rows the figure pages chart.
 */
const REPORTS_MAY_IMPORT_DSE = ['dse/report-sample.ts', 'dse/params.ts', 'dse/fidelity.ts', 'dse/driver.ts'];
const reportsMayImport = (t: string) =>
  ['reports', 'core', 'sim'].includes(folderOf(t)) || REPORTS_MAY_IMPORT_DSE.includes(t) || (/^dse\/reproduce\/[^/]+\.ts$/.test(t) && t !== 'dse/reproduce/index.ts');

/** The import chains (`a → b → …`) from each module `from` accepts to the first module `hit` accepts. */
function chainsFrom(from: (m: string) => boolean, hit: (m: string) => boolean): string[] {
  return [...graph.keys()]
    .filter(from)
    .map((m) => chainTo(m, hit))
    .filter((c): c is string[] => c !== undefined)
    .map((c) => c.join(' → '));
}

/** Direct imports of `folder`'s modules that `allowed` refuses, as "module → import". */
function directViolations(folder: string, allowed: (target: string) => boolean): string[] {
  return [...graph].filter(([m]) => folderOf(m) === folder).flatMap(([m, ts]) => ts.filter((t) => !allowed(t)).map((t) => `${m} → ${t}`));
}

test('the import graph is read: every folder has modules and imports', () => {
  for (const folder of FOLDERS) {
    const mods = [...graph.keys()].filter((m) => folderOf(m) === folder);
    assert.ok(mods.length > 5, `${folder}/ has ${mods.length} modules: the source walk missed it`);
    assert.ok(mods.some((m) => graph.get(m)!.length > 0), `no module of ${folder}/ imports anything: the import pattern matches nothing`);
  }
  // the pattern sees each kind of import the sources use
  assert.ok(graph.get('dse/sink.ts')!.includes('core/sensitivity.ts'), 'a static `import { … } from` is read');
  assert.ok(graph.get('dse/cli-registry.ts')!.includes('dse/commands/run.ts'), 'a dynamic `import(…)` is read');
  assert.ok(graph.get('reports/specs.ts')!.includes('reports/scatter-specs.ts'), 'an `export { … } from` is read');
});

const SIM_MAY_IMPORT_CORE = ['core/zod.ts', 'core/file-stamp.ts', 'core/suggest.ts'];

test('sim/ imports sim/ and only the three leaf modules of core/', () => {
  assert.deepEqual(directViolations('sim', (t) => folderOf(t) === 'sim' || SIM_MAY_IMPORT_CORE.includes(t)), []);
  // they are leaves: what they import, sim/ would reach through them
  for (const m of SIM_MAY_IMPORT_CORE) assert.deepEqual(graph.get(m), [], `${m} imports nothing of the project`);
});

test('core/ imports core/ and sim/ only', () => {
  assert.deepEqual(directViolations('core', (t) => folderOf(t) === 'core' || folderOf(t) === 'sim'), []);
});

test('core/ and dse/ never reach reports/ but from the command line (dse/cli*.ts, dse/commands/)', () => {
  const chains = chainsFrom((m) => folderOf(m) === 'core' || (folderOf(m) === 'dse' && !isCli(m)), (t) => folderOf(t) === 'reports');
  assert.deepEqual(chains, [], 'a computation the run needs belongs in core/ or dse/, and reports/ imports it');
});

test('reports/ never reaches the runner (dse/run.ts, dse/steps/, dse/executor.ts)', () => {
  const chains = chainsFrom((m) => folderOf(m) === 'reports', isRunner);
  assert.deepEqual(chains, []);
});

test('reports/ imports of dse/ only the modules a report shares with the run and the figure modules of reproduce (dse/reproduce/, not its FIGURES registry)', () => {
  assert.deepEqual(directViolations('reports', reportsMayImport), [], 'ARCHITECTURE.md, the reports/ row: a new import from dse/ is a decision, made there');
  // every entry of the allowed set is still imported: the list says what reports/ uses, not what it once did
  const used = new Set([...graph].filter(([m]) => folderOf(m) === 'reports').flatMap(([, ts]) => ts));
  for (const t of REPORTS_MAY_IMPORT_DSE) assert.ok(used.has(t), `${t} is in the allowed set but no module of reports/ imports it`);
  assert.ok([...used].some((t) => t.startsWith('dse/reproduce/')), 'reports/figures/ imports the figure modules');
});

// dse/cli-util.ts (option-value parsers, imported by dse/params.ts) is a leaf helper, not a command
const isCommandLayer = (m: string) => isCli(m) && m !== 'dse/cli-util.ts';

test('reports/ never reaches the commands (dse/cli*.ts but the leaf helper cli-util.ts, dse/commands/)', () => {
  const chains = chainsFrom((m) => folderOf(m) === 'reports', isCommandLayer);
  assert.deepEqual(chains, []);
});

test('the reports/ rule catches a violation: an import of the runner, the executor or the figure registry is named', () => {
  graph.set('reports/__probe.ts', ['dse/run.ts', 'dse/executor.ts', 'dse/reproduce/index.ts', 'dse/steps/write.ts', 'dse/params.ts', 'dse/reproduce/fig20.ts', 'core/pareto.ts']);
  try {
    assert.deepEqual(
      directViolations('reports', reportsMayImport).filter((v) => v.startsWith('reports/__probe.ts')),
      ['reports/__probe.ts → dse/run.ts', 'reports/__probe.ts → dse/executor.ts', 'reports/__probe.ts → dse/reproduce/index.ts', 'reports/__probe.ts → dse/steps/write.ts'],
    );
  } finally {
    graph.delete('reports/__probe.ts');
  }
});

test('the rules catch a violation: a module of dse/ that imported reports/ would be named with its chain', () => {
  graph.set('dse/__probe.ts', ['dse/params.ts', 'core/bounds.ts']);
  graph.set('core/bounds.ts', [...graph.get('core/bounds.ts')!, 'reports/page.ts']);
  try {
    assert.deepEqual(chainTo('dse/__probe.ts', (t) => folderOf(t) === 'reports'), ['dse/__probe.ts', 'core/bounds.ts', 'reports/page.ts']);
    assert.equal(chainTo('dse/params.ts', isRunner), undefined, 'dse/params.ts reaches no runner module');
  } finally {
    graph.delete('dse/__probe.ts');
    graph.set('core/bounds.ts', graph.get('core/bounds.ts')!.filter((t) => t !== 'reports/page.ts'));
  }
});
