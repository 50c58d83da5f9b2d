/**
 * Head lines of the journal (dse/journal-batch.ts): a step's constant material is written once per
 * journal and batch lines name it, so a point costs the same bytes however its results are cut into
 * lines. What must hold besides: journals of the previous version (batch lines carrying their head,
 * `batch: 1`) still resume exactly; a head is written once per file, also across reopening; a crash
 * or a failed write inside an append leaves a journal that loads and continues exactly.
 */
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { indexJournal, Journal, JOURNAL_FILE, journalKeyFast, loadJournal, stableStringify, type JournalRecord } from '../dse/journal.ts';
import { runSpace } from '../dse/run.ts';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'journal-heads-'));
const material = stableStringify({ base: { hw: { clockGHz: 1 } }, metrics: ['latency_s', 'energy_j'] });
const mk = (id: number, fidelity = 'analytical'): JournalRecord => ({
  key: '',
  material,
  keyFidelity: fidelity,
  id,
  params: { 'hw.a': id, 'hw.b': id % 3 },
  fidelity,
  modelVersion: 'mv',
  status: 'ok',
  metrics: { latency_s: id * 1e-6, energy_j: id / 7 },
  violation: 0,
  ms: 1.5,
});
const lines = (file: string) => fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0);
const kinds = (file: string) => lines(file).map((l) => (l.startsWith('{"head":') ? 'head' : l.startsWith('{"batch":2,') ? 'batch' : l.startsWith('{"batch":1,') ? 'batch1' : 'other'));

/** A journal rewritten as the previous version wrote it: each batch line carrying its head (`batch: 1`), no head lines. */
function asPreviousVersion(file: string): void {
  const heads = new Map<number, Record<string, unknown>>();
  const out: string[] = [];
  for (const l of lines(file)) {
    const x = JSON.parse(l);
    if (typeof x.head === 'number' && x.batch === undefined) {
      const { head, ...rest } = x;
      heads.set(head, rest);
    } else if (x.batch === 2) {
      const h = heads.get(x.head)!;
      // the key order journalLines wrote: batch, fidelity, keyFidelity, modelVersion, t, material, params, metrics, rows
      out.push(JSON.stringify({ batch: 1, fidelity: h.fidelity, keyFidelity: h.keyFidelity, modelVersion: h.modelVersion, t: x.t, material: h.material, params: h.params, metrics: h.metrics, rows: x.rows }));
    } else out.push(l);
  }
  fs.writeFileSync(file, out.join('\n') + '\n');
}

