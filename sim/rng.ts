/**
 * The project's seeded pseudo-random numbers: one module, one `Rng` type (a function returning
 * doubles in [0, 1)), one way to split streams (`deriveSeed`), one set of helpers (`randInt`,
 * `shuffle`, `gaussian`). Every model, data split, report sample and search driver draws from here.
 *
 * Two generators stay, because each feeds numbers the golden outputs pin
 * (test/fixtures/golden/): expressing either through the other would move them.
 * - `mulberry32(seed)`: 32-bit state, one 32-bit draw per double. Models (cycle-simulator pivots
 *   and refetch draws), the accuracy engine's splits and initialisation, trace synthesis, report
 *   sampling.
 * - `createRng(seed)`: xoshiro128** seeded by splitmix32, 53 random bits per double. Search
 *   drivers (random, lhs, nsga2: the points of every sampled sweep).
 * Both are exact in JS integer arithmetic (Math.imul), so a seed gives the same stream on every
 * platform and Node version.
 */

export type Rng = () => number;

/** Mulberry32: floats in [0, 1) from a 32-bit state. */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** Normalises any finite number (negative, fractional, > 2^32) to a 32-bit seed. */
function seed32(seed: number): number {
  if (!Number.isFinite(seed)) throw new Error(`rng: seed must be a finite number, got ${seed}`);
  const lo = Math.trunc(seed) >>> 0;
  const hi = Math.trunc(seed / 4294967296) >>> 0;
  return (lo ^ Math.imul(hi, 0x9e3779b1)) >>> 0;
}

/** A raw 32-bit xoshiro128** generator. */
export function createRng32(seed: number): () => number {
  const sm = splitmix32(seed32(seed));
  let a = sm(), b = sm(), c = sm(), d = sm();
  if ((a | b | c | d) === 0) a = 1;
  return () => {
    const result = Math.imul(rotl(Math.imul(b, 5) >>> 0, 7), 9) >>> 0;
    const t = (b << 9) >>> 0;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    a >>>= 0; b >>>= 0; c >>>= 0;
    return result;
  };
}

/** xoshiro128**: uniform doubles in [0, 1) with 53 random bits, reproducible from `seed`. */
export function createRng(seed: number): Rng {
  const next = createRng32(seed);
  return () => {
    const hi = next() >>> 5; // 27 bits
    const lo = next() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  };
}

/**
 * An independent 32-bit seed for a sub-stream (per generation, per design point, …) derived from
 * a base seed and tags (FNV-1a over the tags + splitmix), so parallel consumers never share or
 * reorder one stream. Works for either generator.
 */
export function deriveSeed(seed: number, ...tags: (string | number)[]): number {
  let h = seed32(seed) ^ 0x811c9dc5;
  for (const tag of tags) {
    const s = String(tag);
    for (let i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    h ^= 0xff;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return splitmix32(h)();
}

/** Uniform integer in [0, n). */
export function randInt(rng: Rng, n: number): number {
  if (!(n >= 1)) throw new Error(`randInt: n must be ≥ 1, got ${n}`);
  return Math.floor(rng() * Math.floor(n));
}

/** Fisher–Yates shuffle in place; returns the array. */
export function shuffle<T>(rng: Rng, a: T[]): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = randInt(rng, i + 1);
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
  return a;
}

/** Standard normal deviate (Box–Muller, one value per call). */
export function gaussian(rng: Rng): number {
  let u = 0;
  while (u === 0) u = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}
