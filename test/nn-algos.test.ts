// Pure-TS parts of the accuracy engine: top-k, schedules, quantization, LSB refetch, safetensors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { headKeepSchedule, keepCount, tokenKeepSchedule } from '../sim/workload/schedule.ts';
import { attendHead, fakeQuantRows, quantErrorBound, quantizeProgressive, quantizeVectors, topkKeepOrder, topkKeepOrderBySort } from '../sim/nn/quant.ts';
import { parseSafetensors, SafetensorsError, serializeSafetensors, type TensorMap } from '../sim/nn/safetensors.ts';
import { mulberry32 } from '../sim/nn/rng.ts';

test('top-k by selection equals top-k by sorting (ties, ±0, ±Infinity, protected indices, any k)', () => {
  const rng = mulberry32(5);
  const draws: Array<() => number> = [
    () => rng(),
    () => Math.floor(rng() * 5) / 4, // many ties
    () => [0, -0, Infinity, -Infinity, 1, -1][Math.floor(rng() * 6)],
  ];
  let cases = 0;
  for (let r = 0; r < 3000; r++) {
    const n = 1 + Math.floor(rng() * 60);
    const draw = draws[r % draws.length];
    const sc = r % 2 ? Array.from({ length: n }, draw) : Float64Array.from({ length: n }, draw);
    const k = Math.floor(rng() * (n + 3)) - 1; // −1 … n + 1
    const protect = r % 3 === 0 ? [] : Array.from({ length: 1 + Math.floor(rng() * 3) }, () => Math.floor(rng() * (n + 2)) - 1);
    assert.deepEqual(topkKeepOrder(sc, k, protect), topkKeepOrderBySort(sc, k, protect), `n ${n} k ${k} protect ${protect} scores ${[...sc]}`);
    cases++;
  }
  assert.equal(cases, 3000);
  // a NaN takes the sort: the same answer by definition
  const withNaN = [0.5, NaN, 0.2, 0.9];
  assert.deepEqual(topkKeepOrder(withNaN, 2), topkKeepOrderBySort(withNaN, 2));
  // by hand: ties go to the lower index, a protected index counts towards k
  assert.deepEqual(topkKeepOrder([0.3, 0.7, 0.3, 0.7, 0.3], 3), [0, 1, 3]);
  assert.deepEqual(topkKeepOrder([0.3, 0.7, 0.3, 0.7, 0.3], 3, [4]), [1, 3, 4]);
  assert.deepEqual(topkKeepOrder([-0, 0, -1], 1), [0]);
});

