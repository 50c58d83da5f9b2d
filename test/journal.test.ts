import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import type { Params } from '../dse/driver.ts';
import { Journal, JOURNAL_FILE, LOCK_FILE, LockError, acquireLock, journalKey, loadJournal, stableStringify, type JournalRecord } from '../dse/journal.ts';
import { lockHolder } from '../dse/lock.ts';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'journal-test-'));
const rec = (id: number, extra: Partial<JournalRecord> = {}): JournalRecord => {
  const params = { a: id, b: 'x' };
  return {
    key: journalKey({ params, modelVersion: 'm1', fidelity: 'analytical', workload: { model: 'gpt2' } }),
    id,
    params,
    fidelity: 'analytical',
    modelVersion: 'm1',
    status: 'ok',
    metrics: { latency_s: id * 1e-3, energy_j: 2 },
    violation: 0,
    ...extra,
  };
};

test('hash is stable under key order and sensitive to params, model version, fidelity and workload', () => {
  const base = { params: { a: 1, b: 'x', c: 0.5 }, modelVersion: 'v1', fidelity: 'analytical', workload: { model: 'bert', seqLen: 128 } };
  const k = journalKey(base);
  assert.match(k, /^[0-9a-f]{64}$/);
  assert.equal(journalKey({ ...base, params: { c: 0.5, b: 'x', a: 1 }, workload: { seqLen: 128, model: 'bert' } }), k);
  assert.equal(k, journalKey(JSON.parse(JSON.stringify(base))));
  assert.notEqual(journalKey({ ...base, params: { a: 2, b: 'x', c: 0.5 } }), k);
  assert.notEqual(journalKey({ ...base, params: { a: '1', b: 'x', c: 0.5 } }), k);
  assert.notEqual(journalKey({ ...base, modelVersion: 'v2' }), k);
  assert.notEqual(journalKey({ ...base, fidelity: 'cycle' }), k);
  assert.notEqual(journalKey({ ...base, workload: { model: 'bert', seqLen: 256 } }), k);
  assert.equal(stableStringify({ b: [2, { d: 1, c: NaN }], a: -0 }), '{"a":0,"b":[2,{"c":"NaN","d":1}]}');
  // a golden value: the hash must not change between versions (journals are reused across runs)
  assert.equal(journalKey({ params: { x: 1 }, modelVersion: 'v', fidelity: 'f', workload: null }), journalKey({ params: { x: 1 }, modelVersion: 'v', fidelity: 'f', workload: undefined }));
});

test('append is durable line by line; NaN metrics round-trip; reopening keeps records', () => {
  const dir = tmp();
  const j = Journal.open(dir);
  j.append(rec(0));
  j.append(rec(1, { status: 'failed', metrics: { latency_s: NaN }, violation: Infinity, error: 'boom' }));
  assert.equal(fs.readFileSync(path.join(dir, JOURNAL_FILE), 'utf8').split('\n').length, 3);
  j.close();
  assert.ok(!fs.existsSync(path.join(dir, LOCK_FILE)), 'lock released on close');
  const j2 = Journal.open(dir);
  assert.equal(j2.size, 2);
  const r1 = j2.get(rec(1).key)!;
  assert.equal(r1.status, 'failed');
  assert.ok(Number.isNaN(r1.metrics.latency_s), 'Number.isNaN(r1.metrics.latency_s)');
  assert.equal(r1.violation, Infinity);
  assert.equal(r1.error, 'boom');
  assert.equal(j2.get(rec(0).key)!.metrics.latency_s, 0);
  j2.close();
});

test('a torn last line is dropped, reported, and truncated away before the next append', () => {
  const dir = tmp();
  const j = Journal.open(dir);
  for (let i = 0; i < 3; i++) j.append(rec(i));
  j.close();
  const file = path.join(dir, JOURNAL_FILE);
  const full = JSON.stringify(rec(3)) + '\n';
  fs.appendFileSync(file, full.slice(0, 37)); // crash in the middle of a write
  const l = loadJournal(file);
  assert.equal(l.records.length, 3);
  assert.equal(l.torn, true);
  assert.equal(l.tornText, full.slice(0, 37));
  const j2 = Journal.open(dir);
  assert.equal(j2.recovered.torn, true);
  assert.equal(j2.size, 3);
  j2.append(rec(3));
  j2.close();
  const l2 = loadJournal(file);
  assert.equal(l2.torn, false);
  assert.deepEqual(l2.records.map((r) => r.id), [0, 1, 2, 3]);
  // a complete but cut JSON object without newline also counts as torn
  fs.appendFileSync(file, JSON.stringify(rec(4)));
  assert.equal(loadJournal(file).torn, true);
  assert.equal(loadJournal(file).records.length, 4);
  // an empty / missing journal
  assert.deepEqual(loadJournal(path.join(dir, 'nope.jsonl')).records, []);
});

