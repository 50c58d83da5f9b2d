/**
 * A disk that fills while a run writes its outputs (dse/steps/commit-outputs.ts): the failing
 * write is the temporary copy of one output (core/atomic.ts). The message names that output and
 * its temporary file, says the temporary file was removed and that no earlier output was replaced;
 * the folder holds the earlier run's outputs, byte for byte, and no temporary file or lock; the
 * same command afterwards writes the outputs from the journal. ENOSPC is injected into the
 * writes to one temporary file (fs.writeSync, as the kernel returns it for a full disk).
 */
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { runSpace } from '../dse/run.ts';
import { fsMessage, InputError, isUserFsError } from '../dse/errors.ts';
import { writeFileAtomic } from '../core/atomic.ts';
import { RunSink } from '../dse/sink.ts';
import { commitOutputs } from '../dse/steps/commit-outputs.ts';
import type { EvaluatedPoint } from '../dse/evaluate.ts';

const ROOT = path.join(import.meta.dirname, '..');
const SPACE = path.join(ROOT, 'spaces', 'sram-bandwidth.yaml');

/** The error the kernel returns for a write to a full disk. */
const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });

/** Every write to a file whose name matches `name` fails with ENOSPC while the returned mock is on. */
function diskFullFor(name: RegExp) {
  const real = fs.writeSync;
  return mock.method(fs, 'writeSync', function (this: unknown, fd: number, ...rest: unknown[]) {
    if (name.test(path.basename(fs.readlinkSync(`/proc/self/fd/${fd}`)))) {
      throw enospc();
    }
    return (real as (...a: unknown[]) => number).call(fs, fd, ...rest);
  } as typeof fs.writeSync);
}

/** A run sink of one parameter and one objective. */
const oneParameterSink = (dir: string) => new RunSink({ dir, parameters: ['hw.a'], metrics: ['latency_s'], objectives: [{ metric: 'latency_s', goal: 'min' }] });
/** An ok evaluated point of that sink. */
const row = (id: number): EvaluatedPoint => ({ id, params: { 'hw.a': id }, metrics: { latency_s: 1 + (id % 7) }, status: 'ok', violation: 0, feasible: true, error: '', fidelity: 'analytical' });

const digest = (dir: string) => Object.fromEntries(fs.readdirSync(dir).sort().map((f) => [f, createHash('sha256').update(fs.readFileSync(path.join(dir, f))).digest('hex')]));
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The last line of the message of a run stopped by a full disk before its outputs: what it did not write. */
const STOPPED = (dir: string) => `the run stopped there and wrote no output: the points\\.csv, pareto\\.csv, run\\.json and report\\.html in ${escape(dir)}, if any, are an earlier run's`;

/** The message for a full disk while `file` was written, earlier outputs untouched. */
const message = (dir: string, file: string) =>
  new RegExp(
    `^cannot write ${escape(path.join(dir, file))}: no space left on the device \\(ENOSPC\\); its temporary file ${escape(path.join(dir, `.${file}.${process.pid}.`))}[0-9a-f]+\\.tmp was removed\n` +
      `no earlier output in ${escape(dir)} was replaced \\(points\\.csv, pareto\\.csv and run\\.json are put in place together, once all three are written\\)\n` +
      `every evaluation is in ${escape(path.join(dir, 'journal.jsonl'))}: the same command, after freeing space, writes the outputs without evaluating again$`,
  );

