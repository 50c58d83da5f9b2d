/**
 * End-to-end search behaviour through the real CLI (bin/spatten-dse.js in child processes):
 * seed reproducibility across --jobs 1 / --jobs 2, kill -9 + --resume, lock refusal, failed
 * points recorded, SIGINT writes outputs and exits 130.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadJournal } from '../dse/journal.ts';
import { waitFor } from './wait.ts';

const ROOT = path.join(import.meta.dirname, '..');
const BIN = path.join(ROOT, 'bin', 'spatten-dse.js');
const env = { ...process.env, FORCE_COLOR: '0' };

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', env });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Starts the CLI in its own process group (so the whole tree can be killed like kill -9 would). */
function start(args: string[]): { child: ChildProcess; done: Promise<number | null>; err: () => string } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  child.stdout!.resume();
  const done = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, done, err: () => err };
}

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'search-e2e-'));
const read = (f: string) => fs.readFileSync(f, 'utf8');
const journalLines = (dir: string) => {
  try {
    return loadJournal(path.join(dir, 'journal.jsonl')).records.length;
  } catch {
    return 0;
  }
};
const ids = (csv: string) => csv.trim().split('\n').slice(1).map((l) => Number(l.split(',')[0]));

/**
 * A cycle-model NSGA-II search small enough for CI: 8 × 4 = 32 evaluations of ~25–50 ms, long
 * enough that the kill test's kill, sent once the journal's first ~100 ms flush shows, lands mid-run
 * (with 4 generated tokens the 32 evaluations took ~0.35 s and a run could finish before it).
 */
const N = 32;
const CYCLE_NSGA = `name: e2e-cycle
workload: { model: gpt2-medium, stage: generation, seqLen: 992, genTokens: 32 }
model: cycle
objectives:
  - { metric: latency_s, goal: min }
  - { metric: area_mm2, goal: min }
parameters:
  hw.qkMultipliers: [64, 128, 256, 512]
  hw.dramChannels: [2, 4, 8, 16]
  hw.topkParallelism: [1, 4, 16]
  algo.tokenKeep: [0.5, 1.0]
search: { driver: nsga2, population: 8, generations: 4, seed: 7 }
`;

function writeSpace(dir: string, text: string): string {
  const f = path.join(dir, 'space.yaml');
  fs.writeFileSync(f, text);
  return f;
}

const hasCycle = fs.existsSync(path.join(ROOT, 'sim', 'cycle', 'index.ts'));

/** The uninterrupted --jobs 1 run every other cycle test compares against (run once). */
let reference: { dir: string; space: string; points: string; pareto: string } | undefined;
function referenceRun() {
  if (!reference) {
    const dir = tmp();
    const space = writeSpace(dir, CYCLE_NSGA);
    const a = cli(['run', space, '--out', path.join(dir, 'ref'), '--jobs', '1', '--progress', 'none', '--no-report']);
    assert.equal(a.code, 0, a.err);
    assert.ok(!fs.existsSync(path.join(dir, 'ref', '.lock')), 'lock released');
    reference = { dir, space, points: read(path.join(dir, 'ref', 'points.csv')), pareto: read(path.join(dir, 'ref', 'pareto.csv')) };
  }
  return reference;
}

test('same seed → identical points.csv with --jobs 1 and --jobs 2 (cycle model, nsga2)', { skip: !hasCycle && 'sim/cycle not present' }, () => {
  const { dir, space, points, pareto } = referenceRun();
  const b = cli(['run', space, '--out', path.join(dir, 'j2'), '--jobs', '2', '--progress', 'none', '--no-report']);
  assert.equal(b.code, 0, b.err);
  assert.equal(ids(points).length, N);
  assert.equal(read(path.join(dir, 'j2', 'points.csv')), points);
  assert.equal(read(path.join(dir, 'j2', 'pareto.csv')), pareto);
});

