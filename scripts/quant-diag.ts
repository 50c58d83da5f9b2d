/**
 * Why progressive quantization (paper §III-D) buys the LM little (sim/nn/README.md, "Progressive
 * quantization on sotu-char"). A diagnostic: it wraps Engine.qkv of this process only, the engine
 * is unchanged.
 *
 *   node --import tsx scripts/quant-diag.ts layers [--model sotu-char] [--windows 64] [--bits 4,6]
 *     perplexity with the keys at `bits` in some layers only (the others, Q and V at 12 bits)
 *   node --import tsx scripts/quant-diag.ts error [--model sotu-char] [--windows 8] [--msb 6]
 *     Fig. 7 per layer: the prompt pass's attention rows (every 3rd query from the 9th) binned by
 *     their max probability from the MSB-only keys; per bin the share of rows, the mean
 *     Σ_j |P_msb − P_full| (msb + 4 bits), the mean |Δscore| and the mean score range (max − min)
 */
import { parseArgs } from 'node:util';
import { evaluateAccuracy } from '../sim/nn/api.ts';
import { Engine, type RunAlgo } from '../sim/nn/engine.ts';
import { defaultAlgo } from '../sim/schema.ts';

const { values: o, positionals } = parseArgs({
  allowPositionals: true,
  options: { model: { type: 'string', default: 'sotu-char' }, windows: { type: 'string' }, bits: { type: 'string', default: '4,6' }, msb: { type: 'string', default: '6' } },
});
const mode = positionals[0] ?? 'layers';
const qkv = Engine.prototype.qkv;

/** Keys at `bits` in `layers`, every other width 12 bits (the default). */
async function layerPerplexity(bits: number, layers: number[], windows: number): Promise<string> {
  Engine.prototype.qkv = function (x, n, l, ra, dest, pos) {
    const r: RunAlgo = { ...ra, msbBits: layers.includes(l) ? bits : 12, lsbBits: 0, valueBits: 12, progressive: false };
    return qkv.call(this, x, n, l, r, dest, pos);
  };
  const r = await evaluateAccuracy({ model: o.model!, maxExamples: windows }, defaultAlgo());
  return `| ${bits} | ${layers.length ? layers.join(', ') : 'none'} | ${r.value.toFixed(3)} | ${r.ci95.map((v) => v.toFixed(2)).join('–')} |`;
}

const BINS = [0, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 1];
interface Bin { rows: number; err: number; ds: number; range: number }

function softmax(s: number[]): number[] {
  const mx = Math.max(...s);
  const e = s.map((z) => Math.exp(z - mx));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / z);
}

/** One causal row: query i of window b, head h, against keys 0..i (MSB-only and full) of the packed [n, 4d] projections. */
function rowError(out: Float32Array, d: number, dh: number, base: number, i: number, h: number): Bin & { pmax: number } {
  const sc = 1 / Math.sqrt(dh);
  const qo = (base + i) * 4 * d + h * dh;
  const sM: number[] = [];
  const sF: number[] = [];
  for (let j = 0; j <= i; j++) {
    const ko = (base + j) * 4 * d + h * dh;
    let m = 0;
    let f = 0;
    for (let t = 0; t < dh; t++) {
      m += out[qo + t] * out[ko + d + t];
      f += out[qo + t] * out[ko + 2 * d + t];
    }
    sM.push(m * sc);
    sF.push(f * sc);
  }
  const pM = softmax(sM);
  const pF = softmax(sF);
  let err = 0;
  let ds = 0;
  for (let j = 0; j <= i; j++) (err += Math.abs(pM[j] - pF[j])), (ds += Math.abs(sM[j] - sF[j]));
  return { rows: 1, err, ds: ds / (i + 1), range: Math.max(...sF) - Math.min(...sF), pmax: Math.max(...pM) };
}

async function probError(msb: number, windows: number): Promise<void> {
  const acc: Bin[][] = [];
  Engine.prototype.qkv = function (x, n, l, ra, dest, pos) {
    const out = qkv.call(this, x, n, l, ra, dest, pos);
    const p = Array.from(pos as ArrayLike<number>);
    if (p.length < 2 || p[1] !== 1) return out; // generation steps (every row at one position): skipped
    const prompt = Math.max(...p) + 1;
    const bins = (acc[l] ??= BINS.slice(1).map(() => ({ rows: 0, err: 0, ds: 0, range: 0 })));
    for (let base = 0; base < n; base += prompt) {
      for (let h = 0; h < this.c.heads; h++) {
        for (let i = 8; i < prompt; i += 3) {
          const r = rowError(out, this.c.hidden, this.dh, base, i, h);
          const k = BINS.findIndex((v) => r.pmax < v);
          const b = bins[k < 0 ? bins.length - 1 : k - 1];
          b.rows++; b.err += r.err; b.ds += r.ds; b.range += r.range;
        }
      }
    }
    return out;
  };
  await evaluateAccuracy({ model: o.model!, maxExamples: windows }, { ...defaultAlgo(), msbBits: msb, lsbBits: 4, lsbThreshold: 0 });
  console.log(`| layer | max prob (MSB keys) | rows | Σ|P_msb − P_full| | mean |Δs| | score range |\n|---:|---|---:|---:|---:|---:|`);
  acc.forEach((bins, l) => {
    const total = bins.reduce((a, b) => a + b.rows, 0);
    bins.forEach((b, k) => {
      if (b.rows / total < 0.01) return;
      const f = (x: number, dg = 3) => (x / b.rows).toFixed(dg);
      console.log(`| ${l} | ${BINS[k]}–${BINS[k + 1]} | ${((100 * b.rows) / total).toFixed(0)}% | ${f(b.err)} | ${f(b.ds)} | ${f(b.range, 1)} |`);
    });
  });
}

if (mode === 'layers') {
  const windows = Number(o.windows ?? 64);
  console.log('| key bits | in layers | perplexity | 95% CI |\n|---:|---|---:|---|');
  for (const bits of o.bits!.split(',').map(Number)) {
    for (const layers of [[], [0], [1], [2], [3], [0, 1], [2, 3], [0, 1, 2, 3]]) console.log(await layerPerplexity(bits, layers, windows));
  }
} else if (mode === 'error') {
  await probError(Number(o.msb), Number(o.windows ?? 8));
} else {
  throw new Error(`quant-diag: unknown mode ${mode} (layers | error)`);
}