test("a journal of the previous version's batch lines resumes: nothing finished is evaluated again, the outputs are the same; what is appended names a head line", async () => {
  const dir = tmp();
  const file = path.join(dir, 'g.yaml');
  fs.writeFileSync(
    file,
    `name: g
workload: { model: gpt2-small, stage: generation, seqLen: 64, genTokens: 4 }
fidelity: analytical
objectives:
  - { metric: latency_s, goal: min }
  - { metric: energy_j, goal: min }
constraints: ["area_mm2 <= 20"]
parameters:
  hw.qkMultipliers: [64, 128, 256, 512]
  hw.topkParallelism: [1, 2, 4, 8]
  hw.keySramKB: [49, 98, 196, 392]
search: { driver: grid }
`,
  );
  const logged: string[] = [];
  const run = (out: string) => runSpace({ spaceFile: file, outDir: out, report: false, progress: 'none', jobs: 1, journalFlushMs: 0, log: (s) => logged.push(s) });
  const ref = path.join(dir, 'ref');
  await run(ref);
  const journal = path.join(ref, JOURNAL_FILE);
  assert.deepEqual([...new Set(kinds(journal))], ['other', 'head', 'batch'], 'the header, one head line, then batch lines naming it');
  assert.equal(kinds(journal).filter((k) => k === 'head').length, 1, 'one head line for the run');
  // the same evaluations, as the previous version journaled them, of which the run finished 40 of 64
  const old = path.join(dir, 'old');
  fs.mkdirSync(old);
  asPreviousVersion(journal);
  const kept = lines(journal).slice(0, 41); // the header and 40 one-point batch lines
  fs.writeFileSync(path.join(old, JOURNAL_FILE), kept.join('\n') + '\n');
  assert.equal(loadJournal(path.join(old, JOURNAL_FILE)).records.length, 40, 'the previous version\'s lines load');
  logged.length = 0;
  const s = await run(old);
  assert.ok(logged.includes('continuing: 40 evaluations reused from the journal, 24 new'), logged.join('\n'));
  assert.equal(s.run.counts.total, 64);
  for (const f of ['points.csv', 'pareto.csv']) assert.equal(fs.readFileSync(path.join(old, f), 'utf8'), fs.readFileSync(path.join(ref, f), 'utf8'), `${f} as the uninterrupted run's`);
  const after = kinds(path.join(old, JOURNAL_FILE));
  assert.deepEqual(after, ['other', ...Array(40).fill('batch1'), 'head', ...Array(24).fill('batch')], 'the old lines, then a head line and the new batch lines');
  // and the mixed journal resumes whole: a third run evaluates nothing
  logged.length = 0;
  await run(old);
  assert.ok(logged.includes('continuing: 64 evaluations reused from the journal, 0 new'), logged.join('\n'));
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a head line once per journal: reopening reuses the file\'s heads, a new one is numbered after them; every record loads and is found by its key', () => {
  const dir = tmp();
  const file = path.join(dir, JOURNAL_FILE);
  let j = Journal.open(dir, { rememberAppended: false });
  for (let id = 0; id < 5; id++) j.appendMany([mk(id)]);
  j.close();
  assert.deepEqual(kinds(file), ['head', 'batch', 'batch', 'batch', 'batch', 'batch']);
  j = Journal.open(dir, { rememberAppended: false });
  j.appendMany([mk(5), mk(6)]);
  j.appendMany([mk(7, 'cycle'), mk(8)]);
  j.close();
  assert.deepEqual(kinds(file).slice(6), ['batch', 'head', 'batch', 'batch'], 'the analytical head reused after reopening; the cycle one new');
  assert.equal(JSON.parse(lines(file)[7]).head, 1, 'numbered after the head the file holds');
  assert.deepEqual(lines(file).slice(8).map((l) => JSON.parse(l).head), [1, 0]);
  const recs = loadJournal(file).records;
  assert.deepEqual(recs.map((r) => [r.id, r.fidelity]), [...Array(7).keys()].map((id) => [id, 'analytical']).concat([[7, 'cycle'], [8, 'analytical']]));
  const { index, scan } = indexJournal(file);
  assert.equal(scan.records, 9);
  for (const r of recs) {
    assert.equal(r.key, journalKeyFast(r.params, 'mv', r.fidelity, material), `record ${r.id}'s key`);
    assert.deepEqual(index.get(r.key), r, `record ${r.id} read back through the index`);
  }
  index.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('kill -9 inside an append that writes a head line: cut in the head line or in the batch line after it, the journal loads the whole lines before and continues exactly', () => {
  for (const cut of ['in the head line', 'in the batch line']) {
    const dir = tmp();
    const file = path.join(dir, JOURNAL_FILE);
    let j = Journal.open(dir, { rememberAppended: false });
    j.appendMany([mk(0), mk(1)]);
    j.appendMany([mk(2, 'cycle'), mk(3, 'cycle')]); // head 1 and its batch line, in one write
    j.close();
    const text = fs.readFileSync(file, 'utf8');
    const headAt = text.indexOf('{"head":1,');
    const batchAt = text.indexOf('\n', headAt) + 1;
    fs.writeFileSync(file, text.slice(0, cut === 'in the head line' ? headAt + 100 : batchAt + 30));
    const torn = loadJournal(file);
    assert.equal(torn.torn, true, `${cut}: a torn last line`);
    assert.deepEqual(torn.records.map((r) => r.id), [0, 1], `${cut}: the records of the whole lines`);
    j = Journal.open(dir, { rememberAppended: false });
    assert.equal(j.recovered.records, 2);
    j.appendMany([mk(2, 'cycle'), mk(3, 'cycle'), mk(4)]);
    j.close();
    const back = loadJournal(file);
    assert.equal(back.torn || back.badLines > 0, false, `${cut}: a clean journal after the next append`);
    assert.deepEqual(back.records.map((r) => [r.id, r.fidelity]), [[0, 'analytical'], [1, 'analytical'], [2, 'cycle'], [3, 'cycle'], [4, 'analytical']], cut);
    // the cycle head: written again after a cut head line; kept (whole) after a cut batch line
    assert.deepEqual(kinds(file), ['head', 'batch', 'head', 'batch', 'batch'], cut);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a write that fails (ENOSPC) defines no head: the next append writes its head line again', (t) => {
  const dir = tmp();
  const file = path.join(dir, JOURNAL_FILE);
  const j = Journal.open(dir, { rememberAppended: false });
  const write = mock.method(fs, 'writeSync', () => {
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
  });
  assert.throws(() => j.appendMany([mk(0)]), /no space left on the device \(ENOSPC\); the partial write was cut off/);
  write.mock.restore();
  assert.equal(fs.statSync(file).size, 0, 'nothing of the failed write is left');
  j.appendMany([mk(1)]);
  j.close();
  assert.deepEqual(kinds(file), ['head', 'batch']);
  assert.deepEqual(loadJournal(file).records.map((r) => r.id), [1]);
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
});

test('a batch line naming a head the journal does not hold (before it) is an unreadable line, skipped and counted; the rest loads', () => {
  const dir = tmp();
  const file = path.join(dir, JOURNAL_FILE);
  const j = Journal.open(dir, { rememberAppended: false });
  j.appendMany([mk(0)]);
  j.appendMany([mk(1)]);
  j.close();
  const [head, b0, b1] = lines(file);
  // a batch line before its head, and one naming head 7
  fs.writeFileSync(file, [b0, head, b1, b1.replace('"head":0', '"head":7'), b1].join('\n') + '\n');
  const l = loadJournal(file);
  assert.equal(l.badLines, 2, 'two unreadable lines');
  assert.deepEqual(l.records.map((r) => r.id), [1, 1]);
  const { scan, index } = indexJournal(file);
  assert.equal(scan.badLines, 2, 'indexing refuses the same lines');
  assert.equal(index.size, 1);
  index.close();
  fs.rmSync(dir, { recursive: true, force: true });
});