test('kill -9 mid-run, then --resume: same points.csv as an uninterrupted run, nothing re-evaluated', { skip: !hasCycle && 'sim/cycle not present' }, async () => {
  const { dir, space, points } = referenceRun();
  const out = path.join(dir, 'killed');
  const r = start(['run', space, '--out', out, '--jobs', '1', '--progress', 'none', '--no-report']);
  const progressed = await waitFor(() => journalLines(out) >= 4, 60_000, 25);
  process.kill(-r.child.pid!, 'SIGKILL'); // the launcher, tsx and the run itself
  await r.done;
  assert.ok(progressed, `the run never journaled 4 evaluations: ${r.err()}`);
  const before = journalLines(out);
  assert.ok(before < N, `killed too late (${before} journaled)`);
  assert.ok(!fs.existsSync(path.join(out, 'points.csv')), 'killed before outputs');
  assert.ok(fs.existsSync(path.join(out, '.lock')), 'stale lock left behind');
  // simulate a torn last line, as a crash during a write leaves it
  fs.appendFileSync(path.join(out, 'journal.jsonl'), '{"key":"abc","id":9');
  const res = cli(['run', space, '--out', out, '--jobs', '1', '--progress', 'none', '--no-report', '--resume']);
  assert.equal(res.code, 0, res.err);
  assert.match(res.err, new RegExp(`resume: ${before} finished evaluations .*torn`));
  assert.match(res.err, new RegExp(`resume: ${before} evaluations reused from the journal, ${N - before} new`));
  const pts = read(path.join(out, 'points.csv'));
  assert.equal(pts, points);
  const got = ids(pts);
  assert.equal(new Set(got).size, got.length, 'duplicate ids');
  assert.deepEqual(got, Array.from({ length: N }, (_, i) => i));
  // the journal holds each evaluation once
  const keys = loadJournal(path.join(out, 'journal.jsonl')).records.map((x) => x.key);
  assert.equal(new Set(keys).size, keys.length);
  assert.equal(keys.length, N);
});

test('a second run on a folder in use is refused with a clear message, writing nothing', () => {
  const dir = tmp();
  const space = writeSpace(dir, CYCLE_NSGA.replace('model: cycle', 'model: analytical'));
  const out = path.join(dir, 'busy');
  fs.mkdirSync(out);
  fs.writeFileSync(path.join(out, '.lock'), JSON.stringify({ pid: process.pid, host: os.hostname(), startedAt: 'test' }));
  const r = cli(['run', space, '--out', out, '--progress', 'none', '--no-report']);
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, new RegExp(`in use by another run \\(pid ${process.pid}`));
  assert.ok(!fs.existsSync(path.join(out, 'points.csv')), '!fs.existsSync(path.join(out, \'points.csv\'))');
  assert.ok(!fs.existsSync(path.join(out, 'journal.jsonl')), '!fs.existsSync(path.join(out, \'journal.jsonl\'))');
});

test('a failing point is recorded with status=failed and its error; the run goes on', () => {
  const dir = tmp();
  const space = writeSpace(
    dir,
    `name: e2e-fail
workload: { model: gpt2-small, stage: generation, seqLen: 64, genTokens: 2 }
objectives:
  - { metric: latency_s, goal: min }
  - { metric: area_mm2, goal: min }
parameters:
  workload.model: [gpt2-small, bert-base]
  workload.stage: [generation, summarization]
  hw.dramChannels: [4, 8]
search: { driver: grid }
`,
  );
  const out = path.join(dir, 'o');
  const r = cli(['run', space, '--out', out, '--progress', 'none', '--no-report']);
  assert.equal(r.code, 0, r.err);
  const lines = read(path.join(out, 'points.csv')).trim().split('\n');
  const header = lines[0].split(',');
  const rows = lines.slice(1).map((l) => l.split(','));
  const st = header.indexOf('status');
  // bert-base × generation fails (an encoder has no generation stage); the other 6 points are fine
  assert.equal(rows.length, 8);
  assert.equal(rows.filter((x) => x[st] === 'failed').length, 2);
  assert.equal(rows.filter((x) => x[st] === 'ok').length, 6);
  assert.match(read(path.join(out, 'points.csv')), /encoder/);
  const recs = loadJournal(path.join(out, 'journal.jsonl')).records;
  assert.equal(recs.filter((x) => x.status === 'failed').length, 2);
});

