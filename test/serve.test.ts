/**
 * `spatten-dse serve`: the JSON-lines ask/tell protocol over stdio and TCP, from a real child
 * process. Errors (malformed JSON, unknown op, parameters outside their domain, unknown trial ids)
 * answer with {"ok":false,"error"} and the service keeps answering; evaluations equal the run's
 * (same evaluator) and are journaled and answered from the journal the second time.
 */
import { formatMetric } from '../dse/outputs.ts';
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { loadJournal } from '../dse/journal.ts';
import { HW_METRICS } from '../sim/metrics.ts';
import { parseCsv } from '../reports/csv.ts';
import { waitFor } from './wait.ts';

const ROOT = path.join(import.meta.dirname, '..');
const CLI = path.join(ROOT, 'dse', 'cli.ts');

const SPACE = `name: serve-test
workload: { model: gpt2-small, stage: generation, seqLen: 128, genTokens: 4 }
objectives:
  - { metric: latency_s, goal: min }
  - { metric: area_mm2, goal: min }
constraints: ["area_mm2 <= 12"]
parameters:
  hw.dramChannels: [4, 8, 16]
  hw.qkMultipliers: [256, 512]
  algo.lsbThreshold: { range: [0.02, 0.2] }
search: { driver: random, samples: 6, seed: 3 }
`;

type Res = Record<string, any>;

/** A client of one JSON-lines stream: send a line, await the answer (answers come in order). */
function client(input: NodeJS.ReadableStream, output: NodeJS.WritableStream) {
  const waiting: ((r: Res) => void)[] = [];
  readline.createInterface({ input }).on('line', (l) => waiting.shift()?.(JSON.parse(l)));
  return (line: string | object): Promise<Res> =>
    new Promise((resolve) => {
      waiting.push(resolve);
      output.write((typeof line === 'string' ? line : JSON.stringify(line)) + '\n');
    });
}

// a service a failed assertion left running would keep this file from ending (its pipes stay open)
const live = new Set<ChildProcess>();
after(() => {
  for (const c of live) c.kill('SIGKILL');
});

function startServe(args: string[]): { child: ChildProcess; err: () => string; done: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve', ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
  live.add(child);
  child.once('exit', () => live.delete(child));
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  return { child, err: () => err, done: new Promise((r) => child.once('exit', (c) => r(c))) };
}

const P = { 'hw.dramChannels': 8, 'hw.qkMultipliers': 512, 'algo.lsbThreshold': 0.1 };

