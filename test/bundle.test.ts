import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildWorkerBundle, bundleKey, execArgvWithoutTsx, inUseMarker } from '../dse/bundle.ts';
import { workerExecArgv } from '../dse/worker-argv.ts';
import { profileSourcesKey } from '../dse/profile-key.ts';
import { spawnSync } from 'node:child_process';
import { EvalPool } from '../dse/pool.ts';
import { Executor } from '../dse/executor.ts';
import { evaluatePoint, type EvalContext, type EvaluatedPoint } from '../dse/evaluate.ts';
import { AlgoSchema, HARDWARE_PRESETS, HardwareSchema } from '../sim/schema.ts';
import { evaluateAccuracy } from '../sim/nn/api.ts';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
// inside the project's node_modules, like the real cache: the bundle resolves packages from there
const tmpCache = () => {
  fs.mkdirSync(path.join(ROOT, 'node_modules', '.cache'), { recursive: true });
  return fs.mkdtempSync(path.join(ROOT, 'node_modules', '.cache', 'bundle-test-'));
};

/** A cycle-model run on GPT-2 small generation. */
const cycleCtx = (seqLen: number, genTokens: number): EvalContext => ({
  base: {
    hw: HardwareSchema.parse(HARDWARE_PRESETS.spatten),
    algo: AlgoSchema.parse({}),
    workload: { model: 'gpt2-small', stage: 'generation', seqLen, genTokens } as EvalContext['base']['workload'],
  },
  fidelity: 'cycle',
  constraints: [],
  metrics: ['latency_s', 'energy_j', 'cycles'],
});

test('execArgvWithoutTsx drops only the tsx loader, in every spelling', () => {
  const tsx = 'file:///p/node_modules/tsx/dist/loader.mjs';
  assert.deepEqual(execArgvWithoutTsx(['--import', tsx, '--max-old-space-size=512']), ['--max-old-space-size=512']);
  assert.deepEqual(execArgvWithoutTsx([`--import=${tsx}`, '--require', 'tsx', '--loader', 'tsx', '-r', './other.cjs']), ['-r', './other.cjs']);
  assert.deepEqual(execArgvWithoutTsx(['--import', 'file:///p/node_modules/tsxy/x.mjs']), ['--import', 'file:///p/node_modules/tsxy/x.mjs']);
});

test('a new build prunes old bundles: the newest 4 and those a live process marks in use stay, the rest go', async () => {
  const cache = tmpCache();
  try {
    const twoHoursAgo = Date.now() / 1000 - 7200;
    const deadPid = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    // eight stale bundles, worker-0 oldest … worker-7 newest, all built two hours ago or earlier
    const names = Array.from({ length: 8 }, (_, i) => `worker-old${i}`);
    names.forEach((n, i) => {
      const d = path.join(cache, n);
      fs.mkdirSync(d);
      fs.writeFileSync(path.join(d, 'worker.mjs'), '');
      if (n === 'worker-old1') fs.writeFileSync(path.join(d, inUseMarker(process.pid)), ''); // this test's process: alive
      if (n === 'worker-old2') fs.writeFileSync(path.join(d, inUseMarker(Number(deadPid))), ''); // exited
      fs.utimesSync(d, twoHoursAgo + i, twoHoursAgo + i);
    });
    const a = await buildWorkerBundle(cache);
    assert.ok(a?.built, 'a?.built');
    const left = fs.readdirSync(cache).sort();
    const fresh = path.basename(path.dirname(fileURLToPath(a.url)));
    // the new one + the three newest old ones (4 in all), and the one in use
    assert.deepEqual(left, [fresh, 'worker-old1', 'worker-old5', 'worker-old6', 'worker-old7'].sort());
  } finally {
    fs.rmSync(cache, { recursive: true, force: true });
  }
});

