/**
 * The accuracy engine loads tfjs-core and the wasm backend only; training adds the `@tensorflow/tfjs`
 * union package for its gradient registrations (sim/nn/backend.ts, sim/nn/chained-ops.ts).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { initBackend, initTraining, tf } from '../sim/nn/backend.ts';

const require = createRequire(import.meta.url);
const unionLoaded = () => Object.keys(require.cache).some((f) => /[\\/]@tensorflow[\\/]tfjs[\\/]dist[\\/]/.test(f));

test('inference: wasm backend, the chained ops the engine uses, no union package, no gradients; training: gradients', async () => {
  assert.equal(await initBackend(), process.env.SPATTEN_TF_BACKEND === 'cpu' ? 'cpu' : 'wasm');
  assert.equal(unionLoaded(), false);
  const a = tf.tensor2d([[1, 2], [3, 4]]);
  const r = a.add(1).sub(a.div(2)).mul(2).pow(2).reshape([4]).slice(1, 2);
  // ((x + 1) − x/2)·2 = x + 2, squared: 9, 16, 25, 36 → elements 1, 2
  assert.deepEqual(Array.from(r.dataSync()), [16, 25]);
  assert.deepEqual(Array.from(a.transpose().dataSync()), [1, 3, 2, 4]);
  a.dispose();
  assert.throws(() => a.add(1), /disposed/);
  assert.throws(() => tf.grad((x: tf.Tensor) => tf.sum(x))(tf.scalar(1)), /gradient function not found/);
  await initTraining();
  assert.equal(unionLoaded(), true);
  assert.deepEqual(Array.from(tf.grad((x: tf.Tensor) => tf.sum(tf.mul(x, x)))(tf.tensor1d([1, 2, 3])).dataSync()), [2, 4, 6]);
});