test('top-k keeps the original order and the right count', () => {
  const s = [0.1, 0.9, 0.3, 0.8, 0.05, 0.7];
  assert.deepEqual(topkKeepOrder(s, 3), [1, 3, 5]);
  assert.deepEqual(topkKeepOrder(s, 1), [1]);
  assert.deepEqual(topkKeepOrder(s, 6), [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(topkKeepOrder(s, 10), [0, 1, 2, 3, 4, 5]);
  // protected index counts towards k and survives a low score
  assert.deepEqual(topkKeepOrder(s, 2, [4]), [1, 4]);
  // ties → lower index
  assert.deepEqual(topkKeepOrder([1, 1, 1, 1], 2), [0, 1]);
  const rng = mulberry32(3);
  for (let r = 0; r < 50; r++) {
    const n = 1 + Math.floor(rng() * 40);
    const sc = Array.from({ length: n }, () => rng());
    const k = 1 + Math.floor(rng() * n);
    const sel = topkKeepOrder(sc, k);
    assert.equal(sel.length, k);
    for (let i = 1; i < sel.length; i++) assert.ok(sel[i] > sel[i - 1], 'sel[i] > sel[i - 1]');
    const minKept = Math.min(...sel.map((i) => sc[i]));
    for (let i = 0; i < n; i++) if (!sel.includes(i)) assert.ok(sc[i] <= minKept, 'sc[i] <= minKept');
  }
});

test('schedules on hand cases (front 15% / 30% unpruned, r_start + r_end = 2 r_avg)', () => {
  // 8 layers, keep 0.5: front = round(1.2) = 1; r from 0.25 to 0.75 over 7 layers.
  const t = tokenKeepSchedule(8, 0.5, 0.5, 0.15);
  assert.equal(t[0], 1);
  assert.ok(Math.abs(t[1] - 0.75) < 1e-12 && Math.abs(t[7] - 0.25) < 1e-12, 'Math.abs(t[1] - 0.75) < 1e-12 && Math.abs(t[7] - 0.25) < 1e-12');
  const mean = t.slice(1).reduce((a, b) => a + b, 0) / 7;
  assert.ok(Math.abs(mean - 0.5) < 1e-12, 'Math.abs(mean - 0.5) < 1e-12');
  // 4 layers (our models), heads 0.75: front = round(1.2) = 1 layer
  const h = headKeepSchedule(4, 0.75, 0.5, 0.3);
  assert.deepEqual(h.map((x) => +x.toFixed(4)), [1, 0.875, 0.75, 0.625]);
  assert.equal(keepCount(128, 0.75), 96);
  assert.equal(keepCount(4, 0.625), 3);
  assert.equal(keepCount(10, 0.01), 1);
});

test('quantize / dequantize error bounds', () => {
  const rng = mulberry32(7);
  const dim = 16;
  const x = Float32Array.from({ length: dim * 50 }, () => (rng() - 0.5) * 6);
  for (const bits of [4, 6, 8, 12]) {
    const q = quantizeVectors(x, dim, bits);
    for (let o = 0; o < x.length; o += dim) {
      const m = Math.max(...Array.from(x.subarray(o, o + dim), Math.abs));
      const bound = quantErrorBound(m, bits) * (1 + 1e-5);
      for (let j = 0; j < dim; j++) assert.ok(Math.abs(q[o + j] - x[o + j]) <= bound, `bits ${bits}`);
      // symmetric: levels are integer multiples of the scale
      const s = m / (2 ** (bits - 1) - 1);
      for (let j = 0; j < dim; j++) assert.ok(Math.abs(q[o + j] / s - Math.round(q[o + j] / s)) < 1e-3, 'Math.abs(q[o + j] / s - Math.round(q[o + j] / s)) < 1e-3');
    }
  }
  // progressive: full = (msb+lsb)-bit quantization; msb error ≤ half an MSB step
  const { msb, full } = quantizeProgressive(x, dim, 4, 4);
  const q8 = quantizeVectors(x, dim, 8);
  for (let i = 0; i < x.length; i++) assert.ok(Math.abs(full[i] - q8[i]) < 1e-5, 'Math.abs(full[i] - q8[i]) < 1e-5');
  for (let o = 0; o < x.length; o += dim) {
    const m = Math.max(...Array.from(x.subarray(o, o + dim), Math.abs));
    const step = (m / 127) * 16;
    for (let j = 0; j < dim; j++) assert.ok(Math.abs(msb[o + j] - full[o + j]) <= step / 2 + 1e-6, 'Math.abs(msb[o + j] - full[o + j]) <= step / 2 + 1e-6');
  }
  assert.deepEqual(quantizeVectors(x, dim, 32), x);
});

test('LSB refetch fires exactly when max prob < threshold', () => {
  // One query, nk keys; score of key 0 = a, others 0 → max prob = e^a / (e^a + nk − 1).
  const dh = 4;
  const nk = 8;
  const run = (a: number, thr: number) => {
    const q = Float32Array.from([1, 0, 0, 0]);
    const k = new Float32Array(nk * dh);
    k[0] = a * Math.sqrt(dh);
    const v = new Float32Array(nk * dh).fill(1);
    const st = attendHead({ q, nq: 1, kMsb: k, kFull: k, v, nk, dh, visible: null, valueKeep: 1, progressive: true, threshold: thr, ctx: new Float32Array(dh), colSum: new Float32Array(nk) });
    return { refetched: st.refetchedRows, pmax: Math.exp(a) / (Math.exp(a) + nk - 1) };
  };
  for (const a of [0, 0.5, 1, 2, 3, 5]) for (const thr of [0.1, 0.2, 0.3, 0.5, 0.9]) {
    const r = run(a, thr);
    assert.equal(r.refetched, r.pmax < thr ? 1 : 0, `a=${a} thr=${thr} pmax=${r.pmax}`);
  }
  // not progressive → never
  const q = Float32Array.from([1, 0, 0, 0]);
  const st = attendHead({ q, nq: 1, kMsb: new Float32Array(nk * dh), kFull: new Float32Array(nk * dh), v: new Float32Array(nk * dh), nk, dh, visible: null, valueKeep: 1, progressive: false, threshold: 0.9, ctx: new Float32Array(dh), colSum: new Float32Array(nk) });
  assert.equal(st.refetchedRows, 0);
});

test('MSB + LSB split on hand-computed codes: full key = MSB code · 2^lsb + LSB code at msb + lsb bits', () => {
  // 6 + 4 bits: qmax = 2^9 − 1 = 511; max |x| = 511/64, so the scale is exactly 2^-6 and every
  // x below is its code / 64 (300.4/64 rounds to code 300). The MSB code is floor(q / 16) (the
  // two's-complement top 6 bits, in −32..31), the LSB code q − 16·floor(q / 16) (unsigned, 0..15);
  // the MSB-only key is reconstructed at (MSB code + 0.5) · 16 · 2^-6.
  const codes = [511, 300.4, -300, 17, -17, 0, 15, -16];
  const x = Float32Array.from(codes, (c) => c / 64);
  const wantFull = [511, 300, -300, 17, -17, 0, 15, -16];
  const wantMsbCode = [31, 18, -19, 1, -2, 0, 0, -1];
  const wantLsbCode = [15, 12, 4, 1, 15, 0, 15, 0];
  // [MSB-only key | full key] in one row of 16 columns.
  const out = new Float32Array(16);
  fakeQuantRows(x, 8, 0, 1, 8, 8, 6, 4, out, 16, 8, 0);
  for (let j = 0; j < 8; j++) {
    assert.equal(out[8 + j] * 64, wantFull[j], `full code of x[${j}]`);
    assert.equal(wantMsbCode[j] * 16 + wantLsbCode[j], wantFull[j], `MSB·16 + LSB = full at ${j}`);
    assert.equal(out[j], (wantMsbCode[j] + 0.5) * 16 / 64, `MSB-only key of x[${j}]`);
  }
  // The full key is the plain (msb + lsb)-bit quantization; quantizeProgressive gives the same pair.
  const q10 = new Float32Array(8);
  fakeQuantRows(x, 8, 0, 1, 8, 8, 10, 0, q10, 8, 0);
  assert.deepEqual(Array.from(q10), Array.from(out.subarray(8)));
  const p = quantizeProgressive(x, 8, 6, 4);
  assert.deepEqual(Array.from(p.full), Array.from(out.subarray(8)));
  assert.deepEqual(Array.from(p.msb), Array.from(out.subarray(0, 8)));
  // 4 + 4 with a non-power-of-two scale: max 2.54 → s = 0.02, x = 1.0 → code 50 = 3·16 + 2.
  const y = Float32Array.from([2.54, 1.0, -1.0, 0]);
  const o2 = new Float32Array(8);
  fakeQuantRows(y, 4, 0, 1, 4, 4, 4, 4, o2, 8, 4, 0);
  const s = Math.fround(2.54 / 127);
  assert.deepEqual(Array.from(o2.subarray(4)), [127, 50, -50, 0].map((c) => Math.fround(c * s)));
  assert.deepEqual(Array.from(o2.subarray(0, 4)), [7.5, 3.5, -3.5, 0.5].map((c) => Math.fround(c * 16 * s)));
});

test('an LSB refetch recomputes that row, and only that row, with the full keys', () => {
  // One head, dh 2, 3 keys whose MSB-only and full versions differ; row 0 is peaked on key 0
  // (max prob 0.86 ≥ 0.5: keeps the MSB result), row 1 is flat (max < 0.5: refetches).
  const dh = 2;
  const nk = 3;
  const kMsb = Float32Array.from([2, 0, 0, 1, -1, 0]);
  const kFull = Float32Array.from([2.5, 0.5, 0, 2, -2, -1]);
  const v = Float32Array.from([1, 0, 0, 1, 1, 1]);
  const q = Float32Array.from([1.5, 0, 0.3, 0.4]);
  const ref = (row: number, k: Float32Array) => {
    const s = [0, 1, 2].map((j) => (q[2 * row] * k[2 * j] + q[2 * row + 1] * k[2 * j + 1]) / Math.sqrt(dh));
    const e = s.map((z) => Math.exp(z - Math.max(...s)));
    const p = e.map((z) => z / e.reduce((a, b) => a + b, 0));
    return { p, ctx: [0, 1].map((t) => p.reduce((a, pj, j) => a + pj * v[2 * j + t], 0)) };
  };
  const want = [ref(0, kMsb), ref(1, kFull)];
  const other = [ref(0, kFull), ref(1, kMsb)];
  assert.ok(Math.max(...want[0].p) >= 0.5 && Math.max(...ref(1, kMsb).p) < 0.5, 'row 0 peaked, row 1 flat');
  const ctx = new Float32Array(2 * dh);
  const colSum = new Float32Array(nk);
  const st = attendHead({ q, nq: 2, kMsb, kFull, v, nk, dh, visible: null, valueKeep: 1, progressive: true, threshold: 0.5, ctx, colSum });
  assert.equal(st.refetchedRows, 1);
  for (const row of [0, 1]) {
    for (let t = 0; t < dh; t++) assert.ok(Math.abs(ctx[row * dh + t] - want[row].ctx[t]) < 1e-6, `row ${row} ctx[${t}]`);
    // The other keys would give a result this test tells apart.
    assert.ok(Math.abs(ctx[row * dh] - other[row].ctx[0]) > 0.01, `row ${row}: MSB and full keys give different contexts`);
  }
  for (let j = 0; j < nk; j++) assert.ok(Math.abs(colSum[j] - (want[0].p[j] + want[1].p[j])) < 1e-6, `colSum[${j}]`);
});

test('local V pruning keeps the largest probabilities; column sums are the full distribution', () => {
  const dh = 2;
  const nk = 4;
  const q = Float32Array.from([1, 0]);
  const k = Float32Array.from([4, 0, 3, 0, 2, 0, 1, 0]).map((x) => x * Math.SQRT2);
  const v = Float32Array.from([1, 0, 0, 1, 10, 10, 100, 100]);
  const ctx = new Float32Array(dh);
  const colSum = new Float32Array(nk);
  const st = attendHead({ q, nq: 1, kMsb: k, kFull: k, v, nk, dh, visible: null, valueKeep: 0.5, progressive: false, threshold: 0, ctx, colSum });
  assert.equal(st.valuesKept, 2);
  const e = [4, 3, 2, 1].map(Math.exp);
  const z = e.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(ctx[0] - e[0] / z) < 1e-5 && Math.abs(ctx[1] - e[1] / z) < 1e-5, 'Math.abs(ctx[0] - e[0] / z) < 1e-5 && Math.abs(ctx[1] - e[1] / z) < 1e-5');
  assert.ok(Math.abs(colSum.reduce((a, b) => a + b, 0) - 1) < 1e-5, 'Math.abs(colSum.reduce((a, b) => a + b, 0) - 1) < 1e-5');
});

function st(entries: Record<string, unknown>, data: Uint8Array): Uint8Array {
  const h = new TextEncoder().encode(JSON.stringify(entries));
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

test('safetensors: round trip, f16/bf16, and clear errors', () => {
  const m: TensorMap = new Map([['a.weight', { shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, -6]) }], ['b', { shape: [1], data: Float32Array.from([0.5]) }]]);
  const bytes = serializeSafetensors(m, { format: 'pt' });
  const back = parseSafetensors(bytes);
  assert.deepEqual([...back.get('a.weight')!.data], [1, 2, 3, 4, 5, -6]);
  assert.deepEqual(back.get('a.weight')!.shape, [2, 3]);
  // F16 1.0 = 0x3c00, BF16 1.0 = 0x3f80
  const f16 = parseSafetensors(st({ x: { dtype: 'F16', shape: [2], data_offsets: [0, 4] }, y: { dtype: 'BF16', shape: [1], data_offsets: [4, 6] } }, Uint8Array.from([0x00, 0x3c, 0x00, 0xc0, 0x80, 0x3f])));
  assert.deepEqual([...f16.get('x')!.data], [1, -2]);
  assert.deepEqual([...f16.get('y')!.data], [1]);
  const bad = (b: Uint8Array, re: RegExp) => assert.throws(() => parseSafetensors(b, 'f'), (e: unknown) => e instanceof SafetensorsError && re.test((e as Error).message));
  bad(new Uint8Array(3), /too short/);
  const huge = new Uint8Array(16);
  new DataView(huge.buffer).setBigUint64(0, 1n << 40n, true);
  bad(huge, /implausible/);
  const trunc = new Uint8Array(12);
  new DataView(trunc.buffer).setBigUint64(0, 100n, true);
  bad(trunc, /truncated/);
  bad(st({}, new Uint8Array()).map((b, i) => (i === 8 ? 0x7b + 1 : b)), /not valid UTF-8 JSON|must be a JSON object/);
  bad(bytes.subarray(0, bytes.length - 4), /truncated/);
  bad(st({ x: { dtype: 'I32', shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4)), /dtype I32/);
  bad(st({ x: { dtype: 'Q4', shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4)), /unknown dtype/);
  bad(st({ x: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, new Uint8Array(4)), /needs 8 bytes/);
  bad(st({ x: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, y: { dtype: 'F32', shape: [1], data_offsets: [2, 6] } }, new Uint8Array(8)), /overlap/);
  bad(st({ x: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, new Uint8Array(4)), /invalid shape/);
  bad(st({ x: { dtype: 'F32', shape: [1], data_offsets: [4] } }, new Uint8Array(4)), /invalid data_offsets/);
});

test('accuracy CI: Wilson score interval, never empty at n/n or 0/n (closed forms at the boundaries)', async () => {
  const { wilsonCi } = await import('../sim/nn/api.ts');
  const z2 = 1.959964 ** 2;
  // k = n: lower bound n / (n + z²), upper 1; k = 0: lower 0, upper z² / (n + z²)
  const [lo32, hi32] = wilsonCi(32, 32);
  assert.ok(Math.abs(lo32 - 32 / (32 + z2)) < 1e-12 && hi32 === 1, `${lo32} ${hi32}`);
  const [lo0, hi0] = wilsonCi(0, 10);
  assert.ok(lo0 === 0 && Math.abs(hi0 - z2 / (10 + z2)) < 1e-12, `${lo0} ${hi0}`);
  // symmetric in k ↔ n − k, contains k/n, narrows with n
  for (const [k, n] of [[3, 17], [480, 500], [1184, 1209]]) {
    const [a, b] = wilsonCi(k, n);
    const [c, d] = wilsonCi(n - k, n);
    assert.ok(Math.abs(a - (1 - d)) < 1e-12 && Math.abs(b - (1 - c)) < 1e-12, 'Math.abs(a - (1 - d)) < 1e-12 && Math.abs(b - (1 - c)) < 1e-12');
    assert.ok(a < k / n && k / n < b, 'a < k / n && k / n < b');
  }
  assert.ok(wilsonCi(400, 500)[1] - wilsonCi(400, 500)[0] < wilsonCi(40, 50)[1] - wilsonCi(40, 50)[0], 'wilsonCi(400, 500)[1] - wilsonCi(400, 500)[0] < wilsonCi(40, 50)[1] - wilsonCi(40, 50)[0]');
});

test('accuracy CI: exactly 1 at n/n and 0 at 0/n, and lo <= k/n <= hi for every k (the spam-bert subset sizes)', async () => {
  const { wilsonCi } = await import('../sim/nn/api.ts');
  for (const n of [4, 10, 14, 19, 24, 69, 75]) {
    for (let k = 0; k <= n; k++) {
      const [lo, hi] = wilsonCi(k, n);
      assert.ok(lo <= k / n && k / n <= hi && 0 <= lo && hi <= 1, `${k}/${n}: [${lo}, ${hi}]`);
    }
    assert.equal(wilsonCi(n, n)[1], 1, `${n}/${n}`);
    assert.equal(wilsonCi(0, n)[0], 0, `0/${n}`);
  }
});

test('msbBits: the widths its description calls unquantized leave keys as they are; 16 bits quantizes them', async () => {
  const { AlgoSchema } = await import('../sim/schema.ts');
  const desc = AlgoSchema.shape.msbBits.description ?? '';
  const claim = /([\d/]+)(?: =)? unquantized/.exec(desc);
  assert.ok(claim, `the description names the unquantized width: ${desc}`);
  const rng = mulberry32(11);
  const dim = 16;
  const x = Float32Array.from({ length: dim * 20 }, () => (rng() - 0.5) * 6);
  for (const w of claim[1].split('/').map(Number)) assert.deepEqual(quantizeVectors(x, dim, w), x, `${w} bits`);
  // 16 bits: 32,767 levels per vector, off by at most half a step
  const q16 = quantizeVectors(x, dim, 16);
  assert.ok(q16.some((v, i) => v !== x[i]), 'q16.some((v, i) => v !== x[i])');
  for (let o = 0; o < x.length; o += dim) {
    const m = Math.max(...Array.from(x.subarray(o, o + dim), Math.abs));
    for (let j = 0; j < dim; j++) assert.ok(Math.abs(q16[o + j] - x[o + j]) <= (m / 32767) / 2 * (1 + 1e-5), 'Math.abs(q16[o + j] - x[o + j]) <= (m / 32767) / 2 * (1 + 1e-5)');
  }
});