test('SIGINT: in-flight work finishes, every output is written for what is done, exit 130', { skip: !hasCycle && 'sim/cycle not present' }, async () => {
  const { dir, space, points } = referenceRun();
  const out = path.join(dir, 'int');
  const r = start(['run', space, '--out', out, '--jobs', '1', '--progress', 'none', '--no-report']);
  const progressed = await waitFor(() => journalLines(out) >= 2 && fs.existsSync(path.join(out, '.lock')), 60_000, 25);
  assert.ok(progressed, r.err());
  // Ctrl-C reaches the run itself (its pid is in the lock file)
  const pid = JSON.parse(read(path.join(out, '.lock'))).pid as number;
  process.kill(pid, 'SIGINT');
  const code = await r.done;
  assert.equal(code, 130, r.err());
  for (const f of ['points.csv', 'pareto.csv', 'run.json']) assert.ok(fs.existsSync(path.join(out, f)), f);
  const run = JSON.parse(read(path.join(out, 'run.json')));
  assert.equal(run.stopReason, 'interrupted');
  assert.ok(run.counts.total >= 2 && run.counts.total < N, String(run.counts.total));
  assert.ok(!fs.existsSync(path.join(out, '.lock')), '!fs.existsSync(path.join(out, \'.lock\'))');
  // and the interrupted run resumes to the uninterrupted result
  const res = cli(['run', space, '--out', out, '--jobs', '1', '--progress', 'none', '--no-report', '--resume']);
  assert.equal(res.code, 0, res.err);
  assert.equal(read(path.join(out, 'points.csv')), points);
});

test('model both: the analytical front is re-scored with the cycle model; fidelity column; same with --jobs 2', { skip: !hasCycle && 'sim/cycle not present' }, () => {
  const dir = tmp();
  const space = writeSpace(dir, CYCLE_NSGA.replace('model: cycle', 'model: both').replace('seqLen: 992, genTokens: 32', 'seqLen: 128, genTokens: 2'));
  const a = cli(['run', space, '--out', path.join(dir, 'a'), '--jobs', '1', '--progress', 'none', '--no-report']);
  assert.equal(a.code, 0, a.err);
  const b = cli(['run', space, '--out', path.join(dir, 'b'), '--jobs', '2', '--progress', 'none', '--no-report']);
  assert.equal(b.code, 0, b.err);
  const pts = read(path.join(dir, 'a', 'points.csv'));
  assert.equal(read(path.join(dir, 'b', 'points.csv')), pts);
  const [header, ...rows] = pts.trim().split('\n').map((l) => l.split(','));
  const col = (n: string) => header.indexOf(n);
  assert.ok(col('cycle_latency_s') > 0, 'col(\'cycle_latency_s\') > 0');
  for (const r of rows) {
    const onFront = r[col('pareto')] === 'true';
    assert.equal(r[col('fidelity')], onFront ? 'analytical+cycle' : 'analytical');
    assert.equal(r[col('cycle_latency_s')] !== '', onFront);
  }
});

test('model both: a design the cycle model cannot run fails, and the points it displaced are re-scored in turn', { skip: !hasCycle && 'sim/cycle not present' }, () => {
  const dir = tmp();
  const space = writeSpace(dir, `name: rescore-fail
workload: { model: gpt2-medium, stage: generation, seqLen: 992, genTokens: 32 }
fidelity: both
objectives: [{ metric: latency_s, goal: min }, { metric: energy_j, goal: min }]
parameters: { hw.topkParallelism: [4, 16], hw.keySramKB: [1, 196] }
search: { driver: grid }
`);
  const r = cli(['run', space, '--out', path.join(dir, 'o'), '--progress', 'none', '--no-report']);
  assert.equal(r.code, 0, r.err);
  const [header, ...rows] = read(path.join(dir, 'o', 'points.csv')).trim().split('\n').map((l) => l.split(','));
  const col = (n: string) => header.indexOf(n);
  for (const row of rows) {
    const tiny = row[col('hw.keySramKB')] === '1';
    // 1 KB holds no key line pair: the analytical model prices it, the cycle model refuses it
    assert.equal(row[col('status')], tiny ? 'failed' : 'ok', row.join(','));
    if (tiny) assert.match(row[col('error')], /^cycle re-score failed: .*SRAM too small/);
    if (row[col('pareto')] === 'true') assert.equal(row[col('fidelity')], 'analytical+cycle', row.join(','));
  }
  assert.ok(rows.some((row) => row[col('pareto')] === 'true'), 'rows.some((row) => row[col(\'pareto\')] === \'true\')');
});

