/**
 * TF.js backend initialisation for the accuracy engine.
 *
 * - Prefers `@tensorflow/tfjs-node` when it is importable (native TF, much faster), otherwise the
 *   `wasm` backend (SIMD, single thread). The backend is asserted after init: tfjs silently falls
 *   back to the pure-JS `cpu` backend when wasm fails, which is ~20× slower.
 * - Works inside worker_threads: every worker calls `initBackend()` once and gets its own backend
 *   (module state is per isolate).
 * - The wasm glue installs `uncaughtException` handlers that dump the whole minified glue on
 *   errors: callers (CLI commands, workers) must catch at the top level.
 */
// tfjs-core and the backends used here, not the `@tensorflow/tfjs` union package (./chained-ops.ts says why)
import * as tf from '@tensorflow/tfjs-core';
import './chained-ops.ts';

let ready: Promise<string> | null = null;

async function init(): Promise<string> {
  const want = process.env.SPATTEN_TF_BACKEND; // optional override: 'wasm' | 'cpu' | 'tensorflow'
  if (want !== 'wasm' && want !== 'cpu') {
    try {
      // Optional dependency: absent on most machines. The specifier is built at run time so that
      // TypeScript does not require its types.
      const name = '@tensorflow/tfjs-node';
      await import(name);
      if (await tf.setBackend('tensorflow')) {
        await tf.ready();
        if (tf.getBackend() === 'tensorflow') return 'tensorflow';
      }
    } catch {
      /* not installed: use wasm */
    }
  }
  if (want === 'cpu') {
    await import('@tensorflow/tfjs-backend-cpu');
    await tf.setBackend('cpu');
    await tf.ready();
    return tf.getBackend();
  }
  await import('@tensorflow/tfjs-backend-wasm');
  const ok = await tf.setBackend('wasm');
  await tf.ready();
  if (!ok || tf.getBackend() !== 'wasm') {
    throw new Error(`tfjs wasm backend failed to initialise (backend is '${tf.getBackend()}')`);
  }
  return 'wasm';
}

/** Initialise once per process / worker; resolves to the backend name. */
export function initBackend(): Promise<string> {
  if (!ready) ready = init();
  return ready;
}

/**
 * The backend plus every op's gradient function, for training. tfjs-core ships the gradients only
 * as modules for bundlers; the `@tensorflow/tfjs` union package's Node build registers them on the
 * same tfjs-core (and all chained ops, the same functions as ./chained-ops.ts), so training loads
 * it, once, and inference never does.
 */
export async function initTraining(): Promise<string> {
  gradients ??= import('@tensorflow/tfjs').then(() => undefined);
  await gradients;
  return initBackend();
}
let gradients: Promise<void> | undefined;

/**
 * Copies the float32 values of `t` into `dst` at `offset` and disposes `t`. On the wasm backend
 * the values are read in place from its heap (`typedArrayFromHeap`, a view): no JS array per
 * read-back, unlike `dataSync`, which returns a fresh copy. Elsewhere `dataSync`.
 */
export function readInto(t: tf.Tensor, dst: Float32Array, offset = 0): void {
  if (t.dtype !== 'float32') throw new Error(`readInto: dtype ${t.dtype}`);
  const b = tf.backend() as unknown as { typedArrayFromHeap?: (t: tf.TensorInfo) => Float32Array };
  if (typeof b.typedArrayFromHeap === 'function' && tf.getBackend() === 'wasm') dst.set(b.typedArrayFromHeap(t), offset);
  else dst.set(t.dataSync() as Float32Array, offset);
  t.dispose();
}

export { tf };
