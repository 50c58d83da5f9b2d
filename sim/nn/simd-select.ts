/**
 * Local V pruning in WebAssembly SIMD: the `vk` kernel of the module simd-kernels.ts builds.
 * `vkFn` emits it from four parts: the median-of-three pivot, the branch-free three-way partition,
 * the choice of the side that holds the k-th largest, and the mask.
 */
import { F, F32, Fn, I32, OP, V, V128 } from './wasm-asm.ts';

/**
 * Bytes of the lane-compaction table: entry b (16 bytes, for a 4-bit lane mask b) is the
 * i8x16.swizzle that moves the lanes whose bit is set to the front, in lane order (the other
 * output lanes are zero). `vk` reads it from the first 256 bytes of its scratch.
 */
export const COMPACT_TABLE: Uint8Array = (() => {
  const t = new Uint8Array(256).fill(0x80);
  for (let b = 0; b < 16; b++) {
    let o = 0;
    for (let lane = 0; lane < 4; lane++) if (b & (1 << lane)) { for (let y = 0; y < 4; y++) t[16 * b + 4 * o + y] = 4 * lane + y; o++; }
  }
  return t;
})();

/** Scratch floats `vk` needs for rows of `cols` values: the table, then three candidate buffers. */
export function vkScratchFloats(cols: number): number {
  return 64 + 3 * 4 * ((cols + 7) >> 2);
}

/** The kernel's parameters and locals (indices into the function's locals). */
interface VkLocals {
  f: Fn;
  p: number; rows: number; cols: number; k: number; scr: number;
  i: number; row: number; src: number; c: number; r: number; s: number;
  X: number; Y: number; bufBytes: number; base: number; cg: number; cl: number;
  j: number; n4: number; q: number; bits: number;
  pv: number; a: number; b: number; x: number; kth: number;
  vp: number; v: number; vk: number;
}

function vkLocals(f: Fn): VkLocals {
  const [p, rows, cols, k, scr] = [0, 1, 2, 3, 4];
  const i = f.local(I32), row = f.local(I32), src = f.local(I32), c = f.local(I32), r = f.local(I32), s = f.local(I32);
  const X = f.local(I32), Y = f.local(I32), bufBytes = f.local(I32), base = f.local(I32), cg = f.local(I32), cl = f.local(I32);
  const j = f.local(I32), n4 = f.local(I32), q = f.local(I32), bits = f.local(I32);
  const pv = f.local(F32), a = f.local(F32), b = f.local(F32), x = f.local(F32), kth = f.local(F32);
  const vp = f.local(V128), v = f.local(V128), vk = f.local(V128);
  return { f, p, rows, cols, k, scr, i, row, src, c, r, s, X, Y, bufBytes, base, cg, cl, j, n4, q, bits, pv, a, b, x, kth, vp, v, vk };
}

/** pv = the median of the first, middle and last of the c candidates at src; vp = it in every lane. */
function emitPivot(L: VkLocals): void {
  const { f, src, c, a, b, x, pv, vp } = L;
  f.get(src).fLoad(0).set(a);
  f.get(src).get(c).i32(1).op(OP.i32ShrU).i32(2).op(OP.i32Shl).op(OP.i32Add).fLoad(0).set(b);
  f.get(src).get(c).i32(2).op(OP.i32Shl).op(OP.i32Add).i32(4).op(OP.i32Sub).fLoad(0).set(x);
  f.get(a).get(b).op(OP.f32Min).get(a).get(b).op(F.max).get(x).op(OP.f32Min).op(F.max).set(pv);
  f.get(pv).splat().set(vp);
}

/**
 * The candidates above the pivot to X (cg of them), those below to Y (cl): X and Y are the two
 * buffers other than the current one (s), four values per step by lane mask and swizzle, the
 * remainder one by one (a store and a count, no branch).
 */
function emitPartition(L: VkLocals): void {
  const { f, src, c, s, X, Y, bufBytes, base, cg, cl, j, n4, q, bits, pv, x, vp, v, scr } = L;
  /** Buffer (s + d) mod 3's byte address. */
  const buffer = (d: number) => f.get(s).i32(d).op(OP.i32Add).i32(3).op(OP.i32RemU).get(bufBytes).op(OP.i32Mul).get(base).op(OP.i32Add);
  /** Compacts the lanes of v that compare true against vp (SIMD op cmp) to dst + count·4; count += their number. */
  const compact = (cmp: number, dst: number, count: number) => {
    f.get(v).get(vp).v(cmp).v(V.i32x4Bitmask).set(bits);
    f.get(dst).get(count).i32(2).op(OP.i32Shl).op(OP.i32Add);
    f.get(v).get(scr).get(bits).i32(4).op(OP.i32Shl).op(OP.i32Add).vLoad(0).v(V.swizzle).vStore(0);
    f.get(count).get(bits).op(OP.i32Popcnt).op(OP.i32Add).set(count);
  };
  buffer(1); f.set(X); buffer(2); f.set(Y);
  f.i32(0).set(cg).i32(0).set(cl).i32(0).set(j).get(c).i32(-4).op(OP.i32And).set(n4).get(src).set(q);
  f.whileLt(j, n4, () => {
    f.get(q).vLoad(0).set(v);
    compact(V.f32x4Gt, X, cg);
    compact(V.f32x4Lt, Y, cl);
    f.inc(q, 16).inc(j, 4);
  });
  f.whileLt(j, c, () => {
    f.get(q).fLoad(0).set(x);
    f.get(X).get(cg).i32(2).op(OP.i32Shl).op(OP.i32Add).get(x).fStore(0);
    f.get(cg).get(x).get(pv).op(OP.f32Gt).op(OP.i32Add).set(cg);
    f.get(Y).get(cl).i32(2).op(OP.i32Shl).op(OP.i32Add).get(x).fStore(0);
    f.get(cl).get(x).get(pv).op(OP.f32Lt).op(OP.i32Add).set(cl);
    f.inc(q, 4).inc(j, 1);
  });
}

