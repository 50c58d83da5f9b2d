/**
 * A hash of the analytical fast path's full output (every number of `evaluatePrepared`'s metrics,
 * bit for bit) over N random algorithm points, to check that a change to sim/hw keeps the numbers
 * identical: run it on the commit before and after and compare the two lines.
 *
 *   node --import tsx scripts/fast-path-hash.ts [N = 20000]
 *
 * Points (seeded, so every run draws the same): tokenKeep, headKeep, valueKeep in (0.05, 1],
 * msbBits 4–8, lsbBits 0/2/4, valueBits 0 (= msbBits) or 4–11, on gpt2-medium generation
 * (992 + 32: six in ten), gpt2-small generation (three in ten), a short gpt2-small generation and
 * bert-base summarization (seqLen 128); every fifth point also on three other designs (the
 * official-RTL top-k model, a gated token top-k with the Q·K filter width and a key buffer some
 * heads do not fit, no refresh at 1.5 GHz with 16-bit words).
 */
import { createHash } from 'node:crypto';
import { createFastMetrics, evaluatePrepared, prepareWorkload } from '../sim/hw/analytical.ts';
import { buildWorkload } from '../sim/workload/build.ts';
import { AlgoSchema, HardwareSchema, WorkloadSchema } from '../sim/schema.ts';
import { mulberry32 } from '../sim/rng.ts';

const DESIGNS = [
  {},
  { topkModel: 'official-rtl', topkParallelism: 8, qkMultipliers: 256, softmaxParallelism: 0 },
  { gateTokenTopk: true, topkFilter: 'qk', dramChannels: 8, keySramKB: 24, inFlight: 4 },
  { wordBits: 16, clockGHz: 1.5, dramRefresh: false, pvMultipliers: 1024, topkParallelism: 32 },
].map((d) => HardwareSchema.parse(d));
const WORKLOADS = [{}, { model: 'gpt2-small' }, { model: 'gpt2-small', seqLen: 200, genTokens: 8 }, { model: 'bert-base', stage: 'summarization', seqLen: 128 }].map((w) => WorkloadSchema.parse(w));

/** Point i's workload: 6 in 10 the first, 3 the second, then the third and fourth alternately. */
const workloadOf = (i: number): number => (i % 10 < 6 ? 0 : i % 10 < 9 ? 1 : i % 20 === 9 ? 2 : 3);

/** Every number (its 8 bytes), boolean and string of `o`, nested objects included, under its key path in key order. */
function feed(h: ReturnType<typeof createHash>, o: object, pre = ''): void {
  const bytes = new Float64Array(1);
  for (const k of Object.keys(o).sort()) {
    const v = (o as Record<string, unknown>)[k];
    if (typeof v === 'number') {
      bytes[0] = v;
      h.update(pre + k).update(new Uint8Array(bytes.buffer));
    } else if (typeof v === 'boolean' || typeof v === 'string') h.update(pre + k + String(v));
    else if (v !== null && typeof v === 'object') feed(h, v, `${pre}${k}.`);
  }
}

export function fastPathHash(n: number): string {
  const rng = mulberry32(12345);
  const h = createHash('sha256');
  const out = createFastMetrics();
  for (let i = 0; i < n; i++) {
    const lsbBits = [0, 4, 4, 2][Math.floor(rng() * 4)];
    const algo = AlgoSchema.parse({ lsbBits, tokenKeep: 1 - rng() * 0.95, headKeep: 1 - rng() * 0.95, valueKeep: 1 - rng() * 0.95, msbBits: 4 + Math.floor(rng() * 5), valueBits: rng() < 0.7 ? 0 : 4 + Math.floor(rng() * 8) });
    const p = prepareWorkload(buildWorkload(WORKLOADS[workloadOf(i)], algo));
    for (const hw of i % 5 === 0 ? DESIGNS : DESIGNS.slice(0, 1)) feed(h, evaluatePrepared(p, hw, out));
  }
  return h.digest('hex').slice(0, 24);
}

const n = Number(process.argv[2] ?? 20000);
process.stdout.write(`${n} points: ${fastPathHash(n)}\n`);