test('--reuse: a larger sweep reuses another run folder’s evaluations and ends identical to a fresh run', () => {
  const dir = tmp();
  const base = `name: e2e-reuse
workload: { model: gpt2-small, stage: generation, seqLen: 64, genTokens: 2 }
objectives:
  - { metric: latency_s, goal: min }
  - { metric: area_mm2, goal: min }
parameters:
  hw.qkMultipliers: [128, 256, 512]
  hw.dramChannels: DRAM
search: { driver: grid }
`;
  const small = writeSpace(dir, base.replace('DRAM', '[4, 8]'));
  const a = cli(['run', small, '--out', path.join(dir, 'a'), '--progress', 'none', '--no-report']);
  assert.equal(a.code, 0, a.err);
  const bigFile = path.join(dir, 'big.yaml');
  fs.writeFileSync(bigFile, base.replace('DRAM', '[2, 4, 8, 16]'));
  const b = cli(['run', bigFile, '--out', path.join(dir, 'b'), '--progress', 'none', '--no-report', '--reuse', path.join(dir, 'a')]);
  assert.equal(b.code, 0, b.err);
  assert.match(b.err, /^reuse: 6 evaluations reused from the --reuse folders, 6 new$/m);
  assert.doesNotMatch(b.err, /none of the/);
  // the same designs written another way (qkMultipliers fixed at its default 512 instead of swept)
  // do not match by parameters: the run says why nothing was reused
  const fixedFile = path.join(dir, 'fixed.yaml');
  fs.writeFileSync(fixedFile, base.replace('DRAM', '[4, 8]').replace('  hw.qkMultipliers: [128, 256, 512]\n', ''));
  const f = cli(['run', fixedFile, '--out', path.join(dir, 'f'), '--progress', 'none', '--no-report', '--reuse', path.join(dir, 'a')]);
  assert.equal(f.code, 0, f.err);
  assert.match(f.err, /^reuse: 0 evaluations reused from the --reuse folders, 2 new$/m);
  assert.match(f.err, /reuse: none of the 6 evaluations of the --reuse folders matched a point of this run: .*swept here but fixed there/);
  const c = cli(['run', bigFile, '--out', path.join(dir, 'c'), '--progress', 'none', '--no-report']);
  assert.equal(c.code, 0, c.err);
  assert.equal(read(path.join(dir, 'b', 'points.csv')), read(path.join(dir, 'c', 'points.csv')));
  assert.equal(read(path.join(dir, 'b', 'pareto.csv')), read(path.join(dir, 'c', 'pareto.csv')));
  // the other journals are indexed and read back on demand: a random sweep asks for their records
  // out of journal order, from two folders at once (b holds a's records and six more)
  const randFile = path.join(dir, 'rand.yaml');
  fs.writeFileSync(randFile, base.replace('DRAM', '[2, 4, 8, 16]').replace('{ driver: grid }', '{ driver: random, samples: 40, seed: 5 }'));
  const d = cli(['run', randFile, '--out', path.join(dir, 'd'), '--progress', 'none', '--no-report', '--reuse', path.join(dir, 'a'), '--reuse', path.join(dir, 'b')]);
  assert.equal(d.code, 0, d.err);
  assert.match(d.err, /reuse: 6 evaluations available from .*a\/journal\.jsonl/);
  assert.match(d.err, /reuse: 12 evaluations available from .*b\/journal\.jsonl/);
  const e = cli(['run', randFile, '--out', path.join(dir, 'e'), '--progress', 'none', '--no-report']);
  assert.equal(e.code, 0, e.err);
  // the sweep draws b's 12 points (without repeats), all reused, none evaluated, in another order
  assert.match(d.err, /^reuse: 12 evaluations reused from the --reuse folders, 0 new$/m);
  const order = (f: string) => read(f).trim().split('\n').slice(1).map((l) => l.split(',').slice(1, 3).join(','));
  assert.notDeepEqual(order(path.join(dir, 'd', 'points.csv')), order(path.join(dir, 'b', 'points.csv')));
  assert.deepEqual(order(path.join(dir, 'd', 'points.csv')).sort(), order(path.join(dir, 'b', 'points.csv')).sort());
  assert.equal(read(path.join(dir, 'd', 'points.csv')), read(path.join(dir, 'e', 'points.csv')));
  assert.equal(read(path.join(dir, 'd', 'pareto.csv')), read(path.join(dir, 'e', 'pareto.csv')));
  fs.rmSync(dir, { recursive: true, force: true });
});

