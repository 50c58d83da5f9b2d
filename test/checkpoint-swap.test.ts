/**
 * An accuracy checkpoint folder whose files are replaced (same path, other weights, config or
 * tokenizer): a sweep's journal is not continued with the old numbers, and a long-lived process
 * (a queue worker's threads, `serve`) loads the new files instead of serving its cached engine
 * and accuracy outcomes.
 */
import test, { mock } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { evaluatePoint } from '../dse/evaluate.ts';
import { keyMaterial } from '../dse/key-material.ts';
import { InputError } from '../dse/errors.ts';
import { prepareRun, runSpace } from '../dse/run.ts';
import { getEngine, measureAccuracy } from '../sim/nn/api.ts';
import { AlgoSchema } from '../sim/schema.ts';

const FIX = path.join(import.meta.dirname, 'fixtures', 'hf-reference');

/** A folder holding a copy of gpt2-tiny, and a space over it (2 points, perplexity on 2 windows). */
function setup(prefix: string, extra: string[] = []): { dir: string; ck: string; spaceFile: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const ck = path.join(dir, 'ck');
  fs.cpSync(path.join(FIX, 'gpt2-tiny'), ck, { recursive: true });
  const spaceFile = path.join(dir, 'space.yaml');
  fs.writeFileSync(spaceFile, [
    'name: ckswap',
    'workload: { model: gpt2-small, stage: generation, seqLen: 128, genTokens: 4 }',
    `accuracy: { model: ${JSON.stringify(ck)}, maxExamples: 2 }`,
    'objectives:',
    '  - { metric: perplexity, goal: min }',
    '  - { metric: latency_s, goal: min }',
    ...extra,
    'parameters:',
    '  algo.tokenKeep: [0.5, 1.0]',
    'search: { driver: grid }',
    '',
  ].join('\n'));
  return { dir, ck, spaceFile };
}

/** Replaces the folder's weights and config by gpt2-tiny-untied's (its own LM head: other log-probs). */
function swapToUntied(ck: string): void {
  for (const f of ['model.safetensors', 'config.json']) fs.copyFileSync(path.join(FIX, 'gpt2-tiny-untied', f), path.join(ck, f));
}

const quiet = { progress: 'none' as const, report: false, jobs: 1, log: () => {} };
const perplexities = (rows: { metrics: Record<string, number> }[]) => rows.map((r) => r.metrics.perplexity);