test('serve --stdio: space, errors that keep the service running, evaluate = the run evaluator, journal cache, ask/evaluate/tell', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdse-serve-'));
  const space = path.join(dir, 'space.yaml');
  fs.writeFileSync(space, SPACE);
  const out = path.join(dir, 'svc');
  const s = startServe(['--space', space, '--stdio', '--out', out]);
  const call = client(s.child.stdout!, s.child.stdin!);

  const sp = await call({ op: 'space', rid: 'a' });
  assert.equal(sp.ok, true);
  assert.equal(sp.rid, 'a');
  assert.deepEqual(sp.parameters, [
    { key: 'hw.dramChannels', kind: 'choice', values: [4, 8, 16] },
    { key: 'hw.qkMultipliers', kind: 'choice', values: [256, 512] },
    { key: 'algo.lsbThreshold', kind: 'interval', low: 0.02, high: 0.2, integer: false },
  ]);
  assert.deepEqual(sp.objectives, [
    { metric: 'latency_s', goal: 'min' },
    { metric: 'area_mm2', goal: 'min' },
  ]);
  assert.deepEqual(sp.constraints, ['area_mm2 <= 12']);
  // an analytical space without accuracy or baseline: a told result carries the hardware metrics only
  assert.deepEqual(sp.metrics, [...HW_METRICS]);

  // errors: each answered, none stops the service
  const bad: [string | object, RegExp][] = [
    ['{"op": "space"', /malformed JSON/],
    ['[1, 2]', /a request is a JSON object/],
    [{ op: 'fly' }, /unknown op "fly": expected one of "space", "ask", "evaluate", "tell"/],
    [{ op: 'evaluate', params: { ...P, 'hw.dramChannels': 5 } }, /params\.hw\.dramChannels: 5 is not one of 4, 8, 16/],
    [{ op: 'evaluate', params: { ...P, 'algo.lsbThreshold': 0.5 } }, /params\.algo\.lsbThreshold: 0\.5 is outside \[0\.02, 0\.2\]/],
    [{ op: 'evaluate', params: { ...P, 'hw.clockGHz': 2 } }, /unknown parameter hw\.clockGHz/],
    [{ op: 'evaluate', params: { 'hw.dramChannels': 8 } }, /params\.hw\.qkMultipliers: missing/],
    [{ op: 'evaluate', id: 99 }, /no asked trial with id 99/],
    [{ op: 'tell', id: 0, metrics: { latency_s: 1, area_mm2: 1 } }, /no asked trial with id 0/],
    [{ op: 'ask', n: 0 }, /"n" must be a positive integer/],
  ];
  for (const [req, msg] of bad) {
    const r = await call(req);
    assert.equal(r.ok, false, JSON.stringify(req));
    assert.match(r.error, msg);
  }

  // evaluate: the same numbers as `run` gives the same point (its points.csv row)
  const e1 = await call({ op: 'evaluate', params: P });
  assert.equal(e1.ok, true, e1.error);
  assert.equal(e1.status, 'ok');
  assert.equal(e1.cached, false);
  const runDir = path.join(dir, 'run');
  const one = path.join(dir, 'one.yaml');
  fs.writeFileSync(one, SPACE.replace(/parameters:[\s\S]*search:.*/, `parameters:\n  hw.dramChannels: [8]\n  hw.qkMultipliers: [512]\n  algo.lsbThreshold: [0.1]\nsearch: { driver: grid }\n`));
  const r = spawn(process.execPath, ['--import', 'tsx', CLI, 'run', one, '--out', runDir, '--progress', 'none', '--no-report'], { cwd: ROOT, stdio: 'ignore' });
  assert.equal(await new Promise((res) => r.once('exit', res)), 0);
  const [header, row] = parseCsv(fs.readFileSync(path.join(runDir, 'points.csv'), 'utf8'));
  // points.csv holds each metric at the precision it is written with (dse/outputs.ts formatMetric)
  for (const m of ['latency_s', 'energy_j', 'area_mm2', 'dram_bytes', 'cycles']) assert.equal(formatMetric(m, e1.metrics[m]), Number(row[header.indexOf(m)]), m);
  assert.equal(e1.feasible, row[header.indexOf('feasible')] === 'true');

  // the same point again: from the journal
  const e2 = await call({ op: 'evaluate', params: P });
  assert.equal(e2.cached, true);
  assert.deepEqual(e2.metrics, e1.metrics);

  // ask → evaluate an asked trial → tell another
  const a = await call({ op: 'ask', n: 2 });
  assert.equal(a.trials.length, 2);
  assert.deepEqual(a.trials.map((t: Res) => t.id), [0, 1]);
  const ev = await call({ op: 'evaluate', id: 0 });
  assert.equal(ev.ok, true);
  assert.equal(ev.id, 0);
  assert.deepEqual(ev.params, a.trials[0].params);
  // a told result the run could not have produced is refused, and the trial still awaits its result
  for (const [metrics, msg] of [
    [{ latency_s: -0.001, area_mm2: 13 }, /tell: metrics\.latency_s: -0\.001 is negative/],
    [{ latency_s: 0.001, area_mm2: 13, lantency_s: 2 }, /tell: metrics\.lantency_s: unknown metric \(did you mean "latency_s"\?\)/],
    // a column no run of this space writes (no accuracy block, no fidelity: both): another space's result
    [{ latency_s: 0.001, area_mm2: 13, accuracy: 0.97 }, /tell: metrics\.accuracy: not a column of this space: the space has no accuracy block: its runs measure no accuracy/],
    [{ latency_s: 0.001, area_mm2: 13, cycle_latency_s: 0.0011 }, /tell: metrics\.cycle_latency_s: not a column of this space: the space's fidelity is analytical, which re-scores nothing: only under fidelity: both does a run write the re-scored columns \(cycle_latency_s, /],
    // the cycle model re-scores latency, energy, cycles, DRAM bytes and power only: no run writes cycle_area_mm2
    [{ latency_s: 0.001, area_mm2: 13, cycle_area_mm2: 13 }, /tell: metrics\.cycle_area_mm2: unknown metric \(metrics: .*; re-scored: cycle_latency_s, cycle_energy_j, cycle_cycles, cycle_dram_bytes, cycle_power_w, cycle_speedup, cycle_energy_saving\)$/],
  ] as [Res, RegExp][]) {
    const r = await call({ op: 'tell', id: 1, metrics });
    assert.equal(r.ok, false, JSON.stringify(metrics));
    assert.match(r.error, msg);
  }
  const told = await call({ op: 'tell', id: 1, metrics: { latency_s: 0.001, area_mm2: 13, energy_j: 0.002 } });
  assert.deepEqual({ ok: told.ok, id: told.id, feasible: told.feasible }, { ok: true, id: 1, feasible: false });
  assert.ok(Math.abs(told.violation - 1 / 12) < 1e-12, String(told.violation)); // (13 − 12) / 12
  const again = await call({ op: 'tell', id: 1, metrics: { latency_s: 0.001, area_mm2: 13 } });
  assert.match(again.error, /no asked trial with id 1/);
  // the rest of the random driver's 6 samples, then done
  const rest = await call({ op: 'ask', n: 10 });
  assert.deepEqual(rest.trials.map((t: Res) => t.id), [2, 3, 4, 5]);
  assert.equal(rest.done, true);

  s.child.stdin!.end();
  assert.equal(await s.done, 0, s.err());
  const recs = loadJournal(path.join(out, 'journal.jsonl')).records;
  assert.equal(recs.length, 2, 'evaluations journaled once each (the cached answer is not re-journaled)');
  assert.ok(!fs.existsSync(path.join(out, '.lock')), 'lock released');
});

