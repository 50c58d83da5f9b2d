/**
 * A small WebAssembly assembler for the SIMD kernels (simd-kernels.ts, simd-select.ts): opcodes,
 * LEB128, a function-body builder (`Fn`) and the module sections' framing. Nothing to compile or
 * download: the kernels are emitted as bytes by TypeScript.
 */

const SIMD = 0xfd;
export const OP = {
  block: 0x02, loop: 0x03, if: 0x04, end: 0x0b, br: 0x0c, brIf: 0x0d, select: 0x1b, localGet: 0x20, localSet: 0x21, localTee: 0x22,
  f32Load: 0x2a, f32Store: 0x38, i32Const: 0x41, i32LtU: 0x49, i32GtU: 0x4b, i32LeU: 0x4d, i32GeU: 0x4f,
  i32Popcnt: 0x69, i32Add: 0x6a, i32Sub: 0x6b, i32Mul: 0x6c, i32RemU: 0x70, i32And: 0x71, i32Shl: 0x74, i32ShrU: 0x76,
  f32Lt: 0x5d, f32Gt: 0x5e, f32Ge: 0x60, f32Add: 0x92, f32Mul: 0x94, f32Min: 0x96, f32Const: 0x43,
} as const;
export const V = {
  load: 0x00, store: 0x0b, const: 0x0c, shuffle: 0x0d, swizzle: 0x0e, f32x4Splat: 0x13, f32x4Eq: 0x41, f32x4Lt: 0x43, f32x4Gt: 0x44, f32x4Ge: 0x46,
  and: 0x4e, bitselect: 0x52, i32x4Bitmask: 0xa4, f32x4Extract: 0x1f, f32x4Nearest: 0x6a, f32x4Abs: 0xe0,
  f32x4Add: 0xe4, f32x4Sub: 0xe5, f32x4Mul: 0xe6, f32x4Div: 0xe7, f32x4Min: 0xe8, f32x4Max: 0xe9, f32x4Pmin: 0xea, f32x4Pmax: 0xeb,
} as const;
export const F = {
  sub: 0x93, sqrt: 0x91, eq: 0x5b, div: 0x95, max: 0x97, neg: 0x8c, select: 0x1b, convertI32S: 0xb2, reinterpretI32: 0xbe,
  f64Const: 0x44, f64Abs: 0x99, f64Add: 0xa0, f64PromoteF32: 0xbb,
} as const;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}
function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) { out.push(b); return out; }
    out.push(b | 0x80);
  }
}
const simd = (op: number) => [SIMD, ...uleb(op)];

/** A function body under construction: locals are indices; helpers push instructions. */
export class Fn {
  code: number[] = [];
  locals: number[] = []; // value types of the declared locals (after the params)
  constructor(readonly params: number) {}
  local(type: number): number { this.locals.push(type); return this.params + this.locals.length - 1; }
  get(i: number): this { this.code.push(OP.localGet, ...uleb(i)); return this; }
  set(i: number): this { this.code.push(OP.localSet, ...uleb(i)); return this; }
  i32(v: number): this { this.code.push(OP.i32Const, ...sleb(v)); return this; }
  op(...b: number[]): this { this.code.push(...b); return this; }
  /** local i += c (i32). */
  inc(i: number, c: number): this { return this.get(i).i32(c).op(OP.i32Add).set(i); }
  /** local i += local j (i32). */
  incBy(i: number, j: number): this { return this.get(i).get(j).op(OP.i32Add).set(i); }
  /** while (i < end) { body } with the test before each pass (i, end: i32 locals). */
  whileLt(i: number, end: number, body: () => void): this {
    this.op(OP.block, 0x40).get(i).get(end).op(OP.i32GeU, OP.brIf, 0);
    this.op(OP.loop, 0x40);
    body();
    this.get(i).get(end).op(OP.i32LtU, OP.brIf, 0, OP.end, OP.end);
    return this;
  }
  vZero(): this { this.code.push(...simd(V.const), ...new Array(16).fill(0)); return this; }
  vLoad(offset: number): this { this.code.push(...simd(V.load), 4, ...uleb(offset)); return this; }
  vStore(offset: number): this { this.code.push(...simd(V.store), 4, ...uleb(offset)); return this; }
  fLoad(offset: number): this { this.code.push(OP.f32Load, 2, ...uleb(offset)); return this; }
  fStore(offset: number): this { this.code.push(OP.f32Store, 2, ...uleb(offset)); return this; }
  splat(): this { this.code.push(...simd(V.f32x4Splat)); return this; }
  /** i8x16.shuffle of the two vectors on the stack, as four float32 lanes (0–3 the first, 4–7 the second). */
  shuffle32(lanes: readonly number[]): this {
    this.code.push(...simd(V.shuffle), ...lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]));
    return this;
  }
  v(op: number, lane?: number): this { this.code.push(...simd(op)); if (lane !== undefined) this.code.push(lane); return this; }
  /** acc ← acc + a·b with a, b on the stack (acc a v128 local). */
  vMulAcc(acc: number): this { this.code.push(...simd(V.f32x4Mul)); return this.get(acc).swapAdd(acc); }
  private swapAdd(acc: number): this { this.code.push(...simd(V.f32x4Add)); return this.set(acc); }
  body(): number[] {
    const groups: number[] = [];
    for (const t of this.locals) groups.push(1, t);
    const b = [...uleb(this.locals.length), ...groups, ...this.code, OP.end];
    return [...uleb(b.length), ...b];
  }
}
export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;
export const F64 = 0x7c;

export function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}
export function str(s: string): number[] {
  const b = [...Buffer.from(s, 'utf8')];
  return [...uleb(b.length), ...b];
}