test('a full disk while a run writes points.csv, pareto.csv or run.json: the message names that file and its removed temporary copy; the earlier outputs stay whole; the same command then writes them from the journal', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sdse-enospc-'));
  const out = path.join(tmp, 'D');
  try {
    // an earlier run in the folder: its budget stopped it at 100 of the 576 points
    const first = await runSpace({ spaceFile: SPACE, outDir: out, maxEvals: 100, progress: 'none', report: false, log: () => {} });
    assert.equal(first.run.counts.total, 100);
    const before = digest(out);
    assert.deepEqual(Object.keys(before), ['journal.jsonl', 'pareto.csv', 'points.csv', 'run.json']);
    for (const file of ['points.csv', 'pareto.csv', 'run.json']) {
      const full = diskFullFor(new RegExp(`^\\.${escape(file)}\\.\\d+\\.[0-9a-f]+\\.tmp$`));
      try {
        await assert.rejects(runSpace({ spaceFile: SPACE, outDir: out, progress: 'none', report: false, log: () => {} }), (e: Error) => {
          assert.ok(e instanceof InputError, `an InputError (exit 2): ${e.stack}`);
          assert.match(e.message, message(out, file));
          return true;
        });
        assert.ok(full.mock.callCount() > 0, `${file}: the fault was met`);
      } finally {
        full.mock.restore();
      }
      // the earlier outputs, byte for byte (the journal has grown by the 476 new evaluations, once)
      const now = digest(out);
      assert.deepEqual(Object.keys(now), ['journal.jsonl', 'pareto.csv', 'points.csv', 'run.json'], `${file}: no temporary file, no lock left`);
      for (const f of ['points.csv', 'pareto.csv', 'run.json']) assert.equal(now[f], before[f], `${file} failed: ${f} is the earlier run's`);
    }
    const lines: string[] = [];
    const again = await runSpace({ spaceFile: SPACE, outDir: out, progress: 'none', report: false, log: (l) => lines.push(l) });
    assert.equal(again.run.counts.total, 576);
    assert.ok(lines.includes('continuing: 576 evaluations reused from the journal, 0 new'), lines.join('\n'));
    assert.equal(fs.readFileSync(path.join(out, 'points.csv'), 'utf8').trimEnd().split('\n').length, 577, 'header + 576 rows');
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('a full disk while the points body is flushed names points.csv and the removed body; nothing is staged', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdse-enospc-body-'));
  try {
    const sink = oneParameterSink(dir);
    const rows: EvaluatedPoint[] = [0, 1, 2].map((id) => ({ id, params: { 'hw.a': id }, metrics: { latency_s: 1 + id }, status: 'ok', violation: 0, feasible: true, error: '', fidelity: 'analytical' }));
    sink.add(rows);
    const full = diskFullFor(/^\.points\.body\.\d+\.tmp$/);
    try {
      assert.throws(
        () => commitOutputs(dir, sink, '{}\n'),
        (e: Error) => {
          assert.ok(e instanceof InputError, `an InputError: ${e.stack}`);
          assert.match(e.message, new RegExp(`^cannot write ${escape(path.join(dir, 'points.csv'))}: no space left on the device \\(ENOSPC\\); its temporary file ${escape(path.join(dir, `.points.body.${process.pid}.tmp`))} was removed\nno earlier output`));
          return true;
        },
      );
    } finally {
      full.mock.restore();
    }
    assert.deepEqual(fs.readdirSync(dir), [], 'no body, no temporary output');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a full disk while the outputs of a run stopped before the end of its search (a signal, its time limit) are written: the message says the same command continues the search from the journal, then writes them', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdse-enospc-stopped-'));
  try {
    const sink = oneParameterSink(dir);
    sink.add([0, 1, 2].map(row));
    const full = diskFullFor(/^\.pareto\.csv\.\d+\.[0-9a-f]+\.tmp$/);
    try {
      assert.throws(
        () => commitOutputs(dir, sink, '{}\n', false),
        (e: Error) => {
          assert.ok(e instanceof InputError, `an InputError (exit 2): ${e.stack}`);
          const lines = e.message.split('\n');
          assert.equal(lines.length, 3, e.message);
          assert.match(lines[0], new RegExp(`^cannot write ${escape(path.join(dir, 'pareto.csv'))}: no space left on the device \\(ENOSPC\\); its temporary file .* was removed$`));
          assert.equal(lines[2], `every finished evaluation is in ${path.join(dir, 'journal.jsonl')}: the same command, after freeing space, continues from it without evaluating those again, then writes the outputs`);
          return true;
        },
      );
    } finally {
      full.mock.restore();
    }
    assert.deepEqual(fs.readdirSync(dir), [], 'no output, no temporary file');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('any atomic write that meets a full disk (report.html of `report DIR`) is reported by its target, with its removed temporary file; the earlier file is untouched', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdse-enospc-atomic-'));
  try {
    const file = path.join(dir, 'report.html');
    fs.writeFileSync(file, 'earlier');
    const full = diskFullFor(/^\.report\.html\.\d+\.[0-9a-f]+\.tmp$/);
    let err: unknown;
    try {
      writeFileAtomic(file, 'x'.repeat(3 << 20)); // beyond one 1 MB chunk: the failure is in write, not in the final flush
    } catch (e) {
      err = e;
    } finally {
      full.mock.restore();
    }
    assert.ok(isUserFsError(err), `an ENOSPC the CLI reports as the user's (exit 2): ${String(err)}`);
    assert.match(fsMessage(err as NodeJS.ErrnoException), new RegExp(`^${escape(file)}: no space left on the device \\(ENOSPC\\); its temporary file ${escape(path.join(dir, `.report.html.${process.pid}.`))}[0-9a-f]+\\.tmp was removed; the earlier report\\.html, if any, is untouched$`));
    assert.deepEqual(fs.readdirSync(dir), ['report.html']);
    assert.equal(fs.readFileSync(file, 'utf8'), 'earlier');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a full disk part-way through a flush of the points body during the run: once there is space, points.csv holds every row once, none torn', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdse-enospc-torn-'));
  try {
    const sink = oneParameterSink(dir);
    sink.add(Array.from({ length: 10 }, (_, i) => row(i)));
    // the next batch passes the 1 MB flush threshold; the disk fills half-way through its write
    const big = Array.from({ length: 40_000 }, (_, i) => row(10 + i));
    const real = fs.writeSync as (fd: number, buf: Buffer, off: number, len: number, pos: number) => number;
    let calls = 0;
    const full = mock.method(fs, 'writeSync', function (this: unknown, fd: number, buf: Buffer, off: number, len: number, pos: number) {
      if (!/^\.points\.body\.\d+\.tmp$/.test(path.basename(fs.readlinkSync(`/proc/self/fd/${fd}`)))) return real(fd, buf, off, len, pos);
      if (calls++ === 0) return real(fd, buf, off, Math.floor(len / 2), pos); // a short write, as a filling disk gives
      throw enospc();
    } as typeof fs.writeSync);
    try {
      assert.throws(() => sink.add(big), /ENOSPC/);
      assert.equal(calls, 2, 'a short write, then ENOSPC');
    } finally {
      full.mock.restore();
    }
    // space again: the outputs are written from every row the sink took
    commitOutputs(dir, sink, '{}\n');
    const lines = fs.readFileSync(path.join(dir, 'points.csv'), 'utf8').trimEnd().split('\n');
    assert.equal(lines[0], 'id,hw.a,latency_s,feasible,status,error,fidelity,pareto');
    assert.deepEqual(lines.slice(1).map((l) => Number(l.split(',')[0])), Array.from({ length: 40_010 }, (_, i) => i), 'every id once, in order');
    assert.equal(lines.slice(1).filter((l) => l.split(',').length !== 8).length, 0, 'no torn row');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a full disk while the run journals: the message names journal.jsonl and says it holds every finished evaluation up to its last complete line; the same command then continues from it', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sdse-enospc-journal-'));
  const out = path.join(tmp, 'D');
  try {
    await runSpace({ spaceFile: SPACE, outDir: out, maxEvals: 100, progress: 'none', report: false, log: () => {} });
    const before = digest(out);
    const journal = path.join(out, 'journal.jsonl');
    const full = diskFullFor(/^journal\.jsonl$/);
    try {
      await assert.rejects(runSpace({ spaceFile: SPACE, outDir: out, progress: 'none', report: false, log: () => {} }), (e: Error) => {
        assert.ok(e instanceof InputError, `an InputError (exit 2): ${e.stack}`);
        assert.match(
          e.message,
          new RegExp(
            `^cannot write the journal ${escape(journal)}: no space left on the device \\(ENOSPC\\)\n` +
              `the partial write was cut off; the journal holds every finished evaluation up to its last complete line: after freeing space, the same command \\(or \`run --resume\`\\) continues from it without evaluating those again\n` +
              `${STOPPED(out)}$`,
          ),
        );
        return true;
      });
      assert.ok(full.mock.callCount() > 0, 'the fault was met');
    } finally {
      full.mock.restore();
    }
    // the 100-point run's outputs, byte for byte: a journal that could not be written stops the run before any output
    const now = digest(out);
    assert.deepEqual(Object.keys(now), ['journal.jsonl', 'pareto.csv', 'points.csv', 'run.json'], 'no temporary file, no lock, no report left');
    for (const f of ['points.csv', 'pareto.csv', 'run.json']) assert.equal(now[f], before[f], `${f} is the earlier run's`);
    const text = fs.readFileSync(journal, 'utf8');
    assert.ok(text.endsWith('\n'), 'the journal ends on a complete line');
    const lines: string[] = [];
    const again = await runSpace({ spaceFile: SPACE, outDir: out, progress: 'none', report: false, log: (l) => lines.push(l) });
    assert.equal(again.run.counts.total, 576);
    assert.ok(lines.includes('continuing: 100 evaluations reused from the journal, 476 new'), lines.join('\n'));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('a full disk while the points body is streamed during the run: the message names the body file, what it is, and the journal the same command continues from', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdse-enospc-stream-'));
  try {
    const sink = oneParameterSink(dir);
    const full = diskFullFor(/^\.points\.body\.\d+\.tmp$/);
    try {
      // 40,000 rows pass the 1 MB flush threshold: the body is written during the run
      assert.throws(
        () => sink.add(Array.from({ length: 40_000 }, (_, i) => row(i))),
        (e: Error) => {
          assert.ok(e instanceof InputError, `an InputError (exit 2): ${e.stack}`);
          const body = path.join(dir, `.points.body.${process.pid}.tmp`);
          assert.match(
            e.message,
            new RegExp(`^cannot write ${escape(body)} \\(the rows of points\\.csv, streamed during the run\\): no space left on the device \\(ENOSPC\\); points\\.csv is made from it only when the outputs are written; ${escape(path.join(dir, 'journal.jsonl'))} holds every finished evaluation up to its last complete line: after freeing space, the same command \\(or \`run --resume\`\\) continues from it without evaluating those again$`),
          );
          return true;
        },
      );
    } finally {
      full.mock.restore();
    }
    sink.discard();
    assert.deepEqual(fs.readdirSync(dir), [], 'no body left');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * A grid of 11,520 points (6 × 6 × 4 × 8 × 10): its rows pass the 1 MB at which the sink flushes
 * the points body during the search (~140 B a row: the first flush comes after ~7,600 rows).
 */
const BIG_SPACE = `name: body-flush
workload: { benchmark: gpt2-medium-wikitext2 }
fidelity: analytical
objectives:
  - { metric: latency_s, goal: min }
  - { metric: energy_j, goal: min }
parameters:
  hw.keySramKB: [24, 48, 98, 196, 392, 784]
  hw.valueSramKB: [24, 48, 98, 196, 392, 784]
  hw.dramChannels: [4, 8, 16, 32]
  hw.dramChannelGBps: { range: [8, 64], step: 8 }
  algo.tokenKeep: { range: [0.1, 1.0], step: 0.1 }
search: { driver: grid }
`;

test('a full disk at a flush of the points body during a run: the run stops there, writes no output (the earlier outputs stay whole, no report) and says so; the same command, with space again, continues from the journal and writes all 11,520 points', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sdse-enospc-run-body-'));
  const out = path.join(tmp, 'D');
  const space = path.join(tmp, 'big.yaml');
  try {
    fs.writeFileSync(space, BIG_SPACE);
    // an earlier run in the folder, stopped by its budget at 1,000 points
    const first = await runSpace({ spaceFile: space, outDir: out, maxEvals: 1000, progress: 'none', report: false, log: () => {} });
    assert.equal(first.run.counts.total, 1000);
    const before = digest(out);
    // the disk is full for the first write of the body, and has space again after it
    const real = fs.writeSync as (...a: unknown[]) => number;
    let refused = 0;
    const full = mock.method(fs, 'writeSync', function (this: unknown, fd: number, ...rest: unknown[]) {
      if (refused === 0 && /^\.points\.body\.\d+\.tmp$/.test(path.basename(fs.readlinkSync(`/proc/self/fd/${fd}`)))) {
        refused++;
        throw enospc();
      }
      return real.call(fs, fd, ...rest);
    } as typeof fs.writeSync);
    let reported = 0;
    try {
      await assert.rejects(
        runSpace({ spaceFile: space, outDir: out, progress: 'none', writeReport: async () => void reported++, log: () => {} }),
        (e: Error) => {
          assert.ok(e instanceof InputError, `an InputError (exit 2): ${e.stack}`);
          const body = path.join(out, `.points.body.${process.pid}.tmp`);
          assert.match(
            e.message,
            new RegExp(
              `^cannot write ${escape(body)} \\(the rows of points\\.csv, streamed during the run\\): no space left on the device \\(ENOSPC\\)\n` +
                `points\\.csv is made from it only when the outputs are written; ${escape(path.join(out, 'journal.jsonl'))} holds every finished evaluation up to its last complete line: after freeing space, the same command \\(or \`run --resume\`\\) continues from it without evaluating those again\n` +
                `${STOPPED(out)}$`,
            ),
          );
          return true;
        },
      );
    } finally {
      full.mock.restore();
    }
    assert.equal(refused, 1, 'the body flush met the full disk once');
    assert.equal(reported, 0, 'no report of the points before the failure');
    const now = digest(out);
    assert.deepEqual(Object.keys(now), ['journal.jsonl', 'pareto.csv', 'points.csv', 'run.json'], 'no body, temporary file, lock or report left');
    for (const f of ['points.csv', 'pareto.csv', 'run.json']) assert.equal(now[f], before[f], `${f} is the earlier run's, byte for byte`);
    const lines: string[] = [];
    const again = await runSpace({ spaceFile: space, outDir: out, progress: 'none', report: false, log: (l) => lines.push(l) });
    assert.equal(again.run.counts.total, 11_520);
    assert.equal(again.run.stopReason, 'completed');
    // the journal held the points evaluated before the failure: past the first flush (≥ 1 MB of rows, ~7,600), not all 11,520
    const cont = lines.map((l) => /^continuing: (\d+) evaluations reused from the journal, (\d+) new$/.exec(l)).find((m) => m);
    assert.ok(cont, lines.join('\n'));
    const [reused, evaluated] = [Number(cont[1]), Number(cont[2])];
    assert.ok(reused > 7000 && reused < 11_520, `the journal holds the points evaluated before the failure, not all of them: ${reused}`);
    assert.equal(reused + evaluated, 11_520);
    assert.deepEqual(again.run.evaluations, { reused, reusedFromOtherFolders: 0, evaluated, evaluatedFromScores: 0 });
    assert.equal(fs.readFileSync(path.join(out, 'points.csv'), 'utf8').trimEnd().split('\n').length, 11_521, 'header + 11,520 rows');
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('a full disk while the dense model\'s outcome is journaled (a constraint relative to it): the run stops as at any point of its search, and does not call it a bound to fix', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sdse-enospc-dense-'));
  const out = path.join(tmp, 'D');
  const space = path.join(tmp, 'dense.yaml');
  try {
    fs.writeFileSync(
      space,
      `name: dense-full
workload: { model: bert-base, stage: summarization, seqLen: 128 }
accuracy: { model: spam-bert, maxExamples: 32 }
objectives:
  - { metric: accuracy }
  - { metric: latency_s }
constraints: ["accuracy >= dense - 0.05"]
parameters:
  algo.tokenKeep: [0.5]
search: { driver: grid }
`,
    );
    const journal = path.join(out, 'journal.jsonl');
    // the journal's header is written; its next write, the dense model's outcome, meets a full disk
    const real = fs.writeSync as (...a: unknown[]) => number;
    let writes = 0;
    const full = mock.method(fs, 'writeSync', function (this: unknown, fd: number, ...rest: unknown[]) {
      if (path.basename(fs.readlinkSync(`/proc/self/fd/${fd}`)) === 'journal.jsonl' && writes++ > 0) throw enospc();
      return real.call(fs, fd, ...rest);
    } as typeof fs.writeSync);
    try {
      await assert.rejects(runSpace({ spaceFile: space, outDir: out, jobs: 1, progress: 'none', report: false, log: () => {} }), (e: Error) => {
        assert.ok(e instanceof InputError, `an InputError (exit 2): ${e.stack}`);
        assert.equal(
          e.message,
          `cannot write the journal ${journal}: no space left on the device (ENOSPC)\n` +
            'the partial write was cut off; the journal holds every finished evaluation up to its last complete line: after freeing space, the same command (or `run --resume`) continues from it without evaluating those again\n' +
            `the run stopped there and wrote no output: the points.csv, pareto.csv, run.json and report.html in ${out}, if any, are an earlier run's`,
        );
        return true;
      });
      assert.equal(writes, 2, 'the header, then the dense model\'s outcome');
    } finally {
      full.mock.restore();
    }
    assert.deepEqual(fs.readdirSync(out), ['journal.jsonl'], 'the journal (its header), no output');
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
