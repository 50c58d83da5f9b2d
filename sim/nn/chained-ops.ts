/**
 * The eight chained tensor methods the engine calls (`t.add(u)`, `t.sub`, `t.mul`, `t.div`, `t.pow`,
 * `t.reshape`, `t.transpose`, `t.slice`), on `@tensorflow/tfjs-core` alone. The `@tensorflow/tfjs` union package registers
 * all of them (and loads layers, converter, data and the WebGL backend, ~0.2 s per process and
 * per pool worker); tfjs-core ships them only as modules for bundlers. Each method is what tfjs
 * registers: check the tensor is alive, then call the op. The types are tfjs-core's own
 * declarations of these eight (dist/public/chained_ops/*.d.ts), so calling any other chained method
 * is a type error, not a run-time one.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rank, TensorLike } from '@tensorflow/tfjs-core';

declare module '@tensorflow/tfjs-core/dist/tensor.js' {
  interface Tensor<R extends Rank = Rank> {
    add<T extends Tensor>(b: Tensor | TensorLike): T;
    sub<T extends Tensor>(b: Tensor | TensorLike): T;
    mul<T extends Tensor>(b: Tensor | TensorLike): T;
    div<T extends Tensor>(b: Tensor | TensorLike): T;
    pow<T extends Tensor>(exp: Tensor | TensorLike): T;
    reshape<T extends Tensor>(shape: number[]): T;
    transpose<T extends Tensor>(perm?: number[]): T;
    slice<T extends Tensor>(this: T, begin: number | number[], size?: number | number[]): T;
  }
}

type Binary = (a: tf.Tensor, b: tf.Tensor | TensorLike) => tf.Tensor;
const BINARY: Record<'add' | 'sub' | 'mul' | 'div' | 'pow', Binary> = { add: tf.add, sub: tf.sub, mul: tf.mul, div: tf.div, pow: tf.pow };

const proto = tf.Tensor.prototype as unknown as Record<string, unknown>;
for (const [name, op] of Object.entries(BINARY)) {
  // the union package (e.g. loaded by @tensorflow/tfjs-node) may have registered them already: same behaviour
  proto[name] ??= function (this: tf.Tensor, b: tf.Tensor | TensorLike) {
    this.throwIfDisposed();
    return op(this, b);
  };
}
proto.reshape ??= function (this: tf.Tensor, shape: number[]) {
  this.throwIfDisposed();
  return tf.reshape(this, shape);
};
proto.transpose ??= function (this: tf.Tensor, perm?: number[]) {
  this.throwIfDisposed();
  return tf.transpose(this, perm);
};
proto.slice ??= function (this: tf.Tensor, begin: number | number[], size?: number | number[]) {
  this.throwIfDisposed();
  return tf.slice(this, begin, size);
};