test('serve --port: two TCP clients share the service; a bad line on one does not disturb the other', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdse-serve-'));
  const space = path.join(dir, 'space.yaml');
  fs.writeFileSync(space, SPACE);
  const s = startServe(['--space', space, '--port', '0', '--out', path.join(dir, 'svc')]);
  s.child.stdout!.resume();
  const portOf = () => Number(/on 127\.0\.0\.1:(\d+)/.exec(s.err())?.[1] ?? 0);
  await waitFor(() => portOf() > 0, 60_000);
  const port = portOf();
  assert.ok(port > 0, s.err());
  const connect = async () => {
    const sock = net.connect(port, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    return { sock, call: client(sock, sock) };
  };
  const c1 = await connect();
  const c2 = await connect();
  assert.match((await c1.call('nonsense')).error, /malformed JSON/);
  const e = await c2.call({ op: 'evaluate', params: P, rid: 7 });
  assert.equal(e.ok, true, e.error);
  assert.equal(e.rid, 7);
  const e1 = await c1.call({ op: 'evaluate', params: P });
  assert.equal(e1.cached, true);
  c1.sock.end();
  c2.sock.end();
  s.child.kill('SIGTERM');
  assert.equal(await s.done, 0, s.err());
});

test('serve --out: a folder that is not a results folder, or whose journal is another space\'s, is refused (exit 2, nothing written); a new journal starts with the space header a run continues', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdse-serve-out-'));
  const space = path.join(dir, 'space.yaml');
  fs.writeFileSync(space, SPACE);
  const other = path.join(dir, 'other.yaml');
  fs.writeFileSync(other, SPACE.replace('name: serve-test', 'name: serve-other').replace('seqLen: 128', 'seqLen: 256'));
  const notes = path.join(dir, 'notes');
  fs.mkdirSync(notes);
  fs.writeFileSync(path.join(notes, 'notes.txt'), 'mine\n');
  // a results folder of the other space, written by serve itself
  const theirs = path.join(dir, 'theirs');
  const first = startServe(['--space', other, '--out', theirs]);
  const ask = client(first.child.stdout!, first.child.stdin!);
  assert.equal((await ask({ op: 'evaluate', params: P })).ok, true);
  first.child.stdin!.end();
  assert.equal(await first.done, 0, first.err());
  const journal = fs.readFileSync(path.join(theirs, 'journal.jsonl'), 'utf8');
  assert.match(journal.split('\n')[0], /^\{"journal":"spatten-dse","v":1,"space":"space-[0-9a-f]{16}","name":"serve-other"/);
  const cases: [string, RegExp][] = [
    [notes, /--out .*notes: the folder is not empty \(notes\.txt\) and is not a results folder of spatten-dse/],
    [theirs, /--out .*theirs: .*journal\.jsonl holds the evaluations of space "serve-other" .*, not of "serve-test"; choose another --out folder/],
  ];
  for (const [out, msg] of cases) {
    const s = startServe(['--space', space, '--out', out]);
    s.child.stdin!.end(JSON.stringify({ op: 'evaluate', params: P }) + '\n');
    assert.equal(await s.done, 2, s.err());
    assert.match(s.err(), msg);
  }
  assert.deepEqual(fs.readdirSync(notes), ['notes.txt']);
  const forced = startServe(['--space', space, '--out', notes, '--force']);
  forced.child.stdin!.end(JSON.stringify({ op: 'evaluate', params: P }) + '\n');
  assert.equal(await forced.done, 0, forced.err());
  assert.deepEqual(fs.readdirSync(notes).sort(), ['journal.jsonl', 'notes.txt']);
  assert.equal(fs.readFileSync(path.join(theirs, 'journal.jsonl'), 'utf8'), journal, 'the other space\'s journal untouched');
  // the run of the other space continues the journal serve started
  const run = spawn(process.execPath, ['--import', 'tsx', CLI, 'run', other, '--out', theirs, '--progress', 'none', '--no-report'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  run.stderr!.on('data', (d) => (err += d));
  assert.equal(await new Promise((r) => run.once('exit', r)), 0, err);
  assert.match(err, /continuing: 1 finished evaluation in /);
});

test('serve: a bad space file or options → exit 2, nothing written', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdse-serve-'));
  const space = path.join(dir, 'space.yaml');
  fs.writeFileSync(space, SPACE.replace('[4, 8, 16]', '[4, -8, 16]'));
  for (const args of [['--space', space, '--out', path.join(dir, 'o')], ['--space', path.join(dir, 'missing.yaml'), '--out', path.join(dir, 'o')], ['--space', space, '--stdio', '--port', '1']]) {
    const s = startServe(args);
    s.child.stdin!.end();
    assert.equal(await s.done, 2, s.err());
    assert.match(s.err(), /error: /);
  }
  assert.ok(!fs.existsSync(path.join(dir, 'o')), '!fs.existsSync(path.join(dir, \'o\'))');
  // --host without --port: the service would answer on stdin/stdout, not on that address
  fs.writeFileSync(space, SPACE);
  const h = startServe(['--space', space, '--host', '0.0.0.0', '--out', path.join(dir, 'h')]);
  h.child.stdin!.end();
  assert.equal(await h.done, 2, h.err());
  assert.match(h.err(), /^error: --host 0\.0\.0\.0: only with --port N \(the address the TCP service listens on\); without --port the service answers on stdin\/stdout\n$/);
  assert.ok(!fs.existsSync(path.join(dir, 'h')), 'h written');
});

test('tell: a result without a constraint\'s metric is refused (it would be infeasible without a reason), and accepted once it has it', async () => {
  const { Service } = await import('../dse/serve.ts');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdse-serve-tell-'));
  try {
    const spaceFile = path.join(dir, 'space.yaml');
    fs.writeFileSync(spaceFile, SPACE.replace('  - { metric: area_mm2, goal: min }\n', ''));
    const svc = new Service({ spaceFile, outDir: path.join(dir, 'S'), log: () => {} });
    const ask = async (req: object) => (await svc.handle(JSON.stringify(req))) as Res;
    try {
      const [trial] = (await ask({ op: 'ask' })).trials as { id: number }[];
      const missing = await ask({ op: 'tell', id: trial.id, metrics: { latency_s: 0.001 } });
      assert.equal(missing.ok, false);
      assert.match(missing.error, /^tell: metrics\.area_mm2 \(constraint "area_mm2 <= 12"\) is missing or not a finite number$/);
      const told = await ask({ op: 'tell', id: trial.id, metrics: { latency_s: 0.001, area_mm2: 9 } });
      assert.deepEqual({ ok: told.ok, feasible: told.feasible, violation: told.violation }, { ok: true, feasible: true, violation: 0 });
    } finally {
      await svc.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('serve --port on a port in use: exit 2 naming the port, and the folder as it was (the journal it started and the folder it created removed; a results folder\'s journal untouched)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdse-serve-inuse-'));
  const busy = net.createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
  const port = (busy.address() as net.AddressInfo).port;
  try {
    const space = path.join(dir, 'space.yaml');
    fs.writeFileSync(space, SPACE);
    const inUse = async (out: string) => {
      const s = startServe(['--space', space, '--port', String(port), '--out', out]);
      s.child.stdin!.end();
      assert.equal(await s.done, 2, s.err());
      assert.match(s.err(), new RegExp(`^error: --port ${port}: listen EADDRINUSE: address already in use 127\\.0\\.0\\.1:${port}\\n$`, 'm'));
    };
    // a folder it would create: not left behind (before: the folder and a journal of its header alone)
    const fresh = path.join(dir, 'fresh');
    await inUse(fresh);
    assert.ok(!fs.existsSync(fresh), `no folder left: ${fs.existsSync(fresh) ? fs.readdirSync(fresh).join(', ') : ''}`);
    // an empty folder stays empty
    const empty = path.join(dir, 'empty');
    fs.mkdirSync(empty);
    await inUse(empty);
    assert.deepEqual(fs.readdirSync(empty), [], 'nothing left in the folder');
    // a results folder: its journal, with an evaluation, byte for byte
    const kept = path.join(dir, 'kept');
    const first = startServe(['--space', space, '--out', kept]);
    assert.equal((await client(first.child.stdout!, first.child.stdin!)({ op: 'evaluate', params: P })).ok, true);
    first.child.stdin!.end();
    assert.equal(await first.done, 0, first.err());
    const before = fs.readFileSync(path.join(kept, 'journal.jsonl'));
    await inUse(kept);
    assert.deepEqual(fs.readdirSync(kept), ['journal.jsonl'], 'no lock left');
    assert.deepEqual(fs.readFileSync(path.join(kept, 'journal.jsonl')), before, 'the journal byte for byte');
  } finally {
    busy.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
