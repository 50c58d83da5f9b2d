/**
 * `serve` names the request's values in its errors as the CLI names the user's (dse/cli-util.ts
 * `echoed`, `printable`): a value is cut past 120 characters saying what was cut, and no control
 * character (an escape sequence, a bell, a line break) reaches the error's text, so a 10,000-
 * character op name or a value holding escape sequences is answered with one bounded line. The
 * reply stays a JSON object: `rid` is echoed as it was sent, `op` only when it is one of the four.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Service } from '../dse/serve.ts';

const SPACE = `name: serve-echo
workload: { model: gpt2-small, stage: generation, seqLen: 128, genTokens: 4 }
objectives:
  - { metric: latency_s, goal: min }
  - { metric: area_mm2, goal: min }
parameters:
  hw.dramChannels: [4, 8, 16]
  algo.lsbThreshold: { range: [0.02, 0.2] }
search: { driver: random, samples: 4, seed: 3 }
`;

/** Any C0 or C1 control character, DEL, or the replacement character (what `printable` replaces). */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\ufffd]/;

/** 119 characters of `s` after the opening quote: what `echoed` keeps of a long string (120 with the quote). */
const head = (s: string) => s.slice(0, 119);

async function withService(fn: (call: (req: unknown) => Promise<Record<string, any>>) => Promise<void>, spaceText = SPACE): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdse-serve-echo-'));
  const space = path.join(dir, 'space.yaml');
  fs.writeFileSync(space, spaceText);
  const service = new Service({ spaceFile: space, outDir: path.join(dir, 'out'), log: () => {} });
  try {
    await service.ready;
    // each reply goes through the wire format: one JSON line, parsed back
    await fn(async (req) => {
      const line = JSON.stringify(await service.handle(typeof req === 'string' ? req : JSON.stringify(req)));
      assert.ok(!line.includes('\n'), 'one line');
      return JSON.parse(line);
    });
  } finally {
    await service.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('serve: a 10,000-character op name is named by its first 120 characters and its length; the reply does not echo it', async () => {
  await withService(async (call) => {
    const op = 'x'.repeat(10_000);
    const r = await call({ op, rid: 'r1' });
    assert.deepEqual(r, { ok: false, rid: 'r1', error: `unknown op "${head(op)}… (10000 characters): expected one of "space", "ask", "evaluate", "tell"` });
    // a known op is still echoed in its error reply
    const n = await call({ op: 'ask', n: 0, rid: 2 });
    assert.deepEqual(n, { ok: false, op: 'ask', rid: 2, error: 'ask: "n" must be a positive integer, got 0' });
  });
});

test('serve: control characters in an op name, a value or a name are replaced in the error (the escape sequence does not reach a terminal)', async () => {
  await withService(async (call) => {
    const r = await call({ op: 'a\u001b[31mred\u0007\nb\u009b' });
    assert.equal(r.error, 'unknown op "a?[31mred??b?": expected one of "space", "ask", "evaluate", "tell"');
    const v = await call({ op: 'evaluate', params: { 'hw.dramChannels': '8\u001b]0;title\u0007', 'algo.lsbThreshold': 0.1 } });
    assert.equal(v.error, 'params.hw.dramChannels: "8?]0;title?" is not one of 4, 8, 16');
    const k = await call({ op: 'evaluate', params: { 'hw.dramChannels': 8, 'algo.lsbThreshold': 0.1, 'hw.\u001b[2Jx': 1 } });
    assert.equal(k.error, 'params: unknown parameter hw.?[2Jx (this space has hw.dramChannels, algo.lsbThreshold)');
    for (const e of [r.error, v.error, k.error]) assert.ok(!CONTROL.test(e), `no control character: ${JSON.stringify(e)}`);
  });
});

test('serve: long values of params, ids, metrics and statuses are cut at 120 characters saying what was cut; many unknown names are counted', async () => {
  await withService(async (call) => {
    const long = 'y'.repeat(5000);
    const v = await call({ op: 'evaluate', params: { 'hw.dramChannels': long, 'algo.lsbThreshold': 0.1 } });
    assert.equal(v.error, `params.hw.dramChannels: "${head(long)}… (5000 characters) is not one of 4, 8, 16`);
    const range = await call({ op: 'evaluate', params: { 'hw.dramChannels': 8, 'algo.lsbThreshold': Array.from({ length: 1000 }, (_, i) => i) } });
    const list = JSON.stringify(Array.from({ length: 1000 }, (_, i) => i)).slice(0, 120);
    assert.equal(range.error, `params.algo.lsbThreshold: expected a number in [0.02, 0.2], got ${list}… (a list of 1000 values)`);
    const many = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`z${i}${'k'.repeat(300)}`, 1]));
    const u = await call({ op: 'evaluate', params: { 'hw.dramChannels': 8, 'algo.lsbThreshold': 0.1, ...many } });
    const name = (i: number) => `z${i}${'k'.repeat(300)}`.slice(0, 120) + '… (302 characters)';
    assert.equal(u.error, `params: unknown parameters ${[0, 1, 2, 3, 4].map(name).join(', ')} and 35 more (this space has hw.dramChannels, algo.lsbThreshold)`);
    const id = await call({ op: 'evaluate', id: long });
    assert.equal(id.error, `no asked trial with id "${head(long)}… (5000 characters) awaiting a result (ask first; each trial is evaluated or told once)`);
    const [trial] = (await call({ op: 'ask' })).trials;
    const status = await call({ op: 'tell', id: trial.id, status: long, metrics: {} });
    assert.equal(status.error, `tell: "status" must be "ok" or "failed", got "${head(long)}… (5000 characters)`);
    const metric = await call({ op: 'tell', id: trial.id, metrics: { [long]: 'fast' } });
    assert.equal(metric.error, `tell: metrics.${long.slice(0, 120)}… (5000 characters) must be a number, got "fast"`);
    const unknown = await call({ op: 'tell', id: trial.id, metrics: { [long]: 1 } });
    assert.match(unknown.error, new RegExp(`^tell: metrics\\.${long.slice(0, 120)}… \\(5000 characters\\): unknown metric \\(metrics: latency_s, `));
    for (const r of [v, range, u, id, status, metric, unknown]) assert.ok(r.error.length < 1000, `bounded: ${r.error.length} characters`);
  });
});