test('budgets: --max-evals / --time-limit stop the run (stopReason); --resume then completes it to the reference', { skip: !hasCycle && 'sim/cycle not present' }, () => {
  const { dir, space, points } = referenceRun();
  const out = path.join(dir, 'budget');
  const a = cli(['run', space, '--out', out, '--jobs', '1', '--max-evals', '12', '--progress', 'none', '--no-report']);
  assert.equal(a.code, 0, a.err);
  const run = JSON.parse(read(path.join(out, 'run.json')));
  assert.equal(run.counts.total, 12);
  assert.equal(run.stopReason, 'max-evals');
  assert.equal(run.stopDetail, 'budget of 12 evaluations spent');
  assert.ok(run.hypervolume.length >= 2, 'hypervolume after each generation/batch');
  const b = cli(['run', space, '--out', path.join(dir, 'tl'), '--jobs', '1', '--time-limit', '0.001', '--progress', 'none', '--no-report']);
  assert.equal(b.code, 0, b.err);
  assert.equal(JSON.parse(read(path.join(dir, 'tl', 'run.json'))).stopReason, 'time-limit');
  const c = cli(['run', space, '--out', out, '--jobs', '1', '--resume', '--progress', 'none', '--no-report']);
  assert.equal(c.code, 0, c.err);
  assert.match(c.err, /resume: 12 evaluations reused from the journal, 20 new/);
  assert.equal(read(path.join(out, 'points.csv')), points);
});

const hasBert = fs.existsSync(path.join(ROOT, 'sim', 'nn', 'checkpoints', 'spam-bert', 'config.json'));

test('accuracy multi-fidelity: subset estimate for every point, the full evaluation for the contenders', { skip: !hasBert && 'spam-bert checkpoint not present' }, () => {
  const dir = tmp();
  const space = writeSpace(
    dir,
    `name: e2e-acc
workload: { model: bert-base, stage: summarization, seqLen: 128 }
algo: { msbBits: 12, lsbBits: 0, valueKeep: 1, headKeep: 1 }
accuracy: { model: spam-bert, maxExamples: 48, subsetExamples: 16 }
objectives:
  - { metric: accuracy, goal: max }
  - { metric: latency_s, goal: min }
parameters:
  algo.tokenKeep: [0.2, 1.0]
  hw.qkMultipliers: [64, 1024]
search: { driver: grid }
`,
  );
  const out = path.join(dir, 'o');
  const r = cli(['run', space, '--out', out, '--jobs', '1', '--progress', 'none', '--no-report']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /accuracy rungs 16 → 48 examples: 4 → \d evaluations/);
  const [header, ...rows] = read(path.join(out, 'points.csv')).trim().split('\n').map((l) => l.split(','));
  const col = (n: string) => header.indexOf(n);
  assert.equal(rows.length, 4);
  for (const row of rows) {
    assert.match(row[col('fidelity')], /^analytical\+accuracy(:subset\(n=16\))?$/);
    if (row[col('pareto')] === 'true') assert.equal(row[col('fidelity')], 'analytical+accuracy');
  }
  const recs = loadJournal(path.join(out, 'journal.jsonl')).records;
  assert.ok(recs.length > 4, 'subset and full evaluations journaled');
});

