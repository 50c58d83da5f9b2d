/**
 * The project's small seeded PRNG for models, data and reports: Mulberry32 (32-bit state,
 * floats in [0, 1)). One implementation, imported everywhere a model, a data split or a report
 * needs reproducible randomness. (Search drivers use dse/rng.ts, a xoshiro128** stream with
 * derivable sub-seeds.)
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