test('keep: false starts a fresh journal', () => {
  const dir = tmp();
  const j = Journal.open(dir);
  j.append(rec(0));
  j.close();
  const j2 = Journal.open(dir, { keep: false });
  assert.equal(j2.size, 0);
  j2.close();
  assert.equal(loadJournal(path.join(dir, JOURNAL_FILE)).records.length, 0);
});

test('lock: refused while a live process holds it (same or another process)', async () => {
  const dir = tmp();
  const j = Journal.open(dir);
  assert.throws(() => Journal.open(dir), (e: unknown) => e instanceof LockError && /in use by another run \(pid \d+/.test((e as Error).message));
  j.close();
  // another live process holds it
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
  try {
    fs.writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid: child.pid, host: os.hostname(), startedAt: 'x' }));
    assert.throws(() => acquireLock(dir), (e: unknown) => e instanceof LockError && (e as LockError).pid === child.pid);
  } finally {
    child.kill('SIGKILL');
  }
  await new Promise((r) => child.once('exit', r));
  // …and once it is dead, the stale lock is taken over
  const lock = acquireLock(dir);
  assert.equal(lock.tookOverFrom?.pid, child.pid);
  assert.equal(JSON.parse(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8')).pid, process.pid);
  lock.release();
  assert.ok(!fs.existsSync(path.join(dir, LOCK_FILE)), '!fs.existsSync(path.join(dir, LOCK_FILE))');
});

test('stale lock from a dead pid and an unreadable old lock are taken over', () => {
  const dir = tmp();
  const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
  fs.writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid: dead, host: os.hostname(), startedAt: 'x' }));
  const j = Journal.open(dir);
  j.append(rec(0));
  j.close();
  fs.writeFileSync(path.join(dir, LOCK_FILE), '{"pid": 12');
  const old = new Date(Date.now() - 60_000);
  fs.utimesSync(path.join(dir, LOCK_FILE), old, old);
  const l = acquireLock(dir);
  assert.ok(l.tookOverFrom, 'l.tookOverFrom');
  l.release();
});

test('a lock file that parses but holds no pid and host (e.g. {} or a number) is unreadable, not a live run: report is not refused, a run takes it over', () => {
  for (const text of ['{}', '42', 'null', '{"pid": "12", "host": "h", "startedAt": "x"}']) {
    const dir = tmp();
    const file = path.join(dir, LOCK_FILE);
    fs.writeFileSync(file, text);
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(file, old, old);
    // was "a run (pid undefined on undefined) is still writing this folder" for report, and a run refused with the same
    assert.equal(lockHolder(dir), undefined, text);
    const l = acquireLock(dir);
    assert.ok(l.tookOverFrom, `taken over: ${text}`);
    assert.equal(JSON.parse(fs.readFileSync(file, 'utf8')).pid, process.pid);
    l.release();
  }
});

test('stale lock: of two runs taking it over at the same moment, one gets it and the other is refused', () => {
  const dir = tmp();
  const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
  const stale = { pid: dead, host: os.hostname(), startedAt: '2026-01-01T00:00:00.000Z' };
  fs.writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify(stale));
  // the second run finds the same dead holder and completes its takeover between the first's
  // read of the holder and its own takeover (two resumes started together after a kill -9)
  let second: ReturnType<typeof acquireLock> | undefined;
  assert.throws(
    () => acquireLock(dir, { onStale: () => (second ??= acquireLock(dir)) }),
    (e: unknown) => e instanceof LockError && (e as LockError).pid === process.pid,
  );
  assert.equal(second?.tookOverFrom?.pid, dead);
  // the lock file is still the second run's: the first did not remove it and write its own
  const held = JSON.parse(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8'));
  assert.equal(held.pid, process.pid);
  assert.ok(!fs.existsSync(path.join(dir, LOCK_FILE + '.takeover')), 'the takeover mutex is removed');
  second?.release();
  assert.ok(!fs.existsSync(path.join(dir, LOCK_FILE)), 'released');
});