/** A space of 8 parameters: more than an error names. */
const EIGHT = SPACE.replace(
  /parameters:[\s\S]*search:/,
  `parameters:
  hw.dramChannels: [4, 8, 16]
  hw.clockGHz: [0.5, 1]
  hw.qkMultipliers: [256, 512]
  hw.pvMultipliers: [256, 512]
  hw.topkParallelism: [8, 16]
  hw.fetcherPorts: [16, 32]
  hw.inFlight: [4, 8]
  algo.lsbThreshold: { range: [0.02, 0.2] }
search:`,
);

test("serve: an unknown parameter in a space of 8 names the space's first 5 and counts the rest, pointing at op space; a misspelt one gets its did-you-mean", async () => {
  await withService(async (call) => {
    const P = { 'hw.dramChannels': 8, 'hw.clockGHz': 1, 'hw.qkMultipliers': 512, 'hw.pvMultipliers': 512, 'hw.topkParallelism': 16, 'hw.fetcherPorts': 32, 'hw.inFlight': 8, 'algo.lsbThreshold': 0.1 };
    const own = 'hw.dramChannels, hw.clockGHz, hw.qkMultipliers, hw.pvMultipliers, hw.topkParallelism and 3 more; {"op":"space"} lists them all';
    const typo = await call({ op: 'evaluate', params: { ...P, 'hw.inFlite': 8 } });
    assert.equal(typo.error, `params: unknown parameter hw.inFlite (did you mean "hw.inFlight"?) (this space has ${own})`);
    const two = await call({ op: 'evaluate', params: { ...P, 'hw.wordBits': 12, 'hw.fetcherPort': 32 } });
    assert.equal(two.error, `params: unknown parameters hw.wordBits, hw.fetcherPort (did you mean "hw.fetcherPorts"?) (this space has ${own})`);
    // every name it lists is the space's, in its order, as op space gives them
    const space = await call({ op: 'space' });
    assert.deepEqual(space.parameters.map((d: { key: string }) => d.key).slice(0, 5), own.split(' and ')[0].split(', '));
    assert.equal(space.parameters.length, 8);
  }, EIGHT);
});

test('serve: a value outside a choice list of 2,000 values names the first 5 and counts the rest, as many unknown parameters are', async () => {
  // algo.lsbThreshold 0.0001, 0.0002, … 0.2: every value written with 4 decimals, as YAML and JSON read it
  const values = Array.from({ length: 2000 }, (_, i) => Number(((i + 1) / 10_000).toFixed(4)));
  const space = SPACE.replace('algo.lsbThreshold: { range: [0.02, 0.2] }', `algo.lsbThreshold: [${values.join(', ')}]`);
  assert.notEqual(space, SPACE, 'the space has the 2,000-value list');
  await withService(async (call) => {
    const v = await call({ op: 'evaluate', params: { 'hw.dramChannels': 8, 'algo.lsbThreshold': 0.25 } });
    assert.equal(v.error, 'params.algo.lsbThreshold: 0.25 is not one of 0.0001, 0.0002, 0.0003, 0.0004, 0.0005 and 1995 more');
    // a long string value is still cut, and a string choice value is shown as a value is
    const long = 'y'.repeat(5000);
    const s = await call({ op: 'evaluate', params: { 'hw.dramChannels': 8, 'algo.lsbThreshold': long } });
    assert.equal(s.error, `params.algo.lsbThreshold: "${head(long)}… (5000 characters) is not one of 0.0001, 0.0002, 0.0003, 0.0004, 0.0005 and 1995 more`);
    // a value of the list (within 1e-9 relative) is taken
    const ok = await call({ op: 'evaluate', params: { 'hw.dramChannels': 8, 'algo.lsbThreshold': 0.1234 } });
    assert.equal(ok.ok, true, JSON.stringify(ok));
    // a short list is named whole, as before
    const few = await call({ op: 'evaluate', params: { 'hw.dramChannels': 5, 'algo.lsbThreshold': 0.1 } });
    assert.equal(few.error, 'params.hw.dramChannels: 5 is not one of 4, 8, 16');
  }, space);
});

test('serve --port: a long or escaped value is named cut at 120 characters, without its control characters (exit 2)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdse-serve-echo-cli-'));
  try {
    const space = path.join(dir, 'space.yaml');
    fs.writeFileSync(space, SPACE);
    const port = `\u001b[31m${'9'.repeat(3000)}`;
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, '..', 'dse', 'cli.ts'), 'serve', '--space', space, '--port', port, '--out', path.join(dir, 'o')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (d) => (err += d));
    assert.equal(await new Promise((r) => child.once('exit', r)), 2, err);
    assert.equal(err, `error: --port: expected an integer 0-65535, got "?[31m${'9'.repeat(114)}… (3005 characters)\n`);
    assert.ok(!fs.existsSync(path.join(dir, 'o')), 'nothing written');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
