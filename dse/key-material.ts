/** What keys a run's evaluations besides their params and the model version (the journal's key material, dse/executor.ts). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EvalContext } from './evaluate.ts';
import { fileHash } from './file-hash.ts';
import { modelHash } from '../sim/nn/checkpoint-hash.ts';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * What, besides the params and the model version, determines an evaluation's numbers (the space's
 * baseline platform among them: its speedup and energy_saving are recorded). The model
 * version covers the shipped checkpoints and traces (files under sim/) but not a folder or file
 * named by path: the accuracy block carries its checkpoint's content hash, a trace workload its
 * file's (dse/file-hash.ts).
 */
export function keyMaterial(ctx: EvalContext): unknown {
  const trace = ctx.base.workload.trace;
  const base = trace ? { ...ctx.base, workload: { ...ctx.base.workload, trace: tracePathKey(trace) } } : ctx.base;
  // the baseline platform sets speedup and energy_saving (absent without one: those keys are unchanged)
  return { base, accuracy: ctx.accuracy ? withCheckpoint(ctx.accuracy) : null, metrics: ctx.metrics, ...(ctx.modelOptions ? { cycle: ctx.modelOptions } : {}), ...(trace ? { traceHash: fileHash(trace) } : {}), ...(ctx.baseline ? { baseline: ctx.baseline } : {}) };
}

/**
 * An accuracy block with `checkpoint`, the content hash of its model's config, weights and
 * tokenizer (sim/nn/checkpoint-hash.ts: stat-checked, hashed once per content). A run's context
 * carries it (dse/run.ts), so the accuracy caches of long-lived workers, keyed by the block, never
 * give numbers of replaced files.
 */
export function withCheckpoint<T extends { model: string }>(acc: T): T & { checkpoint: string | null } {
  return { ...acc, checkpoint: modelHash(acc.model) };
}

/**
 * A trace path as the key names it: relative to the checkout when inside it (as a space at the
 * checkout's root writes it), else absolute, so that the same file reached from another working
 * directory (`cd spaces && run fig19a-topk.yaml`, a space's trace found next to its YAML) keys the
 * same evaluations.
 */
function tracePathKey(trace: string): string {
  const abs = path.resolve(trace);
  const rel = path.relative(ROOT, abs);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : abs;
}