test('stale lock: a takeover mutex left by a dead process does not block the takeover', () => {
  const dir = tmp();
  const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
  fs.writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid: dead, host: os.hostname(), startedAt: 'x' }));
  fs.writeFileSync(path.join(dir, LOCK_FILE + '.takeover'), JSON.stringify({ pid: dead, host: os.hostname(), startedAt: 'y' }));
  const l = acquireLock(dir);
  assert.equal(l.tookOverFrom?.pid, dead);
  assert.ok(!fs.existsSync(path.join(dir, LOCK_FILE + '.takeover')), 'the dead mutex is removed');
  l.release();
});

test('journalKeyFast equals journalKey', async () => {
  const { journalKey, journalKeyFast, stableStringify } = await import('../dse/journal.ts');
  const workload = { base: { hw: { b: 2, a: 1 }, algo: { x: -0 } }, accuracy: null, extra: [1, 'two'] };
  for (const params of [{}, { 'hw.a': 3, 'algo.b': 'x' }, { z: 1.5, a: -0 }] as Record<string, number | string>[]) {
    assert.equal(journalKeyFast(params, 'mv1', 'analytical', stableStringify(workload)), journalKey({ params, modelVersion: 'mv1', fidelity: 'analytical', workload }));
  }
});

test('writeFileAtomic: replaces the file whole, leaves no temporary file, and cleans up after a failure', async () => {
  const { writeFileAtomic } = await import('../core/atomic.ts');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atomic-'));
  try {
    const file = path.join(dir, 'sub', 'out.csv');
    writeFileAtomic(file, 'a,b\n1,2\n');
    writeFileAtomic(file, 'a,b\n3,4\n');
    assert.equal(fs.readFileSync(file, 'utf8'), 'a,b\n3,4\n');
    assert.deepEqual(fs.readdirSync(path.dirname(file)), ['out.csv']);
    // the target is a folder: the rename fails, the error surfaces, the temporary file is removed
    const blocked = path.join(dir, 'blocked');
    fs.mkdirSync(path.join(blocked, 'x'), { recursive: true });
    assert.throws(() => writeFileAtomic(blocked, 'data'));
    assert.deepEqual(fs.readdirSync(dir).sort(), ['blocked', 'sub']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('batch lines: constant material once per journal on a head line, keys recomputed on load equal journalKeyFast; paramsJson = stableStringify', async () => {
  const { journalKeyFast, paramsJson } = await import('../dse/journal.ts');
  const dir = tmp();
  const material = stableStringify({ base: { hw: { clockGHz: 1 } }, metrics: ['latency_s'] });
  const mk = (id: number, over: Partial<JournalRecord> = {}): JournalRecord => ({
    key: '',
    material,
    keyFidelity: 'analytical',
    id,
    params: { 'hw.b': id, 'hw.a': 'x', 'algo.c': -0 },
    fidelity: 'analytical',
    modelVersion: 'mv',
    status: 'ok',
    metrics: { latency_s: id * 1e-3, energy_j: Number.NaN },
    violation: 0,
    ms: 0.5,
    ...over,
  });
  const j = Journal.open(dir, { rememberAppended: false });
  j.appendMany([mk(0), mk(1), mk(2, { status: 'failed', violation: Infinity, error: 'boom', fidelity: '' })]);
  assert.equal(j.size, 0, 'appended records are not kept in memory');
  j.close();
  const lines = fs.readFileSync(path.join(dir, JOURNAL_FILE), 'utf8').trim().split('\n');
  // two heads (fidelity 'analytical', and '' for the failed record), each followed by its batch line
  assert.deepEqual(lines.map((l) => l.slice(0, 11)), ['{"head":0,"', '{"batch":2,', '{"head":1,"', '{"batch":2,'], 'a head line before the batch line naming it, per run of records sharing their constant material');
  assert.equal((lines[0].match(/"mv"/g) ?? []).length, 1, 'the model version is in the head line');
  assert.equal((lines[1].match(/"mv"|clockGHz|latency_s/g) ?? []).length, 0, 'a batch line holds none of the constant material');
  const recs = loadJournal(path.join(dir, JOURNAL_FILE)).records;
  assert.deepEqual(recs.map((r) => r.id), [0, 1, 2]);
  for (const r of recs) assert.equal(r.key, journalKeyFast(r.params, 'mv', 'analytical', material));
  assert.ok(Number.isNaN(recs[0].metrics.energy_j), 'Number.isNaN(recs[0].metrics.energy_j)');
  assert.equal(recs[1].metrics.latency_s, 1e-3);
  assert.equal(recs[2].violation, Infinity);
  assert.equal(recs[2].error, 'boom');
  assert.equal(recs[2].fidelity, '');
  for (const p of [{ b: 2, a: 'x"y', c: -0 }, { z: 1e-300, y: NaN, x: Infinity, 'é': 'ü' }, {}] as Params[]) assert.equal(paramsJson(p), stableStringify(p));
});

test('batch lines are binary-safe: any string (newlines, NUL, U+2028, lone surrogates, quotes) round-trips; a torn batch line is dropped whole', async () => {
  const { journalKeyFast } = await import('../dse/journal.ts');
  const dir = tmp();
  const material = stableStringify({ base: { name: 'a\nb' } });
  const nasty = ['line1\nline2\r\n', 'nul\u0000byte', 'sep\u2028\u2029', 'lone \ud800 surrogate \udfff', 'q"u,o\'te\\', 'é ü 漢字 🙂'];
  const recs: JournalRecord[] = nasty.map((s, id) => ({
    key: '',
    material,
    keyFidelity: 'analytical',
    id,
    params: { 'algo.name': s, 'hw.x': id },
    fidelity: 'analytical',
    modelVersion: 'mv',
    status: 'failed',
    metrics: { latency_s: Number.NaN },
    violation: Infinity,
    error: s,
  }));
  const j = Journal.open(dir, { rememberAppended: false });
  j.appendMany(recs.slice(0, 3));
  j.appendMany(recs.slice(3));
  j.close();
  const file = path.join(dir, JOURNAL_FILE);
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  assert.equal(lines.length, 4, 'a head line, two batch lines and the final newline: no string broke a line');
  const back = loadJournal(file).records;
  assert.deepEqual(back.map((r) => r.error), nasty);
  assert.deepEqual(back.map((r) => r.params['algo.name']), nasty);
  for (const r of back) assert.equal(r.key, journalKeyFast(r.params, 'mv', 'analytical', material));
  // a kill -9 inside the second write: its batch line is torn; the first batch survives whole
  const full = fs.readFileSync(file);
  fs.writeFileSync(file, full.subarray(0, full.length - 40));
  const torn = loadJournal(file);
  assert.deepEqual(torn.records.map((r) => r.id), [0, 1, 2]);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('an indexed journal reads any record back alone (its row and its line\'s head), in any order, whatever its strings hold', async () => {
  const { journalKeyFast, indexJournal } = await import('../dse/journal.ts');
  const dir = tmp();
  const material = stableStringify({ base: { name: 'a "rows":[ ] \\ [' } });
  const nasty = ['line1\nline2\r\n', '],[1,2]]}', '[[["', 'q"u,o\'te\\', '\\"]', 'é ü 漢字 🙂', 'nul\u0000byte', 'sep\u2028', ''];
  const recs: JournalRecord[] = [];
  for (let id = 0; id < 900; id++) {
    const s = nasty[id % nasty.length];
    const failed = id % 4 === 1;
    recs.push({ key: '', material, keyFidelity: 'analytical', id, params: { 'algo.name': s + id, 'hw.x': id % 13 }, fidelity: 'analytical', modelVersion: 'mv', status: failed ? 'failed' : 'ok', metrics: { latency_s: failed ? Number.NaN : id * 1e-6, energy_j: id }, violation: failed ? Infinity : 0, ...(failed ? { error: `boom ${s}` } : {}), ms: id / 7 });
  }
  const j = Journal.open(dir, { rememberAppended: false });
  for (let i = 0; i < recs.length; i += 250) j.appendMany(recs.slice(i, i + 250));
  j.append({ ...rec(5000), id: 5000 }); // a one-record line (no key material): read back whole
  j.close();
  const file = path.join(dir, JOURNAL_FILE);
  const all = loadJournal(file).records;
  assert.equal(all.length, 901);
  for (const r of all.slice(0, 900)) assert.equal(r.key, journalKeyFast(r.params, 'mv', 'analytical', material));
  // each batch line's rows are located in its bytes: each slice is that row's JSON
  const { batchLayout } = await import('../dse/journal.ts');
  const lines = fs.readFileSync(file).toString('latin1').split('\n').filter((l) => l.startsWith('{"batch":2,'));
  assert.equal(lines.length, 4);
  for (const l of lines) {
    const bytes = Buffer.from(l, 'latin1');
    const layout = batchLayout(bytes)!;
    const rows = JSON.parse(bytes.toString('utf8')).rows as unknown[];
    assert.equal(layout.starts.length, rows.length);
    layout.starts.forEach((a, k) => assert.deepEqual(JSON.parse(bytes.toString('utf8', a, k + 1 < rows.length ? layout.starts[k + 1] - 1 : layout.end)), rows[k]));
  }
  const { index, scan } = indexJournal(file);
  assert.equal(scan.records, 901);
  // a shuffled order: every look-up lands in another line than the last
  const order = all.map((_, i) => i).sort((a, b) => ((a * 7919) % 901) - ((b * 7919) % 901));
  for (const i of order) assert.deepEqual(index.get(all[i].key), all[i], `record ${all[i].id}`);
  assert.equal(index.get('f'.repeat(64)), undefined);
  // given what its key was computed from, a row's key is not hashed again: the same records; inputs
  // that differ (another material, a parameter as a string) are hashed and compared as without them
  for (const r of all.slice(0, 900)) {
    assert.deepEqual(index.get(r.key, { params: r.params, modelVersion: 'mv', fidelity: 'analytical', material }), r);
    assert.deepEqual(index.get(r.key, { params: r.params, modelVersion: 'mv', fidelity: 'analytical', material: material + ' ' }), r);
    assert.deepEqual(index.get(r.key, { params: { ...r.params, 'hw.x': String(r.params['hw.x']) }, modelVersion: 'mv', fidelity: 'analytical', material }), r);
    // another point's key that shares this row's first 64 bits: not this row
    const other = { ...r.params, 'hw.x': 99 };
    assert.equal(index.get(r.key.slice(0, 16) + '0'.repeat(48), { params: other, modelVersion: 'mv', fidelity: 'analytical', material }), undefined);
  }
  index.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('reopened journal: every record read back through the index equals the loaded one; the later of a repeated key wins; a key sharing only its first 64 bits is not found', async () => {
  const { journalKeyFast } = await import('../dse/journal.ts');
  const dir = tmp();
  const material = stableStringify({ base: 'index' });
  const mk = (id: number, x: number): JournalRecord => ({ key: '', material, keyFidelity: 'analytical', id, params: { 'hw.x': x, 'hw.y': x % 7 }, fidelity: 'analytical', modelVersion: 'mv', status: 'ok', metrics: { latency_s: id * 1e-6 }, violation: 0 });
  const j = Journal.open(dir, { rememberAppended: false });
  for (let b = 0; b < 40; b++) j.appendMany(Array.from({ length: 500 }, (_, i) => mk(b * 500 + i, b * 500 + i)));
  // x = 7 again, as id 20000: the later record of the same key
  j.appendMany([mk(20_000, 7)]);
  // a one-record line (no key material) whose key shares the first 16 hex digits of x = 3's key
  const k3 = journalKeyFast({ 'hw.x': 3, 'hw.y': 3 }, 'mv', 'analytical', material);
  j.append({ key: k3.slice(0, 16) + '0'.repeat(48), id: 20_001, params: { 'hw.x': -1 }, fidelity: 'analytical', modelVersion: 'mv', status: 'ok', metrics: {}, violation: 0 });
  j.close();
  const all = loadJournal(path.join(dir, JOURNAL_FILE)).records;
  assert.equal(all.length, 20_002);
  const j2 = Journal.open(dir);
  assert.equal(j2.recovered.records, 20_002);
  const latest = new Map(all.map((r) => [r.key, r]));
  assert.equal(latest.size, 20_001, 'one key journaled twice');
  assert.equal(j2.size, 20_000, 'two keys share their first 64 bits: one slot');
  for (const [key, r] of latest) {
    if (key === k3 || key.startsWith(k3.slice(0, 16))) continue;
    assert.deepEqual(j2.get(key), r);
  }
  assert.equal(j2.get(journalKeyFast({ 'hw.x': 7, 'hw.y': 0 }, 'mv', 'analytical', material))?.id, 20_000);
  // the later record took x = 3's slot: x = 3 is "not found" (evaluated again), never the wrong record
  assert.equal(j2.get(k3), undefined);
  assert.equal(j2.get(k3.slice(0, 16) + '0'.repeat(48))?.id, 20_001);
  assert.equal(j2.get('f'.repeat(64)), undefined);
  j2.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('look-ups in shuffled order read each block of a few-MB journal once, not a 256 KB window per miss', async () => {
  const { indexJournal } = await import('../dse/journal.ts');
  const dir = tmp();
  const material = stableStringify({ base: { workload: 'gpt2-medium', padding: 'x'.repeat(200) } });
  const j = Journal.open(dir, { rememberAppended: false });
  const N = 32_000;
  for (let a = 0; a < N; a += 500) {
    const recs: JournalRecord[] = [];
    for (let id = a; id < a + 500; id++) {
      recs.push({ key: '', material, keyFidelity: 'analytical', id, params: { 'hw.a': id, 'hw.b': id % 7, 'hw.c': (id * 31) % 101, 'algo.d': `config-${id % 13}` }, fidelity: 'analytical', modelVersion: 'mv', status: 'ok', metrics: { latency_s: id * 1e-6, energy_j: id / 3, area_mm2: 18.7 }, violation: 0, ms: 1 });
    }
    j.appendMany(recs);
  }
  j.close();
  const file = path.join(dir, JOURNAL_FILE);
  const size = fs.statSync(file).size;
  assert.ok(size > 2 << 20 && size < 8 << 20, `a journal of ${size} bytes: more than a window, within the block cache`);
  const all = loadJournal(file).records;
  const { index } = indexJournal(file);
  const order = all.map((_, i) => i).sort((a, b) => ((a * 7919) % N) - ((b * 7919) % N));
  for (const i of order) assert.deepEqual(index.get(all[i].key), all[i]);
  // every block once (the batch heads cross no more than a few block boundaries)
  assert.ok(index.bytesRead <= size * 1.05, `${index.bytesRead} bytes read back for a ${size}-byte journal`);
  index.close();
});

test('random look-ups in a journal larger than the block cache read a few KB each, not 256 KB', async () => {
  const { indexJournal } = await import('../dse/journal.ts');
  const dir = tmp();
  const material = stableStringify({ base: { workload: 'gpt2-medium', padding: 'x'.repeat(200) } });
  const j = Journal.open(dir, { rememberAppended: false });
  const N = 140_000;
  for (let a = 0; a < N; a += 2000) {
    const recs: JournalRecord[] = [];
    for (let id = a; id < a + 2000; id++) {
      recs.push({ key: '', material, keyFidelity: 'analytical', id, params: { 'hw.a': id, 'hw.b': id % 7, 'hw.c': (id * 31) % 101, 'hw.d': id * 0.123456789, 'algo.e': `config-${id % 13}` }, fidelity: 'analytical', modelVersion: 'mv', status: 'ok', metrics: { latency_s: id * 1.23456789e-6, energy_j: id / 3, area_mm2: 18.7, power_w: id / 7, gops: id / 11 }, violation: 0, ms: 1.234 });
    }
    j.appendMany(recs);
  }
  j.close();
  const file = path.join(dir, JOURNAL_FILE);
  const size = fs.statSync(file).size;
  assert.ok(size > 16 << 20, `a journal of ${size} bytes: twice the 8 MB block cache`);
  const { index } = indexJournal(file);
  const all = loadJournal(file).records;
  // 2,000 look-ups spread over the whole file, as a random sample of a --reuse folder asks them
  const picks = Array.from({ length: 2000 }, (_, i) => (i * 7919 * 13) % N);
  for (const i of picks) assert.equal(index.get(all[i].key)?.id, i);
  // at most ~2 blocks of 16 KB a look-up (its row, its line's head); 256 KB blocks read ~0.7 GB here
  assert.ok(index.bytesRead < picks.length * 40_000, `${(index.bytesRead / 1e6).toFixed(1)} MB read back for ${picks.length} look-ups`);
  index.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a large journal gets a line before it is indexed; a small one does not', async () => {
  const { readingNote, READING_NOTE_BYTES } = await import('../dse/journal-index.ts');
  const dir = tmp();
  const file = path.join(dir, JOURNAL_FILE);
  const lines: string[] = [];
  fs.writeFileSync(file, '');
  fs.truncateSync(file, READING_NOTE_BYTES - 1);
  readingNote(file, (s) => lines.push(s));
  assert.equal(lines.length, 0);
  fs.truncateSync(file, 210_305_414); // a 10^6-point grid's journal (sparse here)
  readingNote(file, (s) => lines.push(s));
  assert.deepEqual(lines, [`reading ${file} (210 MB)…`]);
  readingNote(path.join(dir, 'missing.jsonl'), (s) => lines.push(s));
  assert.equal(lines.length, 1);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a journal of another version of a space of the same name names both space files', async () => {
  const { journalMismatch } = await import('../dse/journal.ts');
  const dir = tmp();
  const j = Journal.open(dir, { header: { space: 'space-aaaa', name: 'g6', spaceFile: 'sweeps/g6.yaml', modelVersion: 'm1' } });
  j.append(rec(1));
  j.close();
  const why = journalMismatch(dir, { space: 'space-bbbb', name: 'g6', spaceFile: 'sweeps/g6-seq960.yaml', modelVersion: 'm1' });
  assert.match(why ?? '', /holds the evaluations of another version of space "g6" \(sweeps\/g6\.yaml\) \(its workload, .*\), not of "g6" as sweeps\/g6-seq960\.yaml defines it$/);
  assert.equal(journalMismatch(dir, { space: 'space-aaaa', name: 'g6', spaceFile: 'sweeps/g6-copy.yaml', modelVersion: 'm1' }), undefined);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('indexing keys a batch line\'s rows from its arrays as loading keys the records it builds: odd rows alike, refused rows make the same bad lines', async () => {
  const { indexJournal } = await import('../dse/journal.ts');
  const dir = tmp();
  const file = path.join(dir, JOURNAL_FILE);
  const material = stableStringify({ base: { hw: { clockGHz: 1 } } });
  // as journalLines writes them: `batch` first, `rows` last
  const line = (params: string[], rows: unknown[], over: object = {}) => JSON.stringify({ batch: 1, fidelity: 'analytical', ...over, modelVersion: 'mv', t: 't', material, params, metrics: ['latency_s'], rows });
  const text = [
    line(['hw.b', 'hw.a', 'algo.c'], [
      [0, [3, 'x', -0], 'ok', [1e-3], 0, null, 1],
      [1, [1e-300, 'q"u\\o\u2028te', null], 'ok', [null], null, 'e', null],
      [2, [5], 'failed', [], null, null, null], // params missing at the end: skipped
      [3, [1, 2, 3, 4], 'ok', [2], 0, null, null], // a value beyond the names
    ]),
    // a repeated name (the last value wins), names out of order, a key fidelity
    line(['z', 'a', 'z'], [[4, [1, 2, 3], 'ok', [1], 0, null, null], [5, ['1.0', 2, 'x'], 'ok', [1], 0, null, null]], { keyFidelity: 'accuracy:subset' }),
    line([], [[6, [], 'ok', [1], 0, null, null]]),
    // rows expandRow refuses: loading counts these lines as bad, so must indexing
    line(['a'], [[7, [1], 'ok', [1], 0, null, null], 8]),
    line(['a'], [[9, null, 'ok', [1], 0, null, null]]),
    line(['a'], [[10, [1], 'ok'], [11, [2], 'ok', [1]]]),
    line(['a'], [[12, [1], 'ok', [1], 0, null, null]]),
  ].join('\n') + '\n';
  fs.writeFileSync(file, text);
  const loaded = loadJournal(file);
  const { index, scan } = indexJournal(file);
  assert.deepEqual(loaded.records.map((r) => r.id), [0, 1, 2, 3, 4, 5, 6, 12], 'the records loading keeps');
  assert.equal(loaded.badLines, 3, 'loading: three refused lines');
  assert.equal(scan.badLines, 3, 'indexing: the same three lines refused');
  assert.equal(scan.records, loaded.records.length, 'indexing: the same record count');
  assert.equal(index.size, 8, 'eight distinct keys');
  for (const r of loaded.records) assert.deepEqual(index.get(r.key), r, `record ${r.id} found by its key`);
  index.close();
  fs.rmSync(dir, { recursive: true, force: true });
});
