/**
 * Training windows with a repeated span (recipes' `repeatShare`, train.ts): a copy of an earlier
 * stretch of the window written over a later one, so that predicting the copy pays for reading
 * far back in the window (copying, the "induction" behaviour of larger language models). The
 * natural text's local statistics rarely need more than ~16 characters; a repeated span of 24–85
 * tokens (on the LM's 257-token windows) placed ≥ 16 tokens after its source does. Only training windows are changed: evaluation
 * stays on unmodified text.
 */

/** Shortest and longest repeated span, and the least gap between source and copy (tokens). */
export const REPEAT_MIN = 24;
export const REPEAT_MAX = 95;
export const REPEAT_GAP = 16;

/**
 * Overwrites, in place, `w[b, b + m)` with `w[a, a + m)`: m uniform in [REPEAT_MIN, REPEAT_MAX]
 * capped at a third of the window, a uniform in the first half, b uniform among the positions that
 * leave REPEAT_GAP tokens after the source and fit the window. Draws three numbers from `rng`.
 */
export function repeatSpan(w: Int32Array | number[], rng: () => number): void {
  const n = w.length;
  const m = Math.min(Math.floor(n / 3), REPEAT_MIN + Math.floor(rng() * (REPEAT_MAX - REPEAT_MIN + 1)));
  const a = Math.floor(rng() * Math.max(1, Math.floor(n / 2) - m));
  const lo = a + m + REPEAT_GAP;
  const b = lo + Math.floor(rng() * Math.max(1, n - m - lo + 1));
  if (b + m > n) return; // window too short for a copy
  for (let i = 0; i < m; i++) w[b + i] = w[a + i];
}
