/**
 * Seeded pseudo-random numbers for every search driver. One generator: xoshiro128** seeded by
 * splitmix32 (32-bit state words, exact in JS integer arithmetic via Math.imul). The same seed gives
 * the same stream on every platform and Node version, so searches are reproducible from `seed`.
 *
 * - `createRng(seed)` → uniform doubles in [0, 1) with 53 random bits.
 * - `randInt(rng, n)` → uniform integer in [0, n).
 * - `deriveSeed(seed, ...tags)` → an independent 32-bit seed for a sub-stream (per generation,
 *   per design point, …), so parallel consumers never share or reorder one stream.
 */

export type Rng = () => number;

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

/** Uniform doubles in [0, 1), reproducible from `seed`. */
export function createRng(seed: number): Rng {
  const next = createRng32(seed);
  return () => {
    const hi = next() >>> 5; // 27 bits
    const lo = next() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  };
}

/** Uniform integer in [0, n). */
export function randInt(rng: Rng, n: number): number {
  if (!(n >= 1)) throw new Error(`randInt: n must be ≥ 1, got ${n}`);
  return Math.floor(rng() * Math.floor(n));
}

/** Standard normal deviate (Box–Muller, one value per call). */
export function randNormal(rng: Rng): number {
  let u = 0;
  while (u === 0) u = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
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

/** An independent 32-bit seed derived from a base seed and tags (FNV-1a over the tags + splitmix). */
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