test('a sweep over a checkpoint folder whose files were replaced does not continue its journal with the old numbers', async () => {
  const { dir, ck, spaceFile } = setup('ckswap-run-');
  try {
    const out = path.join(dir, 'D');
    const first = await runSpace({ spaceFile, outDir: out, ...quiet });
    assert.equal(first.run.counts.ok, 2);
    const journal = fs.readFileSync(path.join(out, 'journal.jsonl'), 'utf8');
    swapToUntied(ck);
    await assert.rejects(runSpace({ spaceFile, outDir: out, ...quiet }), (e: Error) => e instanceof InputError && /accuracy checkpoint files differ/.test(e.message));
    assert.equal(fs.readFileSync(path.join(out, 'journal.jsonl'), 'utf8'), journal, 'journal untouched');
    const fresh = await runSpace({ spaceFile, outDir: out, fresh: true, ...quiet });
    const untied = await measureAccuracy({ model: ck, maxExamples: 2 }, AlgoSchema.parse({ tokenKeep: 1 }));
    assert.equal(fresh.rows.find((r) => r.params['algo.tokenKeep'] === 1)!.metrics.perplexity, untied.value);
    for (const [a, b] of perplexities(first.rows).map((p, i) => [p, perplexities(fresh.rows)[i]])) assert.notEqual(a, b);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the key material names the checkpoint by content: weights, config and tokenizer files each change it', () => {
  const { dir, ck, spaceFile } = setup('ckswap-key-');
  try {
    const key = () => JSON.stringify(keyMaterial(prepareRun({ spaceFile }).ctx));
    const k0 = key();
    assert.equal(key(), k0, 'same files, same key');
    const vocab = path.join(ck, 'vocab.json');
    const tokens = JSON.parse(fs.readFileSync(vocab, 'utf8')) as Record<string, number>;
    const [a, b] = Object.keys(tokens);
    [tokens[a], tokens[b]] = [tokens[b], tokens[a]];
    fs.writeFileSync(vocab, JSON.stringify(tokens));
    const k1 = key();
    assert.notEqual(k1, k0, 'tokenizer');
    fs.copyFileSync(path.join(FIX, 'gpt2-tiny-untied', 'model.safetensors'), path.join(ck, 'model.safetensors'));
    const k2 = key();
    assert.notEqual(k2, k1, 'weights');
    fs.copyFileSync(path.join(FIX, 'gpt2-tiny-untied', 'config.json'), path.join(ck, 'config.json'));
    assert.notEqual(key(), k2, 'config');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a long-lived process loads the replaced files: getEngine and the accuracy outcome of a new run\'s context', async () => {
  const { dir, ck, spaceFile } = setup('ckswap-live-');
  try {
    const before = await getEngine(ck);
    assert.equal(before.c.tiedHead, true);
    const params = { 'algo.tokenKeep': 1 };
    const old = await evaluatePoint(prepareRun({ spaceFile }).ctx, 0, params);
    swapToUntied(ck);
    const after = await getEngine(ck);
    assert.notEqual(after, before);
    assert.equal(after.c.tiedHead, false);
    assert.notEqual(after.ck.hash, before.ck.hash);
    assert.equal(await getEngine(ck), after, 'unchanged files: the cached engine');
    // the next run's tasks (a worker's thread keeps its accuracy cache between runs)
    const now = await evaluatePoint(prepareRun({ spaceFile }).ctx, 1, params);
    const untied = await measureAccuracy({ model: ck, maxExamples: 2 }, AlgoSchema.parse({ tokenKeep: 1 }));
    assert.equal(now.metrics.perplexity, untied.value);
    assert.notEqual(now.metrics.perplexity, old.metrics.perplexity);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('serve answers from the checkpoint as its files are now: a point asked again after the swap is evaluated on the new files, not the old journal record', async () => {
  const { Service } = await import('../dse/serve.ts');
  const { dir, ck, spaceFile } = setup('ckswap-serve-');
  const svc = new Service({ spaceFile, outDir: path.join(dir, 'S'), log: () => {} });
  try {
    const ask = async () => {
      const r = await svc.handle(JSON.stringify({ op: 'evaluate', params: { 'algo.tokenKeep': 1 } }));
      assert.equal(r.ok, true, JSON.stringify(r));
      return r as unknown as { metrics: Record<string, number>; cached: boolean };
    };
    const old = await ask();
    assert.equal((await ask()).cached, true, 'same files: from the journal');
    swapToUntied(ck);
    const now = await ask();
    const untied = await measureAccuracy({ model: ck, maxExamples: 2 }, AlgoSchema.parse({ tokenKeep: 1 }));
    assert.equal(now.cached, false);
    assert.equal(now.metrics.perplexity, untied.value);
    assert.notEqual(now.metrics.perplexity, old.metrics.perplexity);
    assert.equal((await ask()).cached, true, 'the new files\' record answers the next request');
  } finally {
    await svc.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('serve resolves a constraint relative to the dense model again when the checkpoint\'s files are replaced', async () => {
  const { Service } = await import('../dse/serve.ts');
  const { dir, ck, spaceFile } = setup('ckswap-serve-dense-', ['constraints: ["perplexity <= dense * 1.03"]']);
  const lines: string[] = [];
  const svc = new Service({ spaceFile, outDir: path.join(dir, 'S'), log: (s) => lines.push(s) });
  try {
    const constraints = async () => ((await svc.handle('{"op":"space"}')) as unknown as { constraints: string[] }).constraints;
    const bound = (ppl: number) => Number((ppl * 1.03).toPrecision(12));
    const tiedDense = await measureAccuracy({ model: ck, maxExamples: 2 }, AlgoSchema.parse({}));
    assert.deepEqual(await constraints(), [`perplexity <= ${bound(tiedDense.value)}`]);
    swapToUntied(ck);
    const untiedDense = await measureAccuracy({ model: ck, maxExamples: 2 }, AlgoSchema.parse({}));
    assert.notEqual(untiedDense.value, tiedDense.value, 'the fixture checkpoints differ in their dense perplexity');
    const newBound = bound(untiedDense.value);
    assert.deepEqual(await constraints(), [`perplexity <= ${newBound}`], 'the space reply states the bound of the new files');
    assert.ok(lines.some((l) => l.includes('changed: the dense model runs again')), `says why it runs the dense model again: ${lines.join(' | ')}`);
    const r = (await svc.handle(JSON.stringify({ op: 'evaluate', params: { 'algo.tokenKeep': 1 } }))) as unknown as { ok: boolean; metrics: Record<string, number>; feasible: boolean };
    assert.equal(r.ok, true, JSON.stringify(r));
    assert.equal(r.feasible, r.metrics.perplexity <= newBound, `feasibility against the new bound: ${r.metrics.perplexity} vs ${newBound}`);

    // files the dense model cannot run: the request is refused with the reason, and served again once they are restored
    fs.writeFileSync(path.join(ck, 'config.json'), '{}');
    const bad = (await svc.handle('{"op":"space"}')) as { ok: boolean; error?: string };
    assert.equal(bad.ok, false);
    assert.match(bad.error ?? '', /^the files of the accuracy checkpoint .* changed and the dense model on them failed \(.+\): the constraints relative to the dense model cannot be resolved again; restore or fix the files and send the request again$/);
    swapToUntied(ck);
    assert.deepEqual(await constraints(), [`perplexity <= ${newBound}`], 'restored files: the bound of those files');
  } finally {
    await svc.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('serve: a journal that cannot take the dense model\'s outcome on replaced checkpoint files (ENOSPC) refuses the request saying so, not as a problem of the files; served once there is space', async () => {
  const { Service } = await import('../dse/serve.ts');
  const { dir, ck, spaceFile } = setup('ckswap-serve-enospc-', ['constraints: ["perplexity <= dense * 1.03"]']);
  const out = path.join(dir, 'S');
  const svc = new Service({ spaceFile, outDir: out, log: () => {} });
  try {
    await svc.ready;
    swapToUntied(ck);
    const real = fs.writeSync as (...a: unknown[]) => number;
    const full = mock.method(fs, 'writeSync', function (this: unknown, fd: number, ...rest: unknown[]) {
      if (path.basename(fs.readlinkSync(`/proc/self/fd/${fd}`)) === 'journal.jsonl') throw Object.assign(new Error('ENOSPC: write'), { code: 'ENOSPC', syscall: 'write' });
      return real.call(fs, fd, ...rest);
    } as typeof fs.writeSync);
    let refused;
    try {
      refused = (await svc.handle('{"op":"space"}')) as { ok: boolean; error?: string };
    } finally {
      full.mock.restore();
    }
    assert.deepEqual(refused, {
      ok: false,
      op: 'space',
      error:
        `cannot write the journal ${path.join(out, 'journal.jsonl')}: no space left on the device (ENOSPC); the dense model's outcome on the new files of the accuracy checkpoint ${ck} was not recorded, and this request is not answered: ` +
        'the journal holds every earlier evaluation up to its last complete line; after freeing space, send the request again (the service goes on)',
    });
    const untiedDense = await measureAccuracy({ model: ck, maxExamples: 2 }, AlgoSchema.parse({}));
    const again = (await svc.handle('{"op":"space"}')) as unknown as { ok: boolean; constraints: string[] };
    assert.equal(again.ok, true, JSON.stringify(again));
    assert.deepEqual(again.constraints, [`perplexity <= ${Number((untiedDense.value * 1.03).toPrecision(12))}`], 'space again: the bound of the new files');
  } finally {
    await svc.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