const BIG_GRID = `name: e2e-big-grid
workload: { model: gpt2-medium, stage: generation, seqLen: 992, genTokens: 32 }
fidelity: analytical
objectives:
  - { metric: latency_s, goal: min }
  - { metric: energy_j, goal: min }
constraints: ["area_mm2 <= 20"]
parameters:
  hw.dramChannels: [1, 2, 3, 4, 6, 8, 12, 16, 24, 32]
  hw.topkParallelism: [1, 2, 3, 4, 6, 8, 12, 16, 24, 32]
  hw.qkMultipliers: [64, 128, 192, 256, 320, 384, 448, 512, 768, 1024]
  hw.keySramKB: [49, 98, 147, 196, 245, 294, 392, 490, 588, 784]
  hw.clockGHz: [0.5, 0.75, 1, 1.25, 1.5]
search: { driver: grid }
`;

test('streamed 50,000-point grid: kill -9 mid-run, then --resume: byte-identical points.csv and pareto.csv, front flags right', async () => {
  const dir = tmp();
  const space = path.join(dir, 'big.yaml');
  fs.writeFileSync(space, BIG_GRID);
  const ref = cli(['run', space, '--out', path.join(dir, 'ref'), '--progress', 'none', '--no-report']);
  assert.equal(ref.code, 0, ref.err);
  const points = read(path.join(dir, 'ref', 'points.csv'));
  const pareto = read(path.join(dir, 'ref', 'pareto.csv'));
  const out = path.join(dir, 'killed');
  const r = start(['run', space, '--out', out, '--progress', 'none', '--no-report']);
  // poll the file size, not the records (loading recomputes every key): ~200 bytes per row
  const size = () => (fs.existsSync(path.join(out, 'journal.jsonl')) ? fs.statSync(path.join(out, 'journal.jsonl')).size : 0);
  const progressed = await waitFor(() => size() > 400_000, 120_000, 25);
  process.kill(-r.child.pid!, 'SIGKILL');
  await r.done;
  assert.ok(progressed, `the run never journaled 2,000 evaluations: ${r.err()}`);
  const before = journalLines(out);
  assert.ok(before < 50_000, `killed too late (${before} journaled)`);
  assert.ok(!fs.existsSync(path.join(out, 'points.csv')), 'killed before outputs');
  const res = cli(['run', space, '--out', out, '--progress', 'none', '--no-report', '--resume']);
  assert.equal(res.code, 0, res.err);
  assert.match(res.err, new RegExp(`resume: ${before} evaluations reused from the journal, ${50_000 - before} new`));
  assert.equal(read(path.join(out, 'points.csv')), points);
  assert.equal(read(path.join(out, 'pareto.csv')), pareto);
  assert.deepEqual(fs.readdirSync(out).filter((f) => f.endsWith('.tmp')), [], 'no temporary file left');
  // the pareto column is exactly the non-dominated feasible rows
  const [head, ...rows] = points.trim().split('\n').map((l) => l.split(','));
  const col = (n: string) => head.indexOf(n);
  const feasible = rows.filter((x) => x[col('feasible')] === 'true');
  const front = new Set(pareto.trim().split('\n').slice(1).map((l) => l.split(',')[0]));
  const vec = (x: string[]) => [Number(x[col('latency_s')]), Number(x[col('energy_j')])];
  // non-dominated by a sweep: sorted by latency, a row is dominated iff an earlier-latency row (or
  // an equal-latency row with less energy) has energy ≤ its own
  const sorted = feasible.map((x) => ({ id: x[0], v: vec(x), flag: x[col('pareto')] })).sort((a, b) => a.v[0] - b.v[0] || a.v[1] - b.v[1]);
  let best = Infinity;
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j < sorted.length && sorted[j].v[0] === sorted[i].v[0]) j++;
    const groupMin = sorted[i].v[1];
    for (let k = i; k < j; k++) {
      const onFront = sorted[k].v[1] === groupMin && groupMin < best;
      assert.equal(sorted[k].flag === 'true', onFront, `row ${sorted[k].id}`);
      assert.equal(front.has(sorted[k].id), onFront);
    }
    best = Math.min(best, groupMin);
    i = j;
  }
  assert.ok(front.size > 0, 'front.size > 0');
  fs.rmSync(dir, { recursive: true, force: true });
});
