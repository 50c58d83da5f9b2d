/**
 * A run's accuracy rungs compare configurations example by example (core/paired.ts): the
 * configurations the subset already shows to be beaten are not run on the full set, and the front
 * is the one a run of every configuration on the full set finds. run.json records the paired
 * count of the points that could still be on the front, and the report says it.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { runSpace } from '../dse/run.ts';
import { notesSection } from '../reports/sections.ts';
import { rungSpace } from './sweeps.ts';
import { waitFor } from './wait.ts';

/** test/sweeps.ts rungSpace, written into `dir`: `subset` adds a 16-window rung. */
const space = (dir: string, subset: boolean) => {
  const file = path.join(dir, `${subset ? 'rungs' : 'full'}.yaml`);
  fs.writeFileSync(file, rungSpace(`paired-${subset ? 'rungs' : 'full'}`, subset));
  return file;
};

const front = (dir: string) =>
  (parse(fs.readFileSync(path.join(dir, 'pareto.csv')), { columns: true }) as Record<string, string>[]).map((r) => `${r.id} ${r.perplexity} ${r.latency_s}`);

test('accuracy rungs drop the configurations a paired comparison beats on the subset; the front is the full evaluation\'s; a second run in the process promotes the same; run.json and the report give the paired count', { timeout: 300_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdse-paired-'));
  try {
    const lines: string[] = [];
    const quiet = { jobs: 1, progress: 'none' as const, report: false, log: (l: string) => void lines.push(l) };
    const rungs = await runSpace({ spaceFile: space(dir, true), outDir: path.join(dir, 'rungs'), ...quiet });
    await runSpace({ spaceFile: space(dir, false), outDir: path.join(dir, 'full'), ...quiet });
    // the same space again in this process: the accuracy engine's in-process caches serve every
    // outcome (dse/evaluate.ts runAccuracy), each with the scores of its own examples, so the
    // promotion is the first run's (it compared the CIs only when a cached 16-window outcome came
    // without scores, its configuration's 32-window state being the one kept: all 8 promoted)
    const again = await runSpace({ spaceFile: space(dir, true), outDir: path.join(dir, 'again'), ...quiet });
    const rungLines = lines.filter((l) => l.startsWith('accuracy rungs 16 → 32 examples'));
    assert.equal(rungLines.length, 2, lines.join('\n'));
    assert.equal(rungLines[1], rungLines[0], 'the second run promotes as the first');
    const csv = (d: string) => fs.readFileSync(path.join(dir, d, 'points.csv'), 'utf8');
    assert.equal(csv('again'), csv('rungs'), "the second run's points, subset and full, are the first's");
    assert.deepEqual(again.run.separability, rungs.run.separability);
    const said = rungLines[0];
    const m = /: 16 → (\d+) evaluations, 8 → (\d+) algorithm configurations$/.exec(said ?? '');
    assert.ok(m, `the rungs' line: ${said}`);
    const promoted = Number(m[2]);
    assert.ok(promoted >= 1 && promoted < 8, `some configurations stay at the subset: ${said}`);
    assert.equal(Number(m[1]), 2 * promoted, 'a promoted configuration runs its 2 designs');
    // the same front, point for point, as every configuration on all 32 windows
    assert.deepEqual(front(path.join(dir, 'rungs')), front(path.join(dir, 'full')));
    assert.equal(rungs.run.separability?.method, 'paired', JSON.stringify(rungs.run.separability));
    assert.equal(rungs.run.separability?.metric, 'perplexity');
    // each parameter's paired effect is over every point, on the 16 windows of the first rung that every configuration ran; the same again
    const effects = rungs.run.pairedEffects?.[0];
    assert.deepEqual([effects?.metric, effects?.examples, effects?.points], ['perplexity', 16, 16], JSON.stringify(effects));
    assert.deepEqual(again.run.pairedEffects, rungs.run.pairedEffects);
    // the report's note: the paired count, or none when every dominated point is certainly dominated
    const n = rungs.run.separability!.inseparable;
    const notes = notesSection(rungs.run, rungs.rows);
    if (n > 0) assert.match(notes, new RegExp(`not statistically separable for ${n} dominated feasible point.*compared example by example`));
    else assert.doesNotMatch(notes, /not statistically separable/);
    // a large run's report holds a sample of its points: the count says it is of those
    const sampled = { ...rungs.run, separability: { ...rungs.run.separability!, inseparable: 2 }, counts: { ...rungs.run.counts, total: rungs.rows.length + 100 } };
    assert.match(notesSection(sampled, rungs.rows), new RegExp(`not statistically separable for 2 dominated feasible points of the ${rungs.rows.length} this report draws: compared example by example`));
    assert.match(notesSection({ ...sampled, counts: rungs.run.counts }, rungs.rows), /separable for 2 dominated feasible points: compared/, 'every point drawn: no "of the …"');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// --- the same promotions whatever else is known: --jobs 2, kill -9 and Ctrl-C mid-rung, resumed --

const CLI = path.join(import.meta.dirname, '..', 'dse', 'cli.ts');
const quietArgs = ['--progress', 'none', '--no-report'];

/** `run` as a child process of its own (no launcher: a signal reaches the run itself). */
function startRun(spaceFile: string, out: string, args: string[]) {
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), CLI, 'run', spaceFile, '--out', out, ...quietArgs, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const done = new Promise<number | null>((resolve) => child.once('exit', (code, sig) => resolve(code ?? (sig === 'SIGKILL' ? 137 : null))));
  return { child, done, err: () => err };
}

/** Configurations' run states journaled so far (a scores record per configuration and rung: 8 after the 16-window rung, 8 + 4 after the 32-window one). */
const scoresRecords = (out: string) => {
  const f = path.join(out, 'journal.jsonl');
  return fs.existsSync(f) ? fs.readFileSync(f, 'utf8').split('\n').filter((l) => l.includes('"accuracy-scores"')).length : 0;
};

/** Runs until the journal holds `n` scores records, then sends `signal`; returns how many it held then. */
async function stopAt(spaceFile: string, out: string, n: number, signal: NodeJS.Signals, args: string[]): Promise<number> {
  const r = startRun(spaceFile, out, args);
  const reached = await waitFor(() => scoresRecords(out) >= n || r.child.exitCode !== null, 120_000, 20);
  r.child.kill(signal);
  const code = await r.done;
  assert.ok(reached, `never journaled ${n} scores records: ${r.err()}`);
  assert.equal(code, signal === 'SIGKILL' ? 137 : 130, r.err());
  return scoresRecords(out);
}

/** run.json without what tells runs apart and not their results: times, options, backend, evaluation counts (a resumed run reuses, more lanes evaluate ahead). */
const runResult = (dir: string) => {
  const { startedAt: _s, finishedAt: _f, wallSeconds: _w, options: _o, backend: _b, evaluations: _e, ...rest } = JSON.parse(fs.readFileSync(path.join(dir, 'run.json'), 'utf8'));
  return rest;
};

/** points.csv, pareto.csv and run.json (`runResult`) of `dir` are those of the --jobs 1 run. */
function sameAsReference(dir: string, ref: string) {
  for (const f of ['points.csv', 'pareto.csv']) assert.equal(fs.readFileSync(path.join(dir, f), 'utf8'), fs.readFileSync(path.join(ref, f), 'utf8'), `${dir}: ${f}`);
  assert.deepEqual(runResult(dir), runResult(ref), `${dir}: run.json`);
}

const crossDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdse-paired-cross-'));
after(() => fs.rmSync(crossDir, { recursive: true, force: true }));
let reference: string | undefined;
/**
 * The uninterrupted --jobs 1 run the others are compared with (once; in this process, whose
 * accuracy cache the first test filled: it is the same run, as that test checks, in less time).
 */
async function referenceRun(): Promise<{ spaceFile: string; ref: string }> {
  const spaceFile = path.join(crossDir, 'rungs.yaml');
  if (!reference) {
    fs.writeFileSync(spaceFile, rungSpace('paired-cross'));
    const lines: string[] = [];
    await runSpace({ spaceFile, outDir: path.join(crossDir, 'ref'), jobs: 1, progress: 'none', report: false, log: (l: string) => void lines.push(l) });
    assert.ok(lines.includes('accuracy rungs 16 → 32 examples: 16 → 8 evaluations, 8 → 4 algorithm configurations'), lines.join('\n'));
    reference = path.join(crossDir, 'ref');
  }
  return { spaceFile, ref: reference };
}

test('accuracy rungs: --jobs 2 (the pool evaluating ahead) promotes as --jobs 1: the same points.csv, pareto.csv and run.json', { timeout: 180_000 }, async () => {
  const { spaceFile, ref } = await referenceRun();
  const out = path.join(crossDir, 'jobs2');
  const r = startRun(spaceFile, out, ['--jobs', '2']);
  assert.equal(await r.done, 0, r.err());
  sameAsReference(out, ref);
});

test('accuracy rungs: kill -9 in the 16-window rung and again in the 32-window rung, then --resume: the same outputs as the uninterrupted run', { timeout: 180_000 }, async () => {
  const { spaceFile, ref } = await referenceRun();
  const out = path.join(crossDir, 'killed');
  const first = await stopAt(spaceFile, out, 4, 'SIGKILL', ['--jobs', '1']);
  assert.ok(first < 8, `killed in the first rung (${first} of its 8 configurations journaled)`);
  const second = await stopAt(spaceFile, out, 10, 'SIGKILL', ['--jobs', '1', '--resume']);
  assert.ok(second > 8 && second < 12, `killed in the second rung (${second - 8} of its 4 configurations journaled)`);
  const r = startRun(spaceFile, out, ['--jobs', '1', '--resume']);
  assert.equal(await r.done, 0, r.err());
  sameAsReference(out, ref);
});

test('accuracy rungs: Ctrl-C in the 16-window rung and again in the 32-window rung, each writing its outputs, then --resume: the same outputs as the uninterrupted run', { timeout: 180_000 }, async () => {
  const { spaceFile, ref } = await referenceRun();
  const out = path.join(crossDir, 'interrupted');
  assert.ok((await stopAt(spaceFile, out, 4, 'SIGINT', ['--jobs', '1'])) < 8, 'interrupted in the first rung');
  assert.match(fs.readFileSync(path.join(out, 'points.csv'), 'utf8'), /:subset\(n=16\)/, 'the interrupted run wrote its subset estimates');
  // Ctrl-C lets the work in progress finish before the run stops (signalled at the journal's tenth
  // scores record, a loaded host once saw all 12 journaled): signalled at the second rung's first
  // (the ninth), it stops before that rung's last
  const second = await stopAt(spaceFile, out, 9, 'SIGINT', ['--jobs', '1', '--resume']);
  assert.ok(second < 12, `interrupted in the second rung (${second - 8} of its 4 configurations journaled)`);
  const r = startRun(spaceFile, out, ['--jobs', '1', '--resume']);
  assert.equal(await r.done, 0, r.err());
  sameAsReference(out, ref);
});