/**
 * Inside the round loop: go on with the side that holds the rank-r candidate (`br 1` from an `if`
 * is the loop's next round), or stop with kth = the pivot (`br 1` from the loop leaves the block).
 */
function emitNarrow(L: VkLocals): void {
  const { f, src, c, r, s, X, Y, cg, cl, pv, kth } = L;
  // the k-th is above the pivot: go on with those
  f.get(r).get(cg).op(OP.i32LeU, OP.if, 0x40);
  f.get(X).set(src).get(cg).set(c).get(s).i32(1).op(OP.i32Add).i32(3).op(OP.i32RemU).set(s).op(OP.br, 1);
  f.op(OP.end);
  // below it (r > c − cl): with rank r − (c − cl) among those
  f.get(r).get(c).get(cl).op(OP.i32Sub).op(OP.i32GtU, OP.if, 0x40);
  f.get(r).get(c).op(OP.i32Sub).get(cl).op(OP.i32Add).set(r);
  f.get(Y).set(src).get(cl).set(c).get(s).i32(2).op(OP.i32Add).i32(3).op(OP.i32RemU).set(s).op(OP.br, 1);
  f.op(OP.end);
  // else the pivot is the k-th largest
  f.get(pv).set(kth).op(OP.br, 1);
}

/** The row's values below kth become +0: four at a time (≥ mask, and), the remainder by select. */
function emitMask(L: VkLocals): void {
  const { f, row, cols, j, n4, q, x, kth, v, vk } = L;
  f.get(kth).splat().set(vk).get(row).set(q).i32(0).set(j).get(cols).i32(-4).op(OP.i32And).set(n4);
  f.whileLt(j, n4, () => {
    f.get(q).vLoad(0).set(v);
    f.get(q).get(v).get(v).get(vk).v(V.f32x4Ge).v(V.and).vStore(0);
    f.inc(q, 16).inc(j, 4);
  });
  f.whileLt(j, cols, () => {
    f.get(q).fLoad(0).set(x);
    f.get(q).get(x).op(OP.f32Const, 0, 0, 0, 0).get(x).get(kth).op(OP.f32Ge, OP.select).fStore(0);
    f.inc(q, 4).inc(j, 1);
  });
}

/**
 * vk(p, rows, cols, k, scr): local V pruning in place — in each of `rows` rows of `cols` float32
 * values at p, every value below the row's k-th largest (duplicates counted) becomes +0. The k-th
 * largest is found by quickselect with three-way partitions (median-of-three pivot: the first,
 * middle and last candidate), each partition four values per step — compare, lane mask, compact
 * by the table's swizzle, store — into two of three rotating buffers in the scratch at scr (no
 * branch per value); the candidates left are those above the pivot or those below it, whichever
 * holds the k-th, until the pivot is it. Then value ≥ k-th ? value : 0, four at a time (the JS
 * `keepLargestPerRow`; equal for rows without NaN, test/nn-simd.test.ts).
 */
export function vkFn(): Fn {
  const f = new Fn(8);
  const L = vkLocals(f);
  const { p, rows, cols, k, scr, i, row, src, c, r, s, bufBytes, base } = L;
  f.get(cols).i32(7).op(OP.i32Add).i32(2).op(OP.i32ShrU).i32(4).op(OP.i32Shl).set(bufBytes);
  f.get(scr).i32(256).op(OP.i32Add).set(base);
  f.i32(0).set(i).get(p).set(row);
  f.whileLt(i, rows, () => {
    f.get(row).set(src).get(cols).set(c).get(k).set(r).i32(0).set(s);
    f.op(OP.block, 0x40, OP.loop, 0x40);
    emitPivot(L);
    emitPartition(L);
    emitNarrow(L);
    f.op(OP.end, OP.end);
    emitMask(L);
    f.get(row).get(cols).i32(2).op(OP.i32Shl).op(OP.i32Add).set(row).inc(i, 1);
  });
  return f;
}