test('the bundle is built once per source state, rebuilt into a new folder when esbuild changes', async () => {
  const cache = tmpCache();
  try {
    const a = await buildWorkerBundle(cache);
    const b = await buildWorkerBundle(cache);
    assert.ok(a && b, 'a && b');
    assert.equal(a.built, true);
    assert.equal(b.built, false);
    assert.equal(a.url, b.url);
    const dirs = fs.readdirSync(cache);
    assert.deepEqual(dirs, [path.basename(path.dirname(fileURLToPath(a.url)))], 'no temporary folder left behind');
    assert.notEqual(bundleKey('0.0.0'), bundleKey('0.0.1'));
    // every bundled source sees its own file URL: none is left pointing at the bundle
    const text = fs.readdirSync(path.dirname(fileURLToPath(a.url)))
      .map((f) => fs.readFileSync(path.join(path.dirname(fileURLToPath(a.url)), f), 'utf8'))
      .join('\n');
    assert.doesNotMatch(text, /import\.meta\.url/);
    assert.match(text, /sim\/nn\/paths\.ts"/);
  } finally {
    fs.rmSync(cache, { recursive: true, force: true });
  }
});

test('a pool on the bundle, without tsx, gives the same cycle and accuracy results as the sources', async () => {
  const cache = tmpCache();
  const bundle = await buildWorkerBundle(cache);
  assert.ok(bundle, 'bundle');
  const pool = new EvalPool({ jobs: 1, filename: bundle.url, execArgv: workerExecArgv() });
  try {
    const ctx = cycleCtx(128, 4);
    const params = { 'hw.dramChannels': 8, 'algo.tokenKeep': 0.5 };
    const r = await pool.run<EvaluatedPoint>({ task: 'evaluate', args: [ctx, 3, params] });
    assert.equal(r.status, 'ok', JSON.stringify(r));
    const here = await evaluatePoint(ctx, 3, params);
    assert.equal(here.status, 'ok');
    assert.ok(here.metrics.cycles > 0, 'here.metrics.cycles > 0');
    assert.deepEqual(r.status === 'ok' && r.value, here);

    // the accuracy engine (its own chunk) finds its checkpoint and dataset next to its sources
    const spec = { model: 'spam-bert', maxExamples: 8, seed: 1 };
    const algo = AlgoSchema.parse({ tokenKeep: 0.5 });
    const accCtx: EvalContext = { ...cycleCtx(64, 2), fidelity: 'analytical', accuracy: spec, metrics: [] };
    const acc = await pool.run<EvaluatedPoint>({ task: 'evaluate', args: [accCtx, 0, { 'algo.tokenKeep': 0.5 }] });
    assert.equal(acc.status, 'ok', JSON.stringify(acc));
    assert.equal(acc.status === 'ok' && acc.value.status, 'ok', JSON.stringify(acc));
    const mine = await evaluateAccuracy(spec as Parameters<typeof evaluateAccuracy>[0], algo);
    assert.equal(mine.n, 8);
    assert.equal(acc.status === 'ok' && acc.value.metrics.accuracy, mine.value);
  } finally {
    await pool.close();
    fs.rmSync(cache, { recursive: true, force: true });
  }
});

test('the executor gives the same cycle results from the bundle and from the sources, with 1 and 2 jobs', async () => {
  const ctx = cycleCtx(96, 2);
  const trials = [4, 8, 16].flatMap((ch, i) => [1, 0.5].map((keep, j) => ({ id: 2 * i + j, params: { 'hw.dramChannels': ch, 'algo.tokenKeep': keep } })));
  const runWith = async (jobs: number, bundle: boolean) => {
    const saved = process.env.SPATTEN_WORKER_BUNDLE;
    if (!bundle) process.env.SPATTEN_WORKER_BUNDLE = '0';
    const ex = Executor.open({ ctx, dir: '', jobs, journal: false });
    try {
      return await ex.evaluate(trials);
    } finally {
      await ex.close();
      if (saved === undefined) delete process.env.SPATTEN_WORKER_BUNDLE;
      else process.env.SPATTEN_WORKER_BUNDLE = saved;
    }
  };
  const ref = await runWith(1, false);
  assert.equal(ref.length, 6);
  assert.ok(ref.every((p) => p.status === 'ok' && p.metrics.cycles > 0), 'ref.every((p) => p.status === \'ok\' && p.metrics.cycles > 0)');
  // more channels never slow the same workload down
  assert.ok(ref[0].metrics.cycles >= ref[2].metrics.cycles && ref[2].metrics.cycles >= ref[4].metrics.cycles, 'ref[0].metrics.cycles >= ref[2].metrics.cycles && ref[2].metrics.cycles >= ref[4].metrics.cycles');
  for (const [jobs, bundle] of [[1, true], [2, true], [2, false]] as const) assert.deepEqual(await runWith(jobs, bundle), ref, `jobs ${jobs}, bundle ${bundle}`);
});

test('the CLI bundle: built once per source state, its manifest lists every hashed source, and it runs the CLI in-process', async () => {
  const { cliBundle, cliManifestFile } = await import('../dse/bundle.ts');
  const cache = tmpCache();
  try {
    const a = await cliBundle(cache);
    const b = await cliBundle(cache);
    assert.ok(a && b, 'a && b');
    assert.equal(a.built, true);
    assert.equal(b.built, false);
    const m = JSON.parse(fs.readFileSync(cliManifestFile(cache), 'utf8'));
    assert.equal(path.join(cache, m.bundle), fileURLToPath(a.url));
    for (const d of ['core', 'dse', 'sim', 'reports']) {
      const ts = fs.readdirSync(path.join(ROOT, d)).filter((f) => f.endsWith('.ts'));
      assert.ok(ts.length > 0, 'ts.length > 0');
      for (const f of ts) assert.ok(m.files[path.join(d, f)], `${d}/${f} in the manifest`);
    }
    assert.ok(m.folders['dse/commands'].includes('reproduce.ts'), 'm.folders[\'dse/commands\'].includes(\'reproduce.ts\')');
    // one CommonJS file, one function expression without comments or whitespace, with no import()
    // (Node 20 cannot run one from a code cache: bin/load-bundle.mjs)
    const file = fileURLToPath(a.url);
    assert.equal(path.basename(file), 'cli.cjs');
    const text = fs.readFileSync(file, 'utf8');
    assert.match(text, /^\(function \(exports, require, module, __filename, __dirname\) \{\n"use strict";/);
    assert.match(text, /\n\}\)\n?$/);
    assert.doesNotMatch(text, /\bimport\(/);
    assert.ok(text.split('\n').length < 2000, `${text.split('\n').length} lines`);
    // the bundled main, in this process, loaded as the launcher loads it: every command module is registered
    const { loadBundle } = await import('../bin/load-bundle.mjs');
    const { buildProgram } = loadBundle(file, 'test').exports;
    assert.equal(typeof buildProgram, 'function');
    // the profile cache's key is built in (the bundle does not hash the sources at each start) ...
    assert.ok(text.includes(`key=true?"${profileSourcesKey()}"`), 'the profile key is a constant of the bundle');
    // ... so a simulate run loads neither node:crypto nor (through commander) node:child_process
    const probe = path.join(cache, 'builtins.cjs');
    fs.writeFileSync(probe, "const base = new Set(process.moduleLoadList); process.on('exit', () => require('fs').writeSync(2, 'LOADED ' + process.moduleLoadList.filter((m) => !base.has(m)).join(',') + '\\n'));");
    const trace = path.join(ROOT, 'sim', 'workload', 'traces', 'small.csv');
    const loader = pathToFileURL(path.join(ROOT, 'bin', 'load-bundle.mjs')).href;
    const run = spawnSync(process.execPath, ['--require', probe, '--input-type=module', '-e', `const { loadBundle } = await import(${JSON.stringify(loader)}); const m = loadBundle(${JSON.stringify(file)}, 'simulate').exports; process.exitCode = await m.main(['simulate', '--trace', ${JSON.stringify(trace)}, '--fidelity', 'cycle', '--json']);`], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.ok(JSON.parse(run.stdout).latency_s > 0, 'JSON.parse(run.stdout).latency_s > 0');
    const loaded = run.stderr.split('\n').find((l) => l.startsWith('LOADED ')) ?? '';
    assert.ok(loaded.includes('NativeModule'), 'the probe saw module loads');
    assert.doesNotMatch(loaded, /NativeModule (crypto|child_process)\b/);
    // bundles are ASCII (Node then decodes them into one-byte strings), though comments esbuild
    // keeps and string literals are not: the worker bundle's chunks hold ≥ (comments, messages)
    // written as `\u2265`, so the ASCII check below has text to catch
    assert.doesNotMatch(text, /[^\x00-\x7f]/, 'non-ASCII text in the CLI bundle');
    const worker = await buildWorkerBundle(cache);
    assert.ok(worker, 'the worker bundle built');
    const wdir = path.dirname(fileURLToPath(worker.url));
    const chunks = fs.readdirSync(wdir).filter((f) => f.endsWith('.mjs')).map((f) => fs.readFileSync(path.join(wdir, f), 'utf8'));
    assert.equal(chunks.filter((c) => /[^\x00-\x7f]/.test(c)).length, 0, 'worker chunks with non-ASCII text');
    assert.ok(chunks.some((c) => c.includes('\\u2265')), 'a ≥ of the sources, escaped, in the worker chunks');
  } finally {
    fs.rmSync(cache, { recursive: true, force: true });
  }
});
